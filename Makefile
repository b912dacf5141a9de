# Thin wrapper over CMake for the usual tasks. Run as root on Debian 12:
#   make run    install build dependencies, build, run the daemon in the foreground
#   make test   install build dependencies, build, run the whole test suite
#   make lint   clang-format and clang-tidy checks, as CI runs them
#   make bench  the benchmark harness beside bpftrace, execsnoop and the exporters
BUILD_DIR ?= build
CMAKE_FLAGS ?=
JOBS ?= $(shell nproc)
CONFIG ?= config/execmond.yaml

# Debian 12 packages needed to build and test; nothing is downloaded otherwise.
DEPS = build-essential cmake pkg-config clang llvm libbpf-dev bpftool \
       prometheus-cpp-dev libyaml-cpp-dev libspdlog-dev libsystemd-dev \
       libgtest-dev libgmock-dev prometheus curl

# The tools the benchmark measures execmond beside (Debian packages).
BENCH_DEPS = bpftrace libbpf-tools prometheus-process-exporter prometheus-node-exporter

.PHONY: all deps build run test clean format lint package packagetest systemtest promtest \
        bench benchsmoke bench-deps

all: build

deps:
	@dpkg -s $(DEPS) >/dev/null 2>&1 || { apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(DEPS); }

$(BUILD_DIR)/CMakeCache.txt:
	cmake -S . -B $(BUILD_DIR) $(CMAKE_FLAGS)

build: deps $(BUILD_DIR)/CMakeCache.txt
	cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	$(BUILD_DIR)/execmond --config.file=$(CONFIG)

# Classic-tracepoint tests need tracefs; mount it where the host has not.
test: build
	@test -e /sys/kernel/tracing/events || mount -t tracefs tracefs /sys/kernel/tracing || true
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

bench-deps:
	@dpkg -s $(BENCH_DEPS) >/dev/null 2>&1 || { apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(BENCH_DEPS); }

# Every benchmark row beside its peers (about 6 minutes); writes docs/benchmarks.md.
bench: build bench-deps
	@test -e /sys/kernel/tracing/events || mount -t tracefs tracefs /sys/kernel/tracing || true
	$(BUILD_DIR)/tests/execmond_bench --out=docs/benchmarks.md --command="make bench"

# A short run of every row that fails unless the accuracy rows are exact (CI).
benchsmoke: build bench-deps
	@test -e /sys/kernel/tracing/events || mount -t tracefs tracefs /sys/kernel/tracing || true
	$(BUILD_DIR)/tests/execmond_bench --quick --check

CXX_SOURCES = src/*.cpp src/*.h tests/*/*.cpp tests/*/*.h

format:
	clang-format -i $(CXX_SOURCES)

# Formatting and clang-tidy (.clang-tidy), warnings as errors.
lint: build
	@dpkg -s clang-format clang-tidy >/dev/null 2>&1 || \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends clang-format clang-tidy
	clang-format --dry-run --Werror $(CXX_SOURCES)
	clang-tidy -p $(BUILD_DIR) --quiet src/*.cpp

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

clean:
	rm -rf $(BUILD_DIR)
