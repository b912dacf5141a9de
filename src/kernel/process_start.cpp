#include "kernel/process_start.h"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <optional>
#include <string_view>
#include <system_error>

#include "util/small_file.h"

namespace execmond {

namespace {

// Field 22 of /proc/PID/stat. The fields are counted after the command
// name's closing parenthesis, since the name may hold spaces and
// parentheses itself.
std::optional<std::uint64_t> start_ticks(const std::string& stat) {
  const std::size_t close = stat.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::string_view rest = std::string_view(stat).substr(close + 1);
  constexpr int kFieldsBefore = 19;  // fields 3 to 21
  for (int i = 0; i < kFieldsBefore; ++i) {
    rest.remove_prefix(std::min(rest.find_first_not_of(' '), rest.size()));
    rest.remove_prefix(std::min(rest.find(' '), rest.size()));
  }
  rest.remove_prefix(std::min(rest.find_first_not_of(' '), rest.size()));
  std::uint64_t ticks = 0;
  const auto [end, err] = std::from_chars(rest.data(), rest.data() + rest.size(), ticks);
  if (err != std::errc{} || end == rest.data()) return std::nullopt;
  return ticks;
}

}  // namespace

bool process_started_at(const std::string& proc_root, std::uint32_t tgid,
                        std::uint64_t start_boottime_ns) {
  static const long hz = sysconf(_SC_CLK_TCK);
  const std::uint64_t ns_per_tick =
      1'000'000'000ULL / static_cast<std::uint64_t>(hz > 0 ? hz : 100);
  Result<std::string> stat =
      read_small_file(proc_root + "/" + std::to_string(tgid) + "/stat", 4096);
  const std::optional<std::uint64_t> ticks = stat ? start_ticks(*stat) : std::nullopt;
  return ticks && *ticks == start_boottime_ns / ns_per_tick;
}

}  // namespace execmond
