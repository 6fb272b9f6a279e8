# infercast: build every filter into bin/, test, install.
PREFIX   ?= /usr/local
DESTDIR  ?=
CC       ?= cc
SANITIZE ?=

PKGS     := libcjson
CJSON_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
CJSON_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lcjson)

CFLAGS   ?= -O2 -g
CFLAGS   += -std=c17 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror -Ilib $(CJSON_CFLAGS) -MMD -MP
LDLIBS   += $(CJSON_LIBS) -lcsv -lm
# libyaml: only expyaml (the reference's experiments files) links it
YAML_CFLAGS := $(shell pkg-config --cflags yaml-0.1 2>/dev/null)
YAML_LIBS   := $(shell pkg-config --libs yaml-0.1 2>/dev/null || echo -lyaml)
# Where `make install` puts systems/ and data/: the last place lib/systems and lib/datadir look.
CFLAGS   += -DINFERCAST_SHARE_DIR='"$(PREFIX)/share/infercast"'
ifneq ($(SANITIZE),)
CFLAGS   += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS  += -fsanitize=$(SANITIZE)
# One object folder per sanitizer set: objects built with other flags are never reused.
comma    := ,
BUILD    := build/san-$(subst $(comma),-,$(SANITIZE))
else
BUILD    := build/rel
endif

FILTERS  := $(patsubst filters/%.c,%,$(wildcard filters/*.c))
BINS     := $(addprefix bin/,$(FILTERS))
LIB_SRC  := $(wildcard lib/*.c)
LIB_OBJ  := $(patsubst lib/%.c,$(BUILD)/lib/%.o,$(LIB_SRC))
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNITS    := $(patsubst tests/unit/%.c,$(BUILD)/unit/%,$(UNIT_SRC))
TOOLS    := $(patsubst tests/tools/%.c,build/tools/%,$(wildcard tests/tools/*.c))

.PHONY: all test unit bats parity install uninstall clean check-sanitize check-valgrind bench fuzz cppcheck
all: $(BINS)

# A sanitizer build keeps its objects apart, so bin/ always matches the last flags.
# bin/.flavour-NAME says which object folder bin/ was linked from: switching between a plain and a
# sanitizer build replaces the stamp, and the newer stamp relinks every filter.
FLAVOUR  := bin/.flavour-$(notdir $(BUILD))
bin/%: $(BUILD)/filters/%.o $(BUILD)/libinfercast.a $(FLAVOUR) | bin
	$(CC) $(LDFLAGS) -o $@ $(filter-out $(FLAVOUR),$^) $(LDLIBS)

bin/expyaml: LDLIBS += $(YAML_LIBS)
$(BUILD)/filters/expyaml.o: CFLAGS += $(YAML_CFLAGS)

$(FLAVOUR): | bin
	rm -f bin/.flavour-*
	touch $@

$(BUILD)/libinfercast.a: $(LIB_OBJ)
	$(AR) rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

# lib/table_cache stamps its files with a checksum of the library's sources, so that tables
# cached by other loaders are never read back; the object is rebuilt whenever lib/ changes.
LIB_ID := $(shell cat $(sort $(wildcard lib/*.c lib/*.h)) | cksum | cut -d' ' -f1)
$(BUILD)/lib/table_cache.o: CFLAGS += -DINFERCAST_LIB_ID='"$(LIB_ID)"'
$(BUILD)/lib/table_cache.o: $(wildcard lib/*.c lib/*.h)

$(BUILD)/unit/%: $(BUILD)/tests/unit/%.o $(BUILD)/libinfercast.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

bin:
	@mkdir -p bin

# Test helpers (never installed): always a plain build, whatever SANITIZE says.
build/tools/%: tests/tools/%.c
	@mkdir -p $(dir $@)
	$(CC) -O2 -std=c17 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror -Ilib $(CJSON_CFLAGS) -o $@ $< $(CJSON_LIBS)

# Tests: unit tests of lib/, then BATS for filters and pipelines, then parity over the goldens.
test: all $(UNITS) $(TOOLS) $(COLLECT_NOGPU)
	@set -e; for t in $(UNITS); do echo "unit: $$t"; INFERCAST_CACHE=off $$t; done
	bats tests

unit: $(UNITS)
	@set -e; for t in $(UNITS); do INFERCAST_CACHE=off $$t; done

# collect (collect/, docs/collect.md) measures perf tables on the local GPU. `make collect` builds
# bin/collect with nvcc and cuBLASLt; nothing else needs CUDA. The tests use build/collect/nogpu/collect,
# the same program with collect/gpu_none.c standing in for the GPU.
NVCC        ?= $(shell command -v nvcc 2>/dev/null || echo /usr/local/cuda/bin/nvcc)
CUDA_HOME   ?= $(patsubst %/bin/,%,$(dir $(NVCC)))
NVCC_ARCH   ?= -gencode arch=compute_80,code=sm_80 -gencode arch=compute_89,code=sm_89 \
	       -gencode arch=compute_90,code=sm_90 -gencode arch=compute_100,code=sm_100 \
	       -gencode arch=compute_120,code=compute_120
COLLECT_C   := collect/collect.c collect/collect_plan.c collect/collect_out.c lib/diag.c
COLLECT_H   := $(wildcard collect/*.h) lib/diag.h
COLLECT_CFLAGS := -O2 -g -std=c17 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror -Ilib -Icollect
COLLECT_NOGPU  := build/collect/nogpu/collect
COLLECT_OBJ := $(patsubst %.c,build/collect/%.o,$(COLLECT_C))

.PHONY: collect
collect: bin/collect

build/collect/%.o: %.c $(COLLECT_H)
	@mkdir -p $(dir $@)
	$(CC) $(COLLECT_CFLAGS) -c -o $@ $<

build/collect/gpu_cuda.o: collect/gpu_cuda.cu $(COLLECT_H)
	@mkdir -p $(dir $@)
	$(NVCC) -O2 -std=c++17 $(NVCC_ARCH) -Icollect -c -o $@ $<

bin/collect: $(COLLECT_OBJ) build/collect/gpu_cuda.o | bin
	$(NVCC) -o $@ $^ -lcublasLt -ldl -lpthread -Xlinker -rpath -Xlinker $(CUDA_HOME)/lib64

$(COLLECT_NOGPU): $(COLLECT_OBJ) build/collect/collect/gpu_none.o
	@mkdir -p $(dir $@)
	$(CC) -o $@ $^ -lm

# GCC's -fsanitize=undefined leaves out float-cast-overflow (a double too large for the integer it
# is cast to), the undefined behaviour bad numbers in records and configs are most likely to cause.
check-sanitize:
	$(MAKE) clean-bin
	SANITIZE=address,undefined,float-cast-overflow $(MAKE) test

clean-bin:
	rm -f $(BINS) bin/.flavour-*

bench: all
	@for b in bench/*; do [ -f "$$b" ] && [ -x "$$b" ] && "$$b"; done; true

# Static analysis: cppcheck on filters/ and lib/ must report nothing. tests/cppcheck/ holds what
# cppcheck cannot see (noreturn functions, cJSON's macro) and the findings we checked and keep.
CPPCHECK_FLAGS := --quiet --std=c11 '-D_Noreturn=__attribute__((noreturn))' --enable=warning,portability,performance \
		  --inline-suppr -Ilib --library=tests/cppcheck/infercast.cfg --suppress=missingIncludeSystem \
		  --suppressions-list=tests/cppcheck/suppressions.txt --error-exitcode=1
cppcheck:
	cppcheck $(CPPCHECK_FLAGS) filters lib

# Every filter's and pipeline's BATS tests with the filters under valgrind (tests/test_helper.bash
# wraps bin/ when VALGRIND is set): any memory error or definite/indirect leak fails a test.
VALGRIND_BATS ?= $(filter-out tests/parity% tests/man.bats,$(wildcard tests/*.bats))
check-valgrind: all $(TOOLS)
	VALGRIND=1 bats $(VALGRIND_BATS)

# Fuzzing (make fuzz; needs clang and libclang-rt-*-dev, only for this target): one libFuzzer
# harness per fuzz/fuzz_*.c, with ASan and UBSan, into build/fuzz/. bench/fuzz runs them.
FUZZ_CC      ?= clang
FUZZ_CFLAGS  := -g -O1 -std=c17 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Ilib $(CJSON_CFLAGS) \
		-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer \
		-DFUZZ_ROOT='"$(CURDIR)"' -DINFERCAST_SHARE_DIR='"$(PREFIX)/share/infercast"'
FUZZ_LIB_OBJ := $(patsubst lib/%.c,build/fuzz/lib/%.o,$(LIB_SRC))
FUZZ_BINS    := $(patsubst fuzz/%.c,build/fuzz/%,$(wildcard fuzz/fuzz_*.c))

fuzz: $(FUZZ_BINS)

build/fuzz/lib/%.o: lib/%.c $(wildcard lib/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

build/fuzz/libinfercast.a: $(FUZZ_LIB_OBJ)
	$(AR) rcs $@ $^

build/fuzz/fuzz_%: fuzz/fuzz_%.c fuzz/fuzz_common.h build/fuzz/libinfercast.a $(wildcard filters/*.c)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -Wl,--wrap=exit,--wrap=finish_stdout -o $@ $< \
		build/fuzz/libinfercast.a $(LDLIBS)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/infercast/systems
	install -m 755 $(BINS) $(DESTDIR)$(PREFIX)/bin
	install -m 644 systems/*.json $(DESTDIR)$(PREFIX)/share/infercast/systems
	install -d $(DESTDIR)$(PREFIX)/share/infercast/systems/kernel_sources
	install -m 644 systems/kernel_sources/*.json $(DESTDIR)$(PREFIX)/share/infercast/systems/kernel_sources
	for m in models/*/; do install -d $(DESTDIR)$(PREFIX)/share/infercast/$$m && \
	  install -m 644 $$m*.json $(DESTDIR)$(PREFIX)/share/infercast/$$m || exit 1; done
	install -d $(DESTDIR)$(PREFIX)/share/infercast/params
	install -m 644 params/load_model.json $(DESTDIR)$(PREFIX)/share/infercast/params
	for p in pipelines/*; do case $$p in *.mk|*Makefile) ;; *) install -m 755 $$p $(DESTDIR)$(PREFIX)/bin/infercast-$$(basename $$p);; esac; done
	if ls man/*.[15] >/dev/null 2>&1; then install -d $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man5; \
	  for m in man/*.1; do [ -e "$$m" ] && install -m 644 $$m $(DESTDIR)$(PREFIX)/share/man/man1; done; \
	  for m in man/*.5; do [ -e "$$m" ] && install -m 644 $$m $(DESTDIR)$(PREFIX)/share/man/man5; done; fi; true

uninstall:
	for f in $(FILTERS); do rm -f $(DESTDIR)$(PREFIX)/bin/$$f; done
	for p in pipelines/*; do rm -f $(DESTDIR)$(PREFIX)/bin/infercast-$$(basename $$p); done
	rm -rf $(DESTDIR)$(PREFIX)/share/infercast
	for m in man/*.1; do rm -f $(DESTDIR)$(PREFIX)/share/man/man1/$$(basename $$m); done
	for m in man/*.5; do rm -f $(DESTDIR)$(PREFIX)/share/man/man5/$$(basename $$m); done

clean:
	rm -rf build bin

-include $(shell find build -name '*.d' 2>/dev/null)
