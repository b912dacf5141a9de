# Thin wrapper over CMake for the usual tasks. Run as root on Debian 12:
#   make run    install the daemon's build dependencies, build it, run it in the foreground
#   make test   install the build and test dependencies, build, run the whole test suite
#   make lint   clang-format and clang-tidy checks, as CI runs them
#   make bench  the benchmark harness beside bpftrace, execsnoop and the exporters
#   make browsertest  the landing page and GET /exits in headless Chromium
BUILD_DIR ?= build
CMAKE_FLAGS ?=
JOBS ?= $(shell nproc)
CONFIG ?= config/execmond.yaml

# Debian 12 packages needed to build the daemon; nothing is downloaded otherwise.
DEPS = build-essential cmake pkg-config clang llvm libbpf-dev bpftool \
       prometheus-cpp-dev libyaml-cpp-dev libre2-dev libspdlog-dev libsystemd-dev \
       nlohmann-json3-dev libssl-dev libcrypt-dev
# And to build and run the tests. Kept out of `make run`: Debian's prometheus
# package (promtool for the rules tests) also starts a Prometheus server on :9090.
# The interpreters the naming tests run for real (tests/integration/naming_test.cpp).
TEST_DEPS = libgtest-dev libgmock-dev prometheus curl openssl \
            python3 perl ruby php-cli nodejs openjdk-17-jre-headless

# The tools the benchmark measures execmond beside (Debian packages).
BENCH_DEPS = bpftrace libbpf-tools prometheus-process-exporter prometheus-node-exporter
# What the browser test loads the landing page with (tests/browser/check.py).
BROWSER_DEPS = chromium python3
# What the process-exporter compatibility test runs its rules and scripts with.
COMPAT_DEPS = prometheus-process-exporter python3 perl

.PHONY: all deps test-deps build run test clean format lint package packagetest systemtest promtest \
        imagetest containerdtest compattest compat-deps browsertest browser-deps bench benchsmoke bench-deps readme-figures asantest \
        tsantest fuzz soak

all: build

deps:
	@dpkg -s $(DEPS) >/dev/null 2>&1 || { apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(DEPS); }

test-deps:
	@dpkg -s $(DEPS) $(TEST_DEPS) >/dev/null 2>&1 || { apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(DEPS) $(TEST_DEPS); }

# Everything, tests included (a build directory that `make run` configured
# without them is configured again with them).
build: test-deps
	@grep -qs '^EXECMOND_BUILD_TESTS:BOOL=ON$$' $(BUILD_DIR)/CMakeCache.txt || \
	  cmake -S . -B $(BUILD_DIR) -DEXECMOND_BUILD_TESTS=ON $(CMAKE_FLAGS)
	cmake --build $(BUILD_DIR) -j $(JOBS)

# Only the daemon: a new build directory is configured without the tests,
# whose dependencies `make run` does not install.
run: deps
	@test -f $(BUILD_DIR)/CMakeCache.txt || \
	  cmake -S . -B $(BUILD_DIR) -DEXECMOND_BUILD_TESTS=OFF $(CMAKE_FLAGS)
	cmake --build $(BUILD_DIR) -j $(JOBS) --target execmond
	$(BUILD_DIR)/execmond --config.file=$(CONFIG)

# Classic-tracepoint tests need tracefs; mount it where the host has not.
test: build
	@test -e /sys/kernel/tracing/events || mount -t tracefs tracefs /sys/kernel/tracing || true
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) || \
	  { $(CURDIR)/tests/failed-output.sh .; exit 1; }

bench-deps:
	@dpkg -s $(BENCH_DEPS) >/dev/null 2>&1 || { apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(BENCH_DEPS); }

# Every benchmark row beside its peers (about 6 minutes); writes docs/benchmarks.md.
bench: build bench-deps
	@test -e /sys/kernel/tracing/events || mount -t tracefs tracefs /sys/kernel/tracing || true
	$(BUILD_DIR)/tests/execmond_bench --out=docs/benchmarks.md --readme=README.md --command="make bench"

# README's figures made again from docs/benchmarks.md, without measuring
# (a unit test fails while they differ).
readme-figures: build
	$(BUILD_DIR)/tests/execmond_bench --readme-only --out=docs/benchmarks.md --readme=README.md

# SOAK_MINUTES at the maximum spawn rate: flat RSS, exact counts, every scrape
# answered, or it fails (CI runs 4 minutes to stay within its hour).
SOAK_MINUTES ?= 10
soak: build bench-deps
	$(BUILD_DIR)/tests/execmond_bench --rows=soak --soak-minutes=$(SOAK_MINUTES) --check \
	  --out=docs/benchmarks.md --command="make soak SOAK_MINUTES=$(SOAK_MINUTES)"

# A short run of every row that fails unless the accuracy rows are exact (CI).
benchsmoke: build bench-deps
	@test -e /sys/kernel/tracing/events || mount -t tracefs tracefs /sys/kernel/tracing || true
	$(BUILD_DIR)/tests/execmond_bench --quick --check

# The whole suite with the daemon and tests built under AddressSanitizer and
# UndefinedBehaviorSanitizer (any report fails the run).
ASAN_DIR = $(BUILD_DIR)-asan
asantest: test-deps
	cmake -S . -B $(ASAN_DIR) -DEXECMOND_SANITIZE=address,undefined $(CMAKE_FLAGS)
	cmake --build $(ASAN_DIR) -j $(JOBS)
	@test -e /sys/kernel/tracing/events || mount -t tracefs tracefs /sys/kernel/tracing || true
	cd $(ASAN_DIR) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j $(JOBS) || \
	  { $(CURDIR)/tests/failed-output.sh .; exit 1; }

# The concurrency tests (drain, scrape and reload together; the collector's
# lock; the exit records' ring) under ThreadSanitizer.
TSAN_DIR = $(BUILD_DIR)-tsan
tsantest: test-deps
	cmake -S . -B $(TSAN_DIR) -DEXECMOND_SANITIZE=thread $(CMAKE_FLAGS)
	cmake --build $(TSAN_DIR) -j $(JOBS) --target execmond_unit_tests execmond_bpf_tests
	TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
	  $(TSAN_DIR)/tests/execmond_unit_tests --gtest_filter='CollectorTest.ScrapesDuringDrains*:RecordRingTest.Concurrent*'
	TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
	  $(TSAN_DIR)/tests/execmond_bpf_tests --gtest_filter='ConcurrencyTest.*'

# libFuzzer (clang) on the YAML config loader, the web config loader, the
# naming rules and templates, the script detector, the Authorization header
# and the exit records' encoding, each for FUZZ_SECONDS from its seed corpus in
# tests/fuzz/corpus (copied: what the fuzzer adds stays in the build tree).
# An input that takes 10 s, or 2 GiB, is a finding; the outer timeout stops
# a fuzzer whose report of a finding hangs.
FUZZ_DIR = $(BUILD_DIR)-fuzz
FUZZ_SECONDS ?= 60
FUZZERS = config web_config auth_header naming_template script_detector record_encoding
fuzz: deps
	CC=clang CXX=clang++ cmake -S . -B $(FUZZ_DIR) -DEXECMOND_FUZZ=ON -DEXECMOND_BUILD_TESTS=OFF \
	  -DEXECMOND_SANITIZE=address,undefined $(CMAKE_FLAGS)
	cmake --build $(FUZZ_DIR) -j $(JOBS) --target $(addsuffix _fuzz,$(FUZZERS))
	@for f in $(FUZZERS); do \
	  mkdir -p $(FUZZ_DIR)/corpus/$$f && cp tests/fuzz/corpus/$$f/* $(FUZZ_DIR)/corpus/$$f/ && \
	  echo "fuzzing $$f for $(FUZZ_SECONDS) s" && \
	  timeout -s KILL $$(($(FUZZ_SECONDS) + 600)) \
	  $(FUZZ_DIR)/tests/fuzz/$${f}_fuzz -max_total_time=$(FUZZ_SECONDS) -max_len=8192 \
	    -timeout=10 -rss_limit_mb=2048 -artifact_prefix=$(FUZZ_DIR)/ $(FUZZ_DIR)/corpus/$$f \
	    2>$(FUZZ_DIR)/$$f.log || \
	    { tail -n 40 $(FUZZ_DIR)/$$f.log; exit 1; }; \
	  tail -n 1 $(FUZZ_DIR)/$$f.log; \
	done

CXX_SOURCES = src/*/*.cpp src/*/*.h $(shell find tests -name '*.cpp' -o -name '*.h')

format:
	clang-format -i $(CXX_SOURCES)

# Formatting, clang-tidy (.clang-tidy) and cppcheck, warnings as errors.
lint: build
	@dpkg -s clang-format clang-tidy cppcheck >/dev/null 2>&1 || \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends clang-format clang-tidy cppcheck
	clang-format --dry-run --Werror $(CXX_SOURCES)
	clang-tidy -p $(BUILD_DIR) --quiet src/*/*.cpp
	cppcheck --enable=warning,performance,portability --std=c++20 --error-exitcode=1 \
	  --inline-suppr --quiet --include=/usr/include/bpf/libbpf_common.h -I src -I bpf src/*/*.cpp

# deb and rpm in $(BUILD_DIR)/packages (CPack).
package: build
	packaging/build-packages.sh $(BUILD_DIR)

# Contents, metadata, lintian/rpmlint, install/remove/purge of the packages.
packagetest: package
	packaging/test-packages.sh $(BUILD_DIR)

# The deb in a real systemd on Debian 12's own kernel, booted under qemu.
systemtest: package
	tests/system/run.sh $(BUILD_DIR)

# A real Prometheus scraping execmond: every dashboard and alert expression.
promtest: build
	tests/prometheus/run.sh $(BUILD_DIR)

browser-deps:
	@dpkg -s $(BROWSER_DEPS) >/dev/null 2>&1 || { apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(BROWSER_DEPS); }

# Headless Chromium loads the landing page of the real web code over hostile
# exit records: the table matches GET /exits and nothing is injected.
browsertest: build browser-deps
	python3 tests/browser/check.py $(BUILD_DIR)/tests/execmond_browser_page_server

# The test starts process-exporter itself: the service the package starts on
# install (where it can) is stopped and disabled again.
compat-deps:
	@dpkg -s $(COMPAT_DEPS) >/dev/null 2>&1 || { apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(COMPAT_DEPS) && \
	  { systemctl disable --now prometheus-process-exporter 2>/dev/null || \
	    /etc/init.d/prometheus-process-exporter stop 2>/dev/null || true; }; }

# One process-exporter rules file given to Debian's process-exporter and to
# execmond: the same names and live counts, and execmond's exact counts of
# the short runs process-exporter never sees.
compattest: build compat-deps
	tests/compat/process-exporter.sh $(BUILD_DIR)

# The Dockerfile's static checks, then the image built with podman on a
# debootstrapped Debian 12 base and run with the documented privileges:
# exact counts over HTTP and TLS (tests/image/run.sh).
imagetest: build
	tests/image/run.sh $(BUILD_DIR)

# Containers of 50 ms under Debian's containerd (ctr run --rm, laid out as a
# Kubernetes pod's) keep their namespace, pod and container names.
containerdtest: build
	tests/containerd/run.sh $(BUILD_DIR)

clean:
	rm -rf $(BUILD_DIR)
