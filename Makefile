# SPDX-License-Identifier: Apache-2.0
# ward: an OCI runtime with a seccomp-notify supervisor.
#
#   make                 build build/ward
#   make check           install missing Debian packages, build, run every test (normal + ASan/UBSan)
#   make demo            build and run a real container from an embedded busybox bundle
#   make san             sanitizer build in build-san/
#   make fuzz            run the config-parser fuzzer for FUZZ_SECONDS (default 60)
#   make install         install into $(DESTDIR)$(PREFIX)
#   make format          clang-format every source file (format-check verifies)

PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
LIBEXECDIR ?= $(PREFIX)/libexec/ward
MANDIR   ?= $(PREFIX)/share/man
DESTDIR  ?=
CC       ?= gcc
SAN      ?= 0
BUILD    ?= $(if $(filter 1,$(SAN)),build-san,build)

PKGS     := libseccomp yajl libcap
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
# ward itself is a static PIE: a dynamic ward spent ~1.7 ms of every exec (and `ward run`
# execs it twice: once from the caller, once from its sealed copy) loading and relocating
# libc, libseccomp, libyajl, libcap and libmount's libblkid/libselinux/libpcre2. Debian ships
# the static archives of the first four (libseccomp-dev, libyajl-dev, libcap-dev); mounts
# are parsed by ward's own code. With musl-gcc it is linked against musl (see below); else
# against static glibc. The sanitizer build stays dynamic (ASan needs it).
ifeq ($(SAN),1)
WARD_LINK  := $(PKG_LIBS)
else
WARD_LINK  := -static-pie $(shell pkg-config --libs --static libseccomp libcap 2>/dev/null) \
              $$($(CC) -print-file-name=libyajl_s.a)
endif

VERSION  := $(shell cat VERSION)
COMMIT   := $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)

WARN     := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-format-nonliteral \
            -Wmissing-prototypes -Wstrict-prototypes -Wvla
HARDEN   := -fstack-protector-strong -fPIE -fno-strict-overflow -fno-delete-null-pointer-checks
LDHARDEN := -pie -Wl,-z,relro -Wl,-z,now -Wl,-z,noexecstack
ifeq ($(SAN),1)
OPT      := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
LDSAN    := -fsanitize=address,undefined
else
OPT      := -O2 -g -D_FORTIFY_SOURCE=2
LDSAN    :=
endif

CFLAGS_ALL  := -std=gnu11 -D_GNU_SOURCE $(OPT) $(WARN) $(HARDEN) $(PKG_CFLAGS) \
               -DWARD_VERSION='"$(VERSION)"' -DWARD_COMMIT='"$(COMMIT)"' -I. $(CFLAGS)
LDFLAGS_ALL := $(LDHARDEN) $(LDSAN) $(LDFLAGS)

COMMON_SRC  := $(wildcard common/*.c)
OCI_SRC     := $(wildcard oci-spec/*.c)
RUNTIME_SRC := $(wildcard runtime/*.c)
SHIM_SRC    := $(wildcard shim/*.c)
UNIT_SRC    := $(wildcard tests/unit/test_*.c)

LIB_OBJ     := $(patsubst %.c,$(BUILD)/%.o,$(COMMON_SRC) $(OCI_SRC) \
                 $(filter-out shim/main.c,$(SHIM_SRC)) $(filter-out runtime/main.c,$(RUNTIME_SRC)))
WARD_OBJ    := $(BUILD)/runtime/main.o
UNIT_BINS   := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))

.PHONY: all san check check-unit check-engines tools bench check-integration demo fuzz install uninstall clean format \
        format-check deps helpers bundle

all: $(BUILD)/ward $(BUILD)/ward-supervisor $(BUILD)/libward.a $(BUILD)/ward-dynamic

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

$(BUILD)/libward.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

# The same program linked dynamically, for valgrind only: in a static binary memcheck cannot
# replace malloc and free, so it could not see a leak. Never installed.
$(BUILD)/ward-dynamic: $(WARD_OBJ) $(BUILD)/libward.a
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(PKG_LIBS)

# ward-supervisor: one runs beside every supervised container, so it is its own small
# program (shim/ + the policy code + common/, no libcap). With musl-gcc (Debian
# musl-tools) it is a static-PIE musl binary (~0.4 MB resident when idle; as a dynamic
# glibc program it was ~2.6 MB) linked with Debian's static libyajl and libseccomp;
# without musl-gcc, and under SAN=1, it is the same code linked dynamically against glibc.
# A new shim/ file that needs another runtime/ file adds it to SUP_EXTRA_SRC.
SUP_EXTRA_SRC := $(COMMON_SRC) $(wildcard runtime/policy_*.c) runtime/ward_filter.c \
                 $(wildcard runtime/cgroup*.c) runtime/mountinfo.c
MUSL_GCC ?= $(shell command -v musl-gcc 2>/dev/null)
$(BUILD)/runtime/supervisor_client.o: CFLAGS_ALL += -DWARD_LIBEXECDIR='"$(LIBEXECDIR)"'
ifeq ($(SAN)$(if $(MUSL_GCC),1,0),01)
MUSL_LIB    := /usr/lib/x86_64-linux-musl
MUSL_INC    := $(BUILD)/musl/include
MUSL_CFLAGS := -std=gnu11 -D_GNU_SOURCE -O2 -g $(WARN) $(HARDEN) -I. -isystem shim/musl \
               -isystem $(MUSL_INC) -isystem $(MUSL_INC)/yajl -include shim/musl/compat.h \
               -DWARD_VERSION='"$(VERSION)"' -DWARD_COMMIT='"$(COMMIT)"' $(CFLAGS)
SUP_MUSL_OBJ := $(patsubst %.c,$(BUILD)/musl/%.o,$(filter-out shim/main.c,$(SHIM_SRC)) \
                  $(SUP_EXTRA_SRC))
WARD_MUSL_OBJ := $(patsubst %.c,$(BUILD)/musl/%.o,$(COMMON_SRC) $(OCI_SRC) $(RUNTIME_SRC))
$(BUILD)/musl/runtime/supervisor_client.o: MUSL_CFLAGS += -DWARD_LIBEXECDIR='"$(LIBEXECDIR)"'
# musl's include dir has no kernel, yajl, libseccomp or libcap headers: links to the system's
$(MUSL_INC)/.stamp-v2:
	@mkdir -p $(MUSL_INC)/sys
	for h in linux asm-generic yajl seccomp.h seccomp-syscalls.h; do \
	  ln -sfn /usr/include/$$h $(MUSL_INC)/$$h; done
	ln -sfn /usr/include/x86_64-linux-gnu/asm $(MUSL_INC)/asm
	ln -sfn /usr/include/sys/capability.h $(MUSL_INC)/sys/capability.h
	@touch $@
$(BUILD)/musl/%.o: %.c $(MUSL_INC)/.stamp-v2
	@mkdir -p $(dir $@)
	$(MUSL_GCC) $(MUSL_CFLAGS) -MMD -MP -c $< -o $@
$(BUILD)/musl/libsup.a: $(SUP_MUSL_OBJ)
	@rm -f $@
	ar rcs $@ $^
# static PIE by hand: Debian's musl-gcc specs know only -static (rcrt1.o relocates itself);
# $(1): archives beyond libyajl and libseccomp
musl_link = $(MUSL_GCC) -nostdlib -nostartfiles -Wl,-static,-pie,--no-dynamic-linker,-z,text \
	  -Wl,-z,relro,-z,now,-z,noexecstack $(LDFLAGS) -o $@ $(MUSL_LIB)/rcrt1.o \
	  $(MUSL_LIB)/crti.o $$($(CC) -print-file-name=crtbeginS.o) $^ $(1) \
	  $$($(CC) -print-file-name=libyajl_s.a) $$($(CC) -print-file-name=libseccomp.a) \
	  $(MUSL_LIB)/libc.a $$($(CC) -print-libgcc-file-name) \
	  $$($(CC) -print-file-name=crtendS.o) $(MUSL_LIB)/crtn.o
$(BUILD)/ward-supervisor: $(BUILD)/musl/shim/main.o $(BUILD)/musl/libsup.a \
                          $(BUILD)/musl/shim/musl/glibc_fortify.o
	$(call musl_link,)
# ward against musl too: glibc's start-up asks the CPU for its features and cache sizes
# (dozens of CPUID instructions, each a hypervisor exit in a VM: ~0.8 ms of every exec
# here); musl asks nothing. Debian's libcap.a is linked as it is, like libyajl and
# libseccomp (glibc_fortify.c has the checked calls they make).
$(BUILD)/ward: $(WARD_MUSL_OBJ) $(BUILD)/musl/shim/musl/glibc_fortify.o
	$(call musl_link,$$($(CC) -print-file-name=libcap.a))
else
$(BUILD)/ward-supervisor: $(BUILD)/shim/main.o $(BUILD)/libward.a
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(shell pkg-config --libs libseccomp yajl 2>/dev/null)
$(BUILD)/ward: $(WARD_OBJ) $(BUILD)/libward.a
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(WARD_LINK)
endif

# Test programs format socket paths into fixed buffers on purpose; gcc's truncation guess is noise.
$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libward.a $(wildcard tests/unit/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -Wno-format-truncation $(LDFLAGS_ALL) -o $@ $< $(BUILD)/libward.a $(PKG_LIBS)

# Static helpers that run inside busybox containers (busybox has no dynamic loader).
HELPERS := $(patsubst tests/helpers/%.c,$(BUILD)/helpers/%,$(wildcard tests/helpers/*.c))
$(BUILD)/helpers/%: tests/helpers/%.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -static -o $@ $<
helpers: $(HELPERS)

# Host-side test tools (console-socket receiver ...), dynamically linked.
TOOLS := $(patsubst tests/tools/%.c,$(BUILD)/tools/%,$(wildcard tests/tools/*.c))
$(BUILD)/tools/%: tests/tools/%.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -D_GNU_SOURCE -O2 $(WARN) -o $@ $<
tools: $(TOOLS)

unit: $(UNIT_BINS)

san:
	$(MAKE) SAN=1 all unit

deps:
	scripts/install-deps

# The whole suite, engines included: their packages are installed (Debian) and their tests
# must run, not skip.
check:
	scripts/install-deps --engines
	$(MAKE) all unit helpers tools
	$(MAKE) SAN=1 all unit
	WARD_DEPS_ENGINES=1 tests/run

check-unit: all unit
	tests/run --unit-only

ENGINE_TESTS := $(addprefix tests/integration/,ctr.bats cri.bats docker.bats podman.bats tty.bats)

# The engine tests alone (also part of `make check`): containerd (ctr and CRI), dockerd,
# podman, each started privately by the tests, with runc as the control.
check-engines:
	scripts/install-deps --engines
	$(MAKE) all helpers tools
	WARD_DEPS_ENGINES=1 tests/run $(ENGINE_TESTS)

demo: deps all
	scripts/demo

# ward against runc, crun and runsc side by side (bench/README.md); BENCH_ARGS=--smoke for a tiny run
bench: all helpers
	scripts/install-deps --bench
	bench/run $(BENCH_ARGS)

FUZZ_SECONDS ?= 60
fuzz:
	@mkdir -p build-fuzz
	clang -std=gnu11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined -I. $(PKG_CFLAGS) \
	  -o build-fuzz/fuzz_config tests/fuzz/fuzz_config.c $(COMMON_SRC) $(OCI_SRC) $(PKG_LIBS)
	@mkdir -p build-fuzz/corpus
	cp -n tests/data/configs/valid/*.json tests/data/configs/malformed/*.json build-fuzz/corpus/ 2>/dev/null || true
	build-fuzz/fuzz_config -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -timeout=10 \
	  -rss_limit_mb=2048 build-fuzz/corpus

install: all
	install -D -m 0755 $(BUILD)/ward $(DESTDIR)$(BINDIR)/ward
	install -D -m 0755 $(BUILD)/ward-supervisor $(DESTDIR)$(LIBEXECDIR)/ward-supervisor
	@if [ -d contrib/man ]; then for m in contrib/man/*.[0-9]; do \
	  install -D -m 0644 $$m $(DESTDIR)$(MANDIR)/man$${m##*.}/$$(basename $$m); done; fi

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/ward $(DESTDIR)$(LIBEXECDIR)/ward-supervisor

clean:
	rm -rf build build-san build-fuzz tests/out

FORMAT_FILES = $(shell git ls-files '*.c' '*.h' 2>/dev/null)
format:
	clang-format -i $(FORMAT_FILES)
format-check:
	@clang-format --dry-run --Werror $(FORMAT_FILES)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
