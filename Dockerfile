# syntax=docker/dockerfile:1
# execmond in a container image:
#   docker build -t execmond:0.1.0 .
#   docker run -d --name execmond --pid=host --cgroupns=host \
#     --cap-drop ALL --cap-add BPF --cap-add PERFMON --cap-add DAC_READ_SEARCH \
#     -v /sys/kernel/btf:/sys/kernel/btf:ro -v /sys/kernel/tracing:/sys/kernel/tracing:ro \
#     -v /sys/fs/cgroup:/sys/fs/cgroup:ro -p 9765:9765 execmond:0.1.0
# docs/observability.md explains each privilege; packaging/kubernetes/ runs
# the image as a DaemonSet. tests/prometheus/dockerfile-check.sh checks the
# package lists below against the Makefile and Debian 12.

# ---- build: the Makefile's DEPS, less the test-only packages
# (libgtest-dev, libgmock-dev, prometheus, curl): the tests are not built here.
FROM debian:12 AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      build-essential cmake pkg-config clang llvm libbpf-dev bpftool \
      prometheus-cpp-dev libyaml-cpp-dev libspdlog-dev libsystemd-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake -S . -B /build -DCMAKE_BUILD_TYPE=Release -DEXECMOND_BUILD_TESTS=OFF \
 && cmake --build /build -j"$(nproc)" --target execmond \
 && strip --strip-unneeded /build/execmond \
 && /build/execmond --version \
 && /build/execmond --config.check --config.file=config/execmond.yaml

# ---- runtime: the shared libraries execmond links, nothing else.
FROM debian:12-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libbpf1 libprometheus-cpp-core1.0 libprometheus-cpp-pull1.0 libcivetweb1 \
      libyaml-cpp0.7 libspdlog1.10 libfmt9 libsystemd0 \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /build/execmond /usr/sbin/execmond
COPY config/execmond.yaml /etc/execmond/execmond.yaml
LABEL org.opencontainers.image.title="execmond" \
      org.opencontainers.image.description="Prometheus exporter of process lifecycles (fork, exec, exit) traced with eBPF" \
      org.opencontainers.image.version="0.1.0"
EXPOSE 9765
# Root inside the container, with only the capabilities granted at run time
# (CAP_BPF, CAP_PERFMON, CAP_DAC_READ_SEARCH); execmond
# drops all but CAP_DAC_READ_SEARCH once its tracer is attached.
USER 0:0
ENTRYPOINT ["/usr/sbin/execmond"]
CMD ["--config.file=/etc/execmond/execmond.yaml"]
