// Reading a whole small file: the kernel files whose size stat() does not
// tell (procfs reports 0) and the configuration files, one reader for both.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "util/error.h"

namespace execmond {

inline constexpr std::size_t kNoSizeCap = SIZE_MAX;

// The text of `path`, read to EOF. More than `max_bytes` is an error, so that
// a mistaken path (a device, a log) cannot eat memory. The Error names the
// file: "cannot open /x: No such file or directory", "cannot read /tmp: Is a
// directory", "cannot read /dev/zero: larger than 1 MiB".
Result<std::string> read_small_file(const std::string& path, std::size_t max_bytes = kNoSizeCap);

}  // namespace execmond
