# replc: plain Makefile. `make` builds ./replc; `make run` compiles the example;
# `make check` installs what is missing and runs every test.
CC      ?= cc
CFLAGS  ?= -O2 -g
WARN     = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Wall -Wextra -Werror
PG_INC  := $(shell pg_config --includedir 2>/dev/null || echo /usr/include/postgresql)
CPPFLAGS = -Isrc -Ibuild -Igrammar -I$(PG_INC)
LDLIBS   = -lpq

SRCS = $(filter-out src/main.c,$(wildcard src/*.c))
GEN  = build/replc.tab.c build/replc.yy.c

.PHONY: all run check deps update-golden bench clean asan unit
all: replc

build/replc.tab.c build/replc.tab.h: grammar/replc.y
	@mkdir -p build
	bison -Wall -Werror --defines=build/replc.tab.h -o build/replc.tab.c grammar/replc.y

build/replc.yy.c build/replc.yy.h: grammar/replc.l build/replc.tab.h
	@mkdir -p build
	flex --header-file=build/replc.yy.h -o build/replc.yy.c grammar/replc.l

# The generated scanner and parser are compiled without -Wextra's unused warnings.
build/%.o: build/%.c
	$(CC) $(CFLAGS) -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Wall -Werror -Wno-unused-function $(CPPFLAGS) -c -o $@ $<

build/%.o: src/%.c build/replc.tab.h build/replc.yy.h $(wildcard src/*.h grammar/*.h)
	@mkdir -p build
	$(CC) $(CFLAGS) $(WARN) $(CPPFLAGS) -c -o $@ $<

OBJS = $(patsubst src/%.c,build/%.o,$(SRCS)) build/replc.tab.o build/replc.yy.o

build/libreplc.a: $(OBJS)
	ar rcs $@ $^

replc: build/main.o build/libreplc.a
	$(CC) $(CFLAGS) -o $@ build/main.o build/libreplc.a $(LDLIBS)

# Sanitizer build of the same sources, in its own directory.
asan:
	$(MAKE) BUILD_FLAVOUR=asan -f mk/asan.mk

deps:
	@sh tools/deps.sh build

run: deps replc
	rm -rf out
	./replc examples/topology.rc -o out
	cat out/plan.txt

check: deps
	@sh tools/deps.sh test
	$(MAKE) replc
	sh tests/run.sh

update-golden: replc
	sh tests/golden/update.sh

bench: replc
	sh bench/compile.sh

clean:
	rm -rf build build-asan replc out
