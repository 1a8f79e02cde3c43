# replc: plain Makefile.
#   make             build ./replc
#   make run         install what is missing, build, compile examples/topology.rc into out/
#   make check       install what is missing, run every test (unit, golden, diagnostics,
#                    sanitizers, real servers)
#   make update-golden  regenerate the golden files with the tool (review the diff!)
CC      ?= cc
CFLAGS  ?= -O2 -g
B       ?= build
SAN     ?=
STD      = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
WARN     = -Wall -Wextra -Werror
PG_INC  := $(shell pg_config --includedir 2>/dev/null || echo /usr/include/postgresql)
CPPFLAGS = -Isrc -I$(B) -Igrammar -I$(PG_INC)
LDLIBS   = -lpq
ifeq ($(SAN),1)
CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=address,undefined
endif

SRCS  = $(filter-out src/main.c,$(wildcard src/*.c))
OBJS  = $(patsubst src/%.c,$(B)/%.o,$(SRCS)) $(B)/replc.tab.o $(B)/replc.yy.o
HDRS  = $(wildcard src/*.h grammar/*.h)
UNITS = $(patsubst tests/unit/%.c,$(B)/unit/%,$(wildcard tests/unit/test_*.c))

.PHONY: all run check deps update-golden bench clean units asan-check
all: replc

$(B)/replc.tab.c $(B)/replc.tab.h: grammar/replc.y
	@mkdir -p $(B)
	bison -Wall -Werror --defines=$(B)/replc.tab.h -o $(B)/replc.tab.c grammar/replc.y

$(B)/replc.yy.c $(B)/replc.yy.h: grammar/replc.l $(B)/replc.tab.h
	flex --header-file=$(B)/replc.yy.h -o $(B)/replc.yy.c grammar/replc.l

# generated code: our warnings, less the unused-function noise flex emits
$(B)/replc.tab.o $(B)/replc.yy.o: $(B)/%.o: $(B)/%.c $(B)/replc.tab.h $(B)/replc.yy.h $(HDRS)
	$(CC) $(CFLAGS) $(STD) $(WARN) -Wno-unused-function -Wno-sign-compare -Wno-unused-parameter $(CPPFLAGS) -c -o $@ $<

# src/sh/*.sh embedded as C strings (tools/embed.sh); editing a .sh rebuilds
SH_FILES = $(sort $(wildcard src/sh/*.sh))
OBJS    += $(B)/sh_templates.o
$(B)/sh_templates.c: $(SH_FILES) tools/embed.sh
	@mkdir -p $(B)
	sh tools/embed.sh $(SH_FILES) > $@.tmp && mv $@.tmp $@

$(B)/sh_templates.o: $(B)/sh_templates.c src/shtpl.h
	$(CC) $(CFLAGS) $(STD) $(WARN) $(CPPFLAGS) -c -o $@ $<

$(B)/%.o: src/%.c $(B)/replc.tab.h $(B)/replc.yy.h $(HDRS)
	@mkdir -p $(B)
	$(CC) $(CFLAGS) $(STD) $(WARN) $(CPPFLAGS) -c -o $@ $<

$(B)/libreplc.a: $(OBJS)
	ar rcs $@ $^

$(B)/replc: $(B)/main.o $(B)/libreplc.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(B)/main.o $(B)/libreplc.a $(LDLIBS)

replc: $(B)/replc
	cp $(B)/replc replc.tmp && mv replc.tmp replc

$(B)/unit/%: tests/unit/%.c tests/unit/unit.h $(B)/libreplc.a
	@mkdir -p $(B)/unit
	$(CC) $(CFLAGS) $(STD) $(WARN) $(CPPFLAGS) -Itests/unit $(LDFLAGS) -o $@ $< $(B)/libreplc.a $(LDLIBS)

units: $(UNITS)

deps:
	@sh tools/deps.sh build

run: deps
	$(MAKE) replc
	rm -rf out
	./replc examples/topology.rc -o out
	cat out/plan.txt

check: deps
	@sh tools/deps.sh test
	$(MAKE) replc units
	$(MAKE) B=build-asan SAN=1 build-asan/replc units
	sh tests/run.sh

update-golden: replc
	sh tests/update-golden.sh

bench: replc
	sh bench/compile.sh

clean:
	rm -rf build build-asan replc out tests/tmp
