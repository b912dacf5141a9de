#include "kernel/load_errors.h"

#include <cerrno>
#include <cstring>

namespace execmond {

std::string errno_text(int err) { return std::strerror(err < 0 ? -err : err); }

// Turns a libbpf failure into what an operator can act on.
std::string explain_load_error(int err) {
  err = err < 0 ? -err : err;
  if (err == EPERM || err == EACCES) {
    return "permission denied: run as root or grant CAP_BPF and CAP_PERFMON; the verifier's "
           "reason is logged at --log.level=debug";
  }
  if (err == ESRCH || err == ENOENT) {
    return "the kernel lacks a type or tracepoint the tracer needs (" + errno_text(err) +
           "); check that /sys/kernel/btf/vmlinux exists (CONFIG_DEBUG_INFO_BTF=y)";
  }
  return errno_text(err) + "; rerun with --log.level=debug for the verifier's reason";
}

std::string explain_attach_error(AttachMode mode, int err) {
  err = err < 0 ? -err : err;
  if (mode == AttachMode::Tracepoint && err == ENOENT) {
    return "classic tracepoints need tracefs: mount it with "
           "`mount -t tracefs tracefs /sys/kernel/tracing`, or use attach_mode tp_btf";
  }
  if (mode == AttachMode::Tracepoint && (err == EACCES || err == EPERM)) {
    return "classic tracepoints are attached with perf_event_open(), which "
           "kernel.perf_event_paranoid=3 (Debian's default) allows only with CAP_SYS_ADMIN: "
           "set `sysctl kernel.perf_event_paranoid=2`, grant CAP_SYS_ADMIN, or use tp_btf";
  }
  return explain_load_error(err);
}

}  // namespace execmond
