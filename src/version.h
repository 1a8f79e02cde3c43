/* version.h: replc's version, defined here only (--version prints it; the
 * tests read it from the #define line). */
#ifndef REPLC_VERSION_H
#define REPLC_VERSION_H

#define REPLC_VERSION "0.3.0"

#endif
