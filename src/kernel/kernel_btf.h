// What the running kernel's BTF says about types the tracer adapts to
// before load: knobs that CO-RE relocations alone cannot set, and features
// the daemon must tell the operator are missing.
#pragma once

#include <memory>
#include <string>

#include "util/error.h"

struct btf;

namespace execmond {

class KernelBtf {
 public:
  // Reads the BTF file (usually /sys/kernel/btf/vmlinux).
  static Result<KernelBtf> open(const std::string& path);

  // Whether `struct type_name` exists and has a member `member` at its top level.
  bool has_member(const std::string& type_name, const std::string& member) const;
  // The arguments of a tracepoint's probe (btf_trace_<name>), without the
  // leading `void *`; -1 when the kernel has no such tracepoint.
  int tracepoint_arg_count(const std::string& name) const;

 private:
  struct Deleter {
    void operator()(btf* b) const;
  };
  explicit KernelBtf(btf* b) : btf_(b) {}
  std::unique_ptr<btf, Deleter> btf_;
};

}  // namespace execmond
