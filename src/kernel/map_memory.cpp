#include "kernel/map_memory.h"

#include <algorithm>
#include <charconv>
#include <string>
#include <string_view>

#include "util/small_file.h"

namespace execmond {

Result<std::uint64_t> map_memlock_bytes(int map_fd) {
  const std::string path = "/proc/self/fdinfo/" + std::to_string(map_fd);
  Result<std::string> info = read_small_file(path);
  if (!info) return info.error();
  constexpr std::string_view kField = "\nmemlock:";
  const std::size_t at = info->find(kField);
  if (at == std::string::npos) return Error{path + " has no memlock line"};
  std::string_view value = std::string_view(*info).substr(at + kField.size());
  value.remove_prefix(std::min(value.find_first_not_of(" \t"), value.size()));
  std::uint64_t bytes = 0;
  const char* end = value.data() + value.size();
  auto [ptr, ec] = std::from_chars(value.data(), end, bytes);
  if (ec != std::errc() || (ptr != end && *ptr != '\n')) {
    return Error{path + ": memlock is not a number"};
  }
  return bytes;
}

}  // namespace execmond
