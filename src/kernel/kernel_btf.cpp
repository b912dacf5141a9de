#include "kernel/kernel_btf.h"

#include <bpf/btf.h>

#include <cerrno>
#include <cstring>

namespace execmond {

void KernelBtf::Deleter::operator()(btf* b) const { btf__free(b); }

Result<KernelBtf> KernelBtf::open(const std::string& path) {
  btf* parsed = btf__parse(path.c_str(), nullptr);
  if (parsed == nullptr) {
    return Error{"cannot read the kernel's BTF from " + path + ": " + std::strerror(errno)};
  }
  return KernelBtf(parsed);
}

bool KernelBtf::has_member(const std::string& type_name, const std::string& member) const {
  const int id = btf__find_by_name_kind(btf_.get(), type_name.c_str(), BTF_KIND_STRUCT);
  if (id < 0) return false;
  const btf_type* type = btf__type_by_id(btf_.get(), id);
  const btf_member* members = btf_members(type);
  for (int i = 0; i < btf_vlen(type); ++i) {
    const char* name = btf__name_by_offset(btf_.get(), members[i].name_off);
    if (name != nullptr && member == name) return true;
  }
  return false;
}

int KernelBtf::tracepoint_arg_count(const std::string& name) const {
  const std::string probe = "btf_trace_" + name;
  const int id = btf__find_by_name_kind(btf_.get(), probe.c_str(), BTF_KIND_TYPEDEF);
  if (id < 0) return -1;
  // typedef -> pointer -> function prototype (void *__data, the tracepoint's arguments...)
  const btf_type* type = btf__type_by_id(btf_.get(), btf__type_by_id(btf_.get(), id)->type);
  if (type == nullptr || !btf_is_ptr(type)) return -1;
  type = btf__type_by_id(btf_.get(), type->type);
  if (type == nullptr || !btf_is_func_proto(type) || btf_vlen(type) < 1) return -1;
  return btf_vlen(type) - 1;
}

}  // namespace execmond
