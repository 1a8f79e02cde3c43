/* version.h: replc's version, defined here only (the Makefile and the tests
 * read it from this line). */
#ifndef REPLC_VERSION_H
#define REPLC_VERSION_H

#define REPLC_VERSION "0.3.0"

#endif
