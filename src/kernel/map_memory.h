// The kernel memory a BPF map takes, as the kernel itself reports it: the
// memlock line of the map descriptor's fdinfo (what bpftool shows).
#pragma once

#include <cstdint>

#include "util/error.h"

namespace execmond {

Result<std::uint64_t> map_memlock_bytes(int map_fd);

}  // namespace execmond
