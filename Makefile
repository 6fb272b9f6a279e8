# infercast: build every filter into bin/, test, install.
PREFIX   ?= /usr/local
DESTDIR  ?=
CC       ?= cc
SANITIZE ?=

PKGS     := libcjson
CJSON_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
CJSON_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lcjson)
# The Parquet tables (lib/perf/parquet: ZSTD and SNAPPY pages) and the YAML beside them (lib/perf/perftree);
# libyaml also writes the deployment files (lib/deploy/deploy_yaml).
# libsnappy (C++, so libstdc++ with it) is opened by lib/perf/parquet on the first SNAPPY page rather
# than linked into every tool; the tests and fuzz harnesses that write SNAPPY pages link it.
DATA_PKGS    := libzstd snappy yaml-0.1
DATA_CFLAGS  := $(shell pkg-config --cflags $(DATA_PKGS) 2>/dev/null)
DATA_LIBS    := $(shell pkg-config --libs libzstd yaml-0.1 2>/dev/null || echo -lzstd -lyaml)
SNAPPY_LIBS  := $(shell pkg-config --libs snappy 2>/dev/null || echo -lsnappy)

CFLAGS   ?= -O2 -g
# lib/ is grouped by pipeline stage (docs/architecture.md); every stage's headers are on the path
LIB_DIRS := $(sort $(dir $(wildcard lib/*/*.c)))
LIB_INC  := $(patsubst %/,-I%,$(LIB_DIRS))
CFLAGS   += -std=c17 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror $(LIB_INC) $(CJSON_CFLAGS) $(DATA_CFLAGS) -MMD -MP
# zstd, yaml and csv come from their static archives when Debian's -dev packages ship them
# (libzstd-dev, libyaml-dev and libcsv-dev do; libcjson-dev does not, and a static libm does not
# link with a shared libc): each shared library costs every process its opening, mappings and
# relocations at start-up (query: 3 libraries to load instead of 5; bench/README.md, "Start-up").
# STATIC_DATA=0 links them shared.
STATIC_DATA ?= $(if $(and $(wildcard $(shell $(CC) -print-file-name=libzstd.a)),$(wildcard $(shell $(CC) -print-file-name=libyaml.a)),$(wildcard $(shell $(CC) -print-file-name=libcsv.a))),1,0)
ifeq ($(STATIC_DATA),1)
LDLIBS   += $(CJSON_LIBS) -Wl,-Bstatic $(DATA_LIBS) -lcsv -Wl,-Bdynamic -lm
else
LDLIBS   += $(CJSON_LIBS) $(DATA_LIBS) -lcsv -lm
endif
# libyaml (in DATA_LIBS for every tool): expyaml reads the reference's experiments files with it
YAML_CFLAGS := $(shell pkg-config --cflags yaml-0.1 2>/dev/null)
YAML_LIBS   := $(shell pkg-config --libs yaml-0.1 2>/dev/null || echo -lyaml)
# Where `make install` puts systems/ and data/: the last place lib/perf/systems and lib/perf/datadir look.
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
LIB_SRC  := $(wildcard lib/*/*.c)
LIB_OBJ  := $(patsubst lib/%.c,$(BUILD)/lib/%.o,$(LIB_SRC))
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNITS    := $(patsubst tests/unit/%.c,$(BUILD)/unit/%,$(UNIT_SRC))
TOOLS    := $(patsubst tests/tools/%.c,build/tools/%,$(wildcard tests/tools/*.c))

.PHONY: all test unit bats parity install uninstall clean check-sanitize check-valgrind bench fuzz cppcheck data
all: $(BINS)

# A sanitizer build keeps its objects apart, so bin/ always matches the last flags.
# bin/.flavour-NAME says which object folder bin/ was linked from: switching between a plain and a
# sanitizer build replaces the stamp, and the newer stamp relinks every filter.
FLAVOUR  := bin/.flavour-$(notdir $(BUILD))
bin/%: $(BUILD)/filters/%.o $(BUILD)/libinfercast.a $(FLAVOUR) | bin
	$(CC) $(LDFLAGS) -o $@ $(filter-out $(FLAVOUR),$^) $(LDLIBS)

bin/expyaml: LDLIBS += $(YAML_LIBS)
# deploygen writes the agg and disagg folders side by side (lib/deploy/deploy_modes)
bin/deploygen: LDLIBS += -pthread
$(BUILD)/filters/expyaml.o: CFLAGS += $(YAML_CFLAGS)

# paretoplot draws its PNG with libgd (lib/sweep/plot_draw, the only module that includes gd.h).
# Debian's libgd.so pulls in some 50 libraries (FreeType, fontconfig, the image formats) whose
# loading is two thirds of a run (12 ms against 4); its static archive needs only libpng and zlib
# for what plot_draw calls. STATIC_GD=0 links the shared one.
GD_CFLAGS := $(shell pkg-config --cflags gdlib 2>/dev/null)
STATIC_GD ?= $(if $(wildcard $(shell $(CC) -print-file-name=libgd.a)),1,0)
ifeq ($(STATIC_GD),1)
GD_LIBS   := -Wl,-Bstatic -lgd -Wl,-Bdynamic $(shell pkg-config --libs libpng 2>/dev/null || echo -lpng) -lz -lm
else
GD_LIBS   := $(shell pkg-config --libs gdlib 2>/dev/null || echo -lgd)
endif
bin/paretoplot: LDLIBS += $(GD_LIBS)
$(BUILD)/lib/sweep/plot_draw.o: CFLAGS += $(GD_CFLAGS)

$(FLAVOUR): | bin
	rm -f bin/.flavour-*
	touch $@

# Rebuilt from scratch: `ar rcs` alone keeps the members of renamed or deleted modules, whose
# symbols then clash with their new homes.
$(BUILD)/libinfercast.a: $(LIB_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

# lib/perf/table_cache stamps its files with a checksum of the library's sources, so that tables
# cached by other loaders are never read back; the object is rebuilt whenever lib/ changes.
LIB_ID := $(shell cat $(sort $(wildcard lib/*/*.c lib/*/*.h)) | cksum | cut -d' ' -f1)
$(BUILD)/lib/perf/table_cache.o: CFLAGS += -DINFERCAST_LIB_ID='"$(LIB_ID)"'
$(BUILD)/lib/perf/table_cache.o: $(wildcard lib/*/*.c lib/*/*.h)

$(BUILD)/unit/%: $(BUILD)/tests/unit/%.o $(BUILD)/libinfercast.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(SNAPPY_LIBS)

bin:
	@mkdir -p bin

# Test helpers (never installed): always a plain build, whatever SANITIZE says.
build/tools/%: tests/tools/%.c
	@mkdir -p $(dir $@)
	$(CC) -O2 -std=c17 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror $(LIB_INC) $(CJSON_CFLAGS) $(TOOL_CFLAGS) -o $@ $< $(CJSON_LIBS) $(TOOL_LIBS)

# pngcount reads the pictures paretoplot writes (tests/paretoplot.bats)
build/tools/pngcount: TOOL_CFLAGS = $(GD_CFLAGS)
build/tools/pngcount: TOOL_LIBS = $(GD_LIBS)

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
COLLECT_C   := collect/collect.c collect/collect_plan.c collect/collect_out.c lib/util/diag.c
COLLECT_H   := $(wildcard collect/*.h) lib/util/diag.h
COLLECT_CFLAGS := -O2 -g -std=c17 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror -Ilib/util -Icollect
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
		  --inline-suppr $(LIB_INC) --library=tests/cppcheck/infercast.cfg --suppress=missingIncludeSystem \
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
FUZZ_CFLAGS  := -g -O1 -std=c17 -D_POSIX_C_SOURCE=200809L -Wall -Wextra $(LIB_INC) $(CJSON_CFLAGS) $(DATA_CFLAGS) \
		-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer \
		-DFUZZ_ROOT='"$(CURDIR)"' -DINFERCAST_SHARE_DIR='"$(PREFIX)/share/infercast"'
FUZZ_LIB_OBJ := $(patsubst lib/%.c,build/fuzz/lib/%.o,$(LIB_SRC))
FUZZ_BINS    := $(patsubst fuzz/%.c,build/fuzz/%,$(wildcard fuzz/fuzz_*.c))

fuzz: $(FUZZ_BINS)

build/fuzz/lib/%.o: lib/%.c $(wildcard lib/*/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

build/fuzz/libinfercast.a: $(FUZZ_LIB_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

build/fuzz/fuzz_paretoplot: LDLIBS += $(GD_LIBS)
build/fuzz/fuzz_%: fuzz/fuzz_%.c fuzz/fuzz_common.h build/fuzz/libinfercast.a $(wildcard filters/*.c)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -Wl,--wrap=exit,--wrap=finish_stdout -o $@ $< \
		build/fuzz/libinfercast.a $(LDLIBS) $(SNAPPY_LIBS)

# Installed layout (lib/util/sharedir finds share/ from the executable, so any PREFIX works, staged
# under DESTDIR or moved, without a rebuild): the filters and pipelines under their own names in
# $(PREFIX)/lib/infercast/bin (put it on PATH to use `hfparse | opgraph | query | aggregate`),
# `infercast-NAME` links to them in $(PREFIX)/bin (no clash with other `query` or `sweep`
# commands), man pages as infercast-NAME(1), specs in $(PREFIX)/share/infercast/systems.
LIBEXEC   := $(PREFIX)/lib/infercast/bin
PIPELINES := $(filter-out %Makefile %.mk,$(wildcard pipelines/*))
COMMANDS  := $(FILTERS) $(notdir $(PIPELINES))

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(LIBEXEC) $(DESTDIR)$(PREFIX)/share/infercast/systems/kernel_sources \
		$(DESTDIR)$(PREFIX)/share/infercast/systems/current \
		$(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man5
	install -m 755 $(BINS) $(PIPELINES) $(DESTDIR)$(LIBEXEC)
	for c in $(COMMANDS); do ln -sf ../lib/infercast/bin/$$c $(DESTDIR)$(PREFIX)/bin/infercast-$$c; done
	install -m 644 systems/*.json $(DESTDIR)$(PREFIX)/share/infercast/systems
	install -m 644 systems/kernel_sources/*.json $(DESTDIR)$(PREFIX)/share/infercast/systems/kernel_sources
	install -m 644 systems/current/*.json $(DESTDIR)$(PREFIX)/share/infercast/systems/current
	for m in models/*/; do install -d $(DESTDIR)$(PREFIX)/share/infercast/$$m && \
	  install -m 644 $$m*.json $(DESTDIR)$(PREFIX)/share/infercast/$$m || exit 1; done
	install -d $(DESTDIR)$(PREFIX)/share/infercast/params
	install -m 644 params/load_model.json $(DESTDIR)$(PREFIX)/share/infercast/params
	for m in man/*.1; do install -m 644 $$m $(DESTDIR)$(PREFIX)/share/man/man1/infercast-$$(basename $$m); done
	install -m 644 man/*.5 $(DESTDIR)$(PREFIX)/share/man/man5

# The reference's current perf-data tree (docs/data.md): its systems folder (Parquet tables in
# data/, reuse.yaml, the reuse manifest, specs) at a pinned commit, by a shallow sparse checkout
# (the tables are plain git files), into DATA_DIR: by default the installed data folder, the last
# place the tools look. `make data DATA_DIR=../data-aic` puts it anywhere.
AIC_REPO   ?= https://github.com/ai-dynamo/aiconfigurator.git
AIC_COMMIT ?= 095f58a51c4ca8e61b66ec108d86f223f8d559ce
AIC_PATH   ?= aic-core/src/aiconfigurator_core/systems
DATA_DIR   ?= $(DESTDIR)$(PREFIX)/share/infercast/data
data:
	@set -e; tmp=$$(mktemp -d "$${TMPDIR:-/tmp}/infercast-data.XXXXXX"); trap 'rm -rf "$$tmp"' EXIT; \
	git -C "$$tmp" init -q; \
	git -C "$$tmp" remote add origin "$(AIC_REPO)"; \
	git -C "$$tmp" sparse-checkout set "$(AIC_PATH)"; \
	git -C "$$tmp" -c protocol.version=2 fetch -q --depth 1 --filter=blob:none origin "$(AIC_COMMIT)"; \
	git -C "$$tmp" checkout -q FETCH_HEAD; \
	test -d "$$tmp/$(AIC_PATH)/data" || { echo "make data: $(AIC_REPO) at $(AIC_COMMIT) has no $(AIC_PATH)/data" >&2; exit 1; }; \
	if grep -rlq '^version https://git-lfs' "$$tmp/$(AIC_PATH)/data" 2>/dev/null; then \
		echo "make data: $(AIC_PATH)/data holds Git LFS pointers, not tables" >&2; exit 1; fi; \
	rm -rf "$(DATA_DIR).new"; mkdir -p "$$(dirname "$(DATA_DIR)")"; \
	cp -R "$$tmp/$(AIC_PATH)" "$(DATA_DIR).new"; \
	rm -rf "$(DATA_DIR)"; mv "$(DATA_DIR).new" "$(DATA_DIR)"; \
	echo "make data: $(AIC_PATH) of $(AIC_REPO) at $(AIC_COMMIT) in $(DATA_DIR)"

# share/infercast/data is the user's (make install never writes it): only what install wrote goes.
uninstall:
	for c in $(COMMANDS); do rm -f $(DESTDIR)$(LIBEXEC)/$$c $(DESTDIR)$(PREFIX)/bin/infercast-$$c; done
	rmdir $(DESTDIR)$(LIBEXEC) $(DESTDIR)$(PREFIX)/lib/infercast 2>/dev/null || true
	rm -rf $(DESTDIR)$(PREFIX)/share/infercast/systems $(DESTDIR)$(PREFIX)/share/infercast/params \
		$(DESTDIR)$(PREFIX)/share/infercast/models
	rmdir $(DESTDIR)$(PREFIX)/share/infercast 2>/dev/null || true
	for m in man/*.1; do rm -f $(DESTDIR)$(PREFIX)/share/man/man1/infercast-$$(basename $$m); done
	for m in man/*.5; do rm -f $(DESTDIR)$(PREFIX)/share/man/man5/$$(basename $$m); done

clean:
	rm -rf build bin

-include $(shell find build -name '*.d' 2>/dev/null)
