# syntax=docker/dockerfile:1
# execmond in a container image:
#   docker build -t execmond:0.1.0 .
#   docker run -d --name execmond --pid=host --cgroupns=host --read-only \
#     --cap-drop ALL --cap-add BPF --cap-add PERFMON --cap-add DAC_READ_SEARCH \
#     -v /sys/kernel/btf:/sys/kernel/btf:ro -v /sys/kernel/tracing:/sys/kernel/tracing:ro \
#     -v /sys/fs/cgroup:/sys/fs/cgroup:ro -p 9765:9765 execmond:0.1.0
# docs/observability.md explains each privilege, and seccomp on engines whose
# default profile ties bpf() to CAP_SYS_ADMIN (Debian 12's podman does);
# packaging/kubernetes/ runs the image as a DaemonSet. make imagetest
# (tests/image/run.sh) builds this file with podman build --isolation=chroot
# on a debootstrapped Debian 12 base and runs the image as above with podman
# 4.3 (plus --runtime runc, that seccomp profile, the port on 127.0.0.1):
# exact counts over HTTP and TLS. tests/image/dockerfile-check.sh checks the
# package lists below against the Makefile and Debian 12.

# ---- build: the Makefile's DEPS (its TEST_DEPS are the test suite's: the
# tests are not built here). cmake --install stages the daemon, the TLS libraries civetweb
# loads (/usr/lib/execmond, found through the daemon's $ORIGIN RPATH) and
# the default configuration as the packages lay them out. A container has no
# journald: the image's configuration writes exit records as JSON lines to
# standard output instead (records.journal: false, records.json_file: "-"),
# where the engine's logs keep them.
FROM debian:12 AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      build-essential cmake pkg-config clang llvm libbpf-dev bpftool \
      prometheus-cpp-dev libyaml-cpp-dev libre2-dev libspdlog-dev libsystemd-dev \
      nlohmann-json3-dev \
      libssl-dev libcrypt-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake -S . -B /build -DCMAKE_BUILD_TYPE=Release -DEXECMOND_BUILD_TESTS=OFF \
 && cmake --build /build -j"$(nproc)" \
 && DESTDIR=/stage cmake --install /build --prefix /usr --component execmond --strip \
 && sed -i -e 's/^  journal: true$/  journal: false/' -e 's/^  json_file: ""$/  json_file: "-"/' \
      /stage/etc/execmond/execmond.yaml \
 && grep -qx '  journal: false' /stage/etc/execmond/execmond.yaml \
 && grep -qx '  json_file: "-"' /stage/etc/execmond/execmond.yaml \
 && /stage/usr/sbin/execmond --version \
 && /stage/usr/sbin/execmond --config.check --config.file=/stage/etc/execmond/execmond.yaml

# ---- runtime: the shared libraries execmond and its TLS libraries link,
# nothing else.
FROM debian:12-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libbpf1 libprometheus-cpp-core1.0 libprometheus-cpp-pull1.0 libcivetweb1 \
      libyaml-cpp0.7 libre2-9 libspdlog1.10 libfmt9 libsystemd0 libssl3 libcrypt1 \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /stage/ /
RUN /usr/sbin/execmond --version
LABEL org.opencontainers.image.title="execmond" \
      org.opencontainers.image.description="Prometheus exporter of process lifecycles (fork, exec, exit) traced with eBPF" \
      org.opencontainers.image.version="0.1.0"
EXPOSE 9765
# Root inside the container, with only the capabilities granted at run time
# (CAP_BPF, CAP_PERFMON, CAP_DAC_READ_SEARCH); execmond drops them all once
# it serves (all but CAP_DAC_READ_SEARCH when unit, cgroup or container_id
# labels or filters need cgroups named).
USER 0:0
ENTRYPOINT ["/usr/sbin/execmond"]
CMD ["--config.file=/etc/execmond/execmond.yaml"]
