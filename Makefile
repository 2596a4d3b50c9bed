# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# procscope: one build for the BPF objects, the skeleton, the binary, tests and benchmarks.

OUTPUT   ?= .output
BIN      ?= procscope
CLANG    ?= clang
BPFTOOL  ?= bpftool
CC       ?= cc
ARCH     ?= $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux

WARN     := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wundef \
            -Wformat=2 -Wwrite-strings -Wvla -Wno-unused-parameter
CFLAGS   ?= -g -O2
CFLAGS   += -std=gnu11 $(WARN) $(if $(filter 0,$(WERROR)),,-Werror) -D_GNU_SOURCE
# Each user/ folder is a layer (docs/design.md); sources include headers by name across them
USER_DIRS := $(sort $(dir $(wildcard user/*/*.c user/*/*.h user/groups/*/*.c user/groups/*/*.h)))
USER_INC  := $(patsubst %/,-I%,$(USER_DIRS))
CPPFLAGS += -Iinclude $(USER_INC) -Itests/lib -MMD -MP
LDLIBS   += $(shell pkg-config --libs libbpf 2>/dev/null || echo -lbpf -lelf -lz) -ljson-c -lz -lzstd -pthread
ifdef SANITIZE
CFLAGS   += -fsanitize=$(SANITIZE) -fno-sanitize-recover=all -fno-omit-frame-pointer
LDFLAGS  += -fsanitize=$(SANITIZE)
endif

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

# clang -target bpf loses the arch include dirs (asm/types.h): hand them back (libbpf-bootstrap)
CLANG_BPF_SYS_INCLUDES ?= $(shell $(CLANG) -v -E - </dev/null 2>&1 \
	| sed -n '/<...> search starts here:/,/End of search list./{ s| \(/.*\)|-idirafter \1|p }')

# One translation unit (bpf/procscope.bpf.c includes each group's .bpf.c: see why there)
BPF_SRCS  := bpf/procscope.bpf.c
BPF_OBJS  := $(patsubst bpf/%.bpf.c,$(OUTPUT)/bpf/%.bpf.o,$(BPF_SRCS))

# libprocscope.a, the pure core: the model and everything that reads or writes its results, no
# libbpf, no skeleton (unit tests and fuzzers link it). libpscshell.a: the session (the only
# layer that talks to libbpf), the demos and the commands; procscope is main.o plus both.
LIB_DIRS   := user/core user/groups/* user/sinks user/logread user/lib
CORE_SRCS  := $(wildcard $(addsuffix /*.c,$(LIB_DIRS)))
CORE_OBJS  := $(patsubst user/%.c,$(OUTPUT)/%.o,$(CORE_SRCS))
SHELL_SRCS := $(filter-out user/cli/main.c,$(wildcard user/session/*.c user/demos/*.c user/cli/*.c))
SHELL_OBJS := $(patsubst user/%.c,$(OUTPUT)/%.o,$(SHELL_SRCS))
APP_OBJS   := $(OUTPUT)/cli/main.o
TESTLIB_SRCS := $(wildcard tests/lib/*.c)
TESTLIB_OBJS := $(patsubst tests/lib/%.c,$(OUTPUT)/tests/lib/%.o,$(TESTLIB_SRCS))
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(OUTPUT)/tests/%,$(UNIT_SRCS))
INTEG_SRCS := $(wildcard tests/integration/test_*.c)
INTEG_BINS := $(patsubst tests/integration/%.c,$(OUTPUT)/tests/%,$(INTEG_SRCS))

.PHONY: all deps test test-load unit unit-bins integration check lint format check-format bench clean vmlinux demo fuzz
all: $(BIN)

$(OUTPUT) $(OUTPUT)/bpf $(OUTPUT)/tests:
	$(Q)mkdir -p $@

$(OUTPUT)/bpf/%.bpf.o: bpf/%.bpf.c vmlinux/vmlinux.h | $(OUTPUT)/bpf
	$(call msg,BPF,$@)
	$(Q)$(CLANG) -g -O2 -Wall -Werror -target bpf -D__TARGET_ARCH_$(ARCH) \
		-Iinclude -Ivmlinux $(CLANG_BPF_SYS_INCLUDES) -MMD -MP -c $< -o $@

$(OUTPUT)/procscope.bpf.o: $(BPF_OBJS)
	$(call msg,BPFLINK,$@)
	$(Q)$(BPFTOOL) gen object $@ $^

$(OUTPUT)/procscope.skel.h: $(OUTPUT)/procscope.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name procscope_bpf > $@

# only the loader sees the skeleton
$(OUTPUT)/session/loader.o: $(OUTPUT)/procscope.skel.h
$(OUTPUT)/session/loader.o: CPPFLAGS += -I$(OUTPUT)

$(OUTPUT)/%.o: user/%.c | $(OUTPUT)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(OUTPUT)/libprocscope.a: $(CORE_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(OUTPUT)/libpscshell.a: $(SHELL_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

# --whole-archive: groups and demos register through weak symbols, which pull no member in
WHOLE_LIB = -Wl,--whole-archive $(OUTPUT)/libprocscope.a -Wl,--no-whole-archive

$(BIN): $(APP_OBJS) $(OUTPUT)/libpscshell.a $(OUTPUT)/libprocscope.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $(APP_OBJS) -Wl,--whole-archive $(OUTPUT)/libpscshell.a $(WHOLE_LIB) $(LDLIBS) -o $@

$(OUTPUT)/tests/lib/%.o: tests/lib/%.c | $(OUTPUT)/tests
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

# the shell archive only for the members a test names (procfs, ringbuf): no libbpf is pulled in
$(OUTPUT)/tests/test_%: tests/unit/test_%.c $(TESTLIB_OBJS) $(OUTPUT)/libprocscope.a $(OUTPUT)/libpscshell.a | $(OUTPUT)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $< $(TESTLIB_OBJS) $(WHOLE_LIB) $(OUTPUT)/libpscshell.a $(LDFLAGS) -lcmocka $(LDLIBS) -o $@

$(INTEG_BINS): $(OUTPUT)/tests/%: tests/integration/%.c tests/integration/integ.h $(TESTLIB_OBJS) $(OUTPUT)/libprocscope.a $(OUTPUT)/libpscshell.a | $(OUTPUT)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) $(CPPFLAGS) -Itests/integration $(CFLAGS) $< $(TESTLIB_OBJS) $(OUTPUT)/libprocscope.a $(OUTPUT)/libpscshell.a $(LDFLAGS) -lcmocka $(LDLIBS) -o $@

# Install what a fresh Debian 12 machine lacks (only what is missing)
deps:
	$(Q)scripts/install-deps.sh

# The main job: every demo workload under tracing, live events and summaries
demo: $(BIN)
	./$(BIN) demo

# Unit tests under ASan+UBSan (no root), then integration tests (root + real BPF; a skip
# fails under CI=true). The sanitized objects live in their own output directory.
ASAN_OUT := $(OUTPUT)/asan
# Static analysis first: the last line stays the runner's "N passed, N failed"
test: $(BIN) $(INTEG_BINS)
	$(Q)$(MAKE) --no-print-directory check-format lint
	$(Q)$(MAKE) --no-print-directory OUTPUT=$(ASAN_OUT) SANITIZE=address,undefined unit-bins
	$(Q)PROCSCOPE=$(abspath $(BIN)) tests/run-tests.sh \
		$(patsubst $(OUTPUT)/%,$(ASAN_OUT)/%,$(UNIT_BINS)) -- $(INTEG_BINS)

# The whole `make test` again beside a heavy load (a parallel build, fork loops: tests/load.sh)
# that the target starts and stops. A test that fails only under load has a race: fix it.
test-load: $(BIN) $(INTEG_BINS)
	$(Q)tests/load.sh $(MAKE) --no-print-directory test

unit-bins: $(UNIT_BINS)

unit: $(BIN) $(UNIT_BINS)
	$(Q)PROCSCOPE=$(abspath $(BIN)) tests/run-tests.sh $(UNIT_BINS) --

integration: $(BIN) $(INTEG_BINS)
	$(Q)PROCSCOPE=$(abspath $(BIN)) tests/run-tests.sh -- $(INTEG_BINS)

bench: $(BIN)
	$(Q)PROCSCOPE=$(abspath $(BIN)) bench/run.sh

# libFuzzer (clang) on the log reader, for FUZZ_SECONDS (default 30). Inputs it finds go to
# $(OUTPUT)/fuzz/corpus; the checked-in seeds in tests/fuzz/corpus/evread stay as they are. A
# crash leaves its input in $(OUTPUT)/fuzz/crash-*: once fixed, add it to the seeds, and `make
# test` replays it under gcc+ASan+UBSan (tests/unit/test_fuzz_replay.c).
FUZZ_SECONDS ?= 30
FUZZ_OUT := $(OUTPUT)/fuzz
FUZZ_CFLAGS := -g -O1 -std=gnu11 -D_GNU_SOURCE -fno-omit-frame-pointer \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
$(FUZZ_OUT) $(FUZZ_OUT)/corpus:
	$(Q)mkdir -p $@
# report's feed is in logread (core); procfs gives /proc facts the fuzzed model asks for
FUZZ_SRCS := $(CORE_SRCS) user/session/procfs.c
$(FUZZ_OUT)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_SRCS) $(wildcard $(addsuffix /*.h,$(LIB_DIRS)) include/*.h) | $(FUZZ_OUT)
	$(call msg,FUZZCC,$@)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -Iinclude $(USER_INC) $< $(FUZZ_SRCS) -ljson-c -lz -lzstd -o $@
# each target runs FUZZ_SECONDS on its own corpus (new inputs in $(FUZZ_OUT)/corpus-NAME)
fuzz: $(FUZZ_OUT)/fuzz_evread $(FUZZ_OUT)/fuzz_records
	$(Q)for t in evread records; do \
		mkdir -p $(FUZZ_OUT)/corpus-$$t && \
		$(FUZZ_OUT)/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -timeout=10 \
			-rss_limit_mb=2048 -artifact_prefix=$(FUZZ_OUT)/$$t- -print_final_stats=1 \
			$(FUZZ_OUT)/corpus-$$t tests/fuzz/corpus/$$t || exit 1; \
	done

FORMAT_SRCS := $(wildcard bpf/*.c bpf/*.h include/*.h $(addsuffix *.c,$(USER_DIRS)) $(addsuffix *.h,$(USER_DIRS)) tests/unit/*.c tests/lib/*.[ch] tests/integration/*.c tests/integration/*.h tests/fuzz/*.c)
format:
	clang-format -i $(FORMAT_SRCS)
check-format:
	$(call msg,FORMAT,sources)
	$(Q)clang-format --dry-run -Werror $(FORMAT_SRCS)

# Static analysis: cppcheck, then clang-tidy with a short list. Left out, and why:
#  cert-err33-c: flags every snprintf() whose truncation -Wformat-truncation already checks;
#  clang-analyzer-security.insecureAPI.DeprecatedOrUnsafeBufferHandling: wants C11 Annex K
#    (memcpy_s...), which glibc does not have;
#  bugprone-easily-swappable-parameters, -narrowing-conversions: noise in fixed-width ABI code;
#  bugprone-reserved-identifier: the __PSC_*_H include guards;
#  bugprone-assignment-in-if-condition, -suspicious-string-compare: kernel style (if (strcmp()));
#  bugprone-sizeof-expression: flags sizeof(*p) on arrays of pointers, the house idiom;
#  bugprone-macro-parentheses: the schema table macros take struct names, not expressions;
#  clang-analyzer-valist.Uninitialized: clang 14 reports it after every va_start() here.
# The generated skeleton's own allocation paths are not ours: loader.c runs without unix.Malloc.
TIDY_CHECKS := -*,clang-analyzer-*,-clang-analyzer-security.insecureAPI.DeprecatedOrUnsafeBufferHandling,-clang-analyzer-valist.Uninitialized,bugprone-*,-bugprone-easily-swappable-parameters,-bugprone-narrowing-conversions,-bugprone-reserved-identifier,-bugprone-assignment-in-if-condition,-bugprone-suspicious-string-compare,-bugprone-sizeof-expression,-bugprone-macro-parentheses,misc-redundant-expression
TIDY_FLAGS := -- -std=gnu11 -D_GNU_SOURCE -Iinclude $(USER_INC) -I$(OUTPUT)
lint: $(OUTPUT)/procscope.skel.h
	$(call msg,LAYERS,user)
	$(Q)scripts/check-layers.sh
	$(call msg,SIZES,user bpf include tests/lib)
	$(Q)scripts/check-sizes.sh
	$(call msg,CPPCHECK,user tests)
	$(Q)cppcheck --quiet --enable=warning,portability,performance --inline-suppr --error-exitcode=1 \
		--suppress=missingIncludeSystem -D__linux__ -Iinclude $(USER_INC) user/ tests/unit/ tests/lib/ tests/fuzz/
	$(call msg,TIDY,user)
	$(Q)ls $(addsuffix *.c,$(USER_DIRS)) | grep -v loader.c | xargs -P2 -n4 clang-tidy --quiet \
		-checks='$(TIDY_CHECKS)' $(TIDY_FLAGS) 2>/dev/null | grep -A3 'warning:\|error:' > $(OUTPUT)/tidy.log; \
	clang-tidy --quiet -checks='$(TIDY_CHECKS),-clang-analyzer-unix.Malloc' user/session/loader.c \
		$(TIDY_FLAGS) 2>/dev/null | grep -A3 'warning:\|error:' >> $(OUTPUT)/tidy.log; \
	if [ -s $(OUTPUT)/tidy.log ]; then cat $(OUTPUT)/tidy.log; exit 1; fi

vmlinux:
	$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > vmlinux/vmlinux.h

clean:
	rm -rf $(OUTPUT) $(BIN)

-include $(wildcard $(OUTPUT)/*.d $(OUTPUT)/*/*.d $(OUTPUT)/*/*/*.d)
.DELETE_ON_ERROR:
.SECONDARY:
