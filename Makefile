# replc: plain Makefile.
#   make             build ./replc
#   make run         install what is missing, build, compile examples/topology.rc into out/
#   make test        build, run the tests that need no root and no server (unit, golden,
#                    diagnostics, promises, command line, install, man page) in seconds
#   make check       install what is missing, run every test (the above, sanitizers,
#                    valgrind, the man page's lint, real servers)
#   make install     install bin/replc, the man page and the bash completion under
#                    $(DESTDIR)$(PREFIX) (PREFIX=/usr/local); make uninstall removes them
#   make lint-man    check docs/replc.1 with mandoc -Tlint, and that it documents every option
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
DEPFLAGS = -MMD -MP
PREFIX  ?= /usr/local
DESTDIR ?=
BINDIR   = $(PREFIX)/bin
MAN1DIR  = $(PREFIX)/share/man/man1
BASHCOMPDIR = $(PREFIX)/share/bash-completion/completions
ifeq ($(SAN),1)
CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=address,undefined
endif

SRCS  = $(filter-out src/main.c,$(wildcard src/*.c))
OBJS  = $(patsubst src/%.c,$(B)/%.o,$(SRCS)) $(B)/replc.tab.o $(B)/replc.yy.o
HDRS  = $(wildcard src/*.h grammar/*.h)
# headers generated at build time: made before any compile (order-only below)
GEN_HDRS = $(B)/replc.tab.h $(B)/replc.yy.h
UNITS = $(patsubst tests/unit/%.c,$(B)/unit/%,$(wildcard tests/unit/test_*.c))

.PHONY: all run test check deps update-golden bench clean units asan-check install uninstall lint-man include-check
all: replc

$(B)/replc.tab.c $(B)/replc.tab.h: grammar/replc.y
	@mkdir -p $(B)
	bison -Wall -Werror --defines=$(B)/replc.tab.h -o $(B)/replc.tab.c grammar/replc.y

$(B)/replc.yy.c $(B)/replc.yy.h: grammar/replc.l $(B)/replc.tab.h
	flex --header-file=$(B)/replc.yy.h -o $(B)/replc.yy.c grammar/replc.l

# Header dependencies come from the compiler (-MMD -MP: $(B)/*.d, included
# below). The generated headers are order-only prerequisites, so that they
# exist before the first compile; after that the .d files say who needs them.
# generated code: our warnings, less the unused-function noise flex emits
$(B)/replc.tab.o $(B)/replc.yy.o: $(B)/%.o: $(B)/%.c | $(GEN_HDRS)
	$(CC) $(CFLAGS) $(STD) $(WARN) -Wno-unused-function -Wno-sign-compare -Wno-unused-parameter $(CPPFLAGS) $(DEPFLAGS) -c -o $@ $<

# src/sh/*.sh embedded as C strings (tools/embed.sh); editing a .sh rebuilds
SH_FILES = $(sort $(wildcard src/sh/*.sh))
OBJS    += $(B)/sh_templates.o
$(B)/sh_templates.c: $(SH_FILES) tools/embed.sh
	@mkdir -p $(B)
	sh tools/embed.sh $(SH_FILES) > $@.tmp && mv $@.tmp $@

$(B)/sh_templates.o: $(B)/sh_templates.c
	$(CC) $(CFLAGS) $(STD) $(WARN) $(CPPFLAGS) $(DEPFLAGS) -c -o $@ $<

# every object depends on the Makefile too: a change of flags, or objects from
# before the .d files existed, rebuild them
$(B)/%.o: src/%.c Makefile | $(GEN_HDRS)
	@mkdir -p $(B)
	$(CC) $(CFLAGS) $(STD) $(WARN) $(CPPFLAGS) $(DEPFLAGS) -c -o $@ $<

$(B)/libreplc.a: $(OBJS)
	ar rcs $@ $^

$(B)/replc: $(B)/main.o $(B)/libreplc.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(B)/main.o $(B)/libreplc.a $(LDLIBS)

replc: $(B)/replc
	cp $(B)/replc replc.tmp && mv replc.tmp replc

$(B)/unit/%: tests/unit/%.c $(B)/libreplc.a | $(GEN_HDRS)
	@mkdir -p $(B)/unit
	$(CC) $(CFLAGS) $(STD) $(WARN) $(CPPFLAGS) -Itests/unit $(DEPFLAGS) -MF $@.d -MT $@ $(LDFLAGS) -o $@ $< $(B)/libreplc.a $(LDLIBS)

-include $(wildcard $(B)/*.d $(B)/unit/*.d)

units: $(UNITS)

deps:
	@sh tools/deps.sh build

run: deps
	$(MAKE) replc
	rm -rf out
	./replc examples/topology.rc -o out
	cat out/plan.txt

# no deps, no root, no server: the fast suites on the normal build
test: include-check replc units
	sh tests/run.sh fast

check: deps include-check
	@sh tools/deps.sh test
	$(MAKE) replc units
	$(MAKE) B=build-asan SAN=1 build-asan/replc units
	sh tests/run.sh

include-check:
	sh tools/include-cycles.sh

lint-man: replc
	sh tests/man.sh ./replc

install: $(B)/replc
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MAN1DIR) $(DESTDIR)$(BASHCOMPDIR)
	install -m 755 $(B)/replc $(DESTDIR)$(BINDIR)/replc
	install -m 644 docs/replc.1 $(DESTDIR)$(MAN1DIR)/replc.1
	install -m 644 completions/replc.bash $(DESTDIR)$(BASHCOMPDIR)/replc

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/replc $(DESTDIR)$(MAN1DIR)/replc.1 $(DESTDIR)$(BASHCOMPDIR)/replc

update-golden: replc
	sh tests/update-golden.sh

bench: replc
	sh bench/compile.sh

clean:
	rm -rf build build-asan build-fuzz replc out tests/tmp

# --- fuzzing: libFuzzer targets in tests/fuzz/, built with clang in build-fuzz/ ---
#   make fuzz [FUZZ_SECONDS=60]   build the targets and run each for FUZZ_SECONDS
#   make fuzz-build               only build them
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_CFLAGS   = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_BINS     = build-fuzz/fuzz_parse build-fuzz/fuzz_check build-fuzz/fuzz_pipeline

.PHONY: fuzz fuzz-build fuzz-lib
fuzz-lib:
	@$(MAKE) --no-print-directory B=build-fuzz CC=$(FUZZ_CC) \
	    CFLAGS='$(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link' build-fuzz/libreplc.a

build-fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h fuzz-lib
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $(STD) $(WARN) -Isrc -Ibuild-fuzz -Igrammar -I$(PG_INC) \
	    -o $@ $< build-fuzz/libreplc.a $(LDLIBS)

fuzz-build: $(FUZZ_BINS)

fuzz: fuzz-build
	FUZZ_SECONDS=$(FUZZ_SECONDS) sh tests/fuzz/run.sh
