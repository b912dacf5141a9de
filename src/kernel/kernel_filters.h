// The part of the filters the kernel can evaluate, as map contents: exact
// command names, uids, executables (by file) and cgroup subtrees (by the id
// of the prefix directory, an ancestor of everything below it).
#pragma once

#include <sys/types.h>
#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "config/config.h"
#include "util/error.h"

namespace execmond {

class Tracer;

struct KernelFilters {
  std::map<std::string, std::uint8_t> comm;  // values: enum execmond_filter_flags
  std::map<std::uint32_t, std::uint8_t> uid;
  std::map<std::pair<std::uint64_t, std::uint32_t>, std::uint8_t> exe;  // (ino, dev)
  std::map<std::uint64_t, std::uint8_t> cgroup;
  std::uint32_t active = 0;  // enum execmond_filter_active
  std::uint32_t self_tgid = 0;
};

// Looks up files and cgroup directories the rules name (stat), so it does I/O.
// Rules the kernel cannot hold (regular expressions, units, paths that do not
// exist yet) are left to the daemon; include rules are then not enforced in
// the kernel at all, since it would drop what the daemon-side rules keep.
// `exe_recorded`: the tracer records executables; without it exe rules cannot
// be placed in the kernel.
KernelFilters compile_kernel_filters(const Config& config, const std::string& cgroup2_mount,
                                     pid_t self, bool exe_recorded = true);

// Replaces the tracer's filter rules; its programs stay attached. A rule the
// kernel refused is still applied by the daemon: the Error says so, and the
// other rules are in place. With an include rule refused, the kernel drops
// nothing for want of an include match; with a rule of the previous set
// left in a map, it filters nothing at all.
Status apply_kernel_filters(const Tracer& tracer, const KernelFilters& filters);

}  // namespace execmond
