# Makefile - builds slipway, runs its tests, fuzzers, benchmarks and the tour.
#
#   make            build ./slipway
#   make test       every test, then again under ASan+UBSan; ends "N passed, N failed"
#   make demo       the tour (tests/demo.sh)
#   make fuzz       each fuzz target for FUZZ_SECONDS (default 300)
#   make bench      the benchmarks under bench/
#   make asan       build the sanitizer variant into build/asan

PKGS      := libgit2 jansson libcurl libcrypto libdeflate
CC        ?= cc
CFLAGS    ?= -O2 -g
WARN      := -Wall -Wextra -Werror -Wno-missing-field-initializers
CPPFLAGS  := -std=c11 -D_GNU_SOURCE -Isrc $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# libgit2 and what it needs, jansson, libcrypto and libdeflate are linked statically:
# start-up maps one executable, not 20 shared objects (docs/dev-notes.md,
# "Start-up"). libcurl is compiled against, not linked: src/image/http.c
# loads it when an image command needs it. The --wrap flags and GSS-API:
# see src/git/nonet.c.
STATIC    := libgit2 jansson libcrypto libdeflate
LDLIBS    := -Wl,--wrap=git_mbedtls_stream_global_init \
	-Wl,--wrap=git_transport_ssh_global_init -Wl,-Bstatic \
	$(filter-out -lrt -ldl,$(shell pkg-config --static --libs-only-l $(STATIC) 2>/dev/null)) \
	-Wl,-Bdynamic -ldl -pthread
B         ?= build/release

LIB_SRCS  := $(filter-out src/main.c,$(wildcard src/*/*.c))
LIB_OBJS  := $(LIB_SRCS:%.c=$(B)/%.o)
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:%.c=$(B)/%)
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=build/fuzz/%)
FUZZ_SECONDS ?= 300
SAN       := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

.PHONY: all deps test check asan demo fuzz bench clean unit-bins

all: deps slipway

deps:
	@sh scripts/deps.sh

slipway: $(B)/slipway
	@ln -sf $(B)/slipway slipway

$(B)/slipway: $(B)/src/main.o $(LIB_OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -MMD -MP -c -o $@ $<

$(B)/tests/unit/%: $(B)/tests/unit/%.o $(LIB_OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lcmocka

unit-bins: $(B)/slipway $(UNIT_BINS)

# The suite once normally, once under sanitizers; one summary line at the end.
test: deps
	@$(MAKE) -s unit-bins
	@$(MAKE) -s fuzz-bins
	@$(MAKE) -s asan
	@sh tests/run-tests.sh build/release build/asan

check: test

asan:
	@$(MAKE) -s B=build/asan CFLAGS="-O1 -g $(SAN)" LDFLAGS="$(SAN)" unit-bins

build/fuzz/%: tests/fuzz/%.c $(LIB_SRCS)
	@mkdir -p $(@D)
	clang $(CPPFLAGS) -O1 -g -fsanitize=fuzzer,address,undefined $(WARN) -o $@ $< $(LIB_SRCS) $(LDLIBS)

.PHONY: fuzz-bins
fuzz-bins: $(FUZZ_BINS)

fuzz: deps fuzz-bins
	@for f in $(FUZZ_BINS); do \
		n=$$(basename $$f); mkdir -p build/fuzz/corpus-$$n; \
		echo "fuzzing $$n for $(FUZZ_SECONDS)s"; \
		$$f -max_total_time=$(FUZZ_SECONDS) build/fuzz/corpus-$$n tests/fuzz/seeds/$${n#fuzz_} || exit 1; \
	done

demo: deps slipway
	@sh tests/demo.sh

bench: deps slipway
	@sh bench/run.sh

clean:
	rm -rf build slipway

-include $(shell find build -name '*.d' 2>/dev/null)
