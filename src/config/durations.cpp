#include "config/durations.h"

#include <cstddef>

#include "config/values.h"

namespace execmond::detail {
namespace {

using std::chrono::milliseconds;

// A number above this is far out of any range; it stops the sum from overflowing:
// 1e10 times a day is below 1e18, and there are at most five parts.
constexpr std::uint64_t kHugeNumber = 10'000'000'000;

}  // namespace

std::optional<milliseconds> parse_duration(std::string_view text,
                                           std::span<const DurationUnit> units) {
  if (text == "0") return milliseconds{0};
  std::int64_t total = 0;
  std::int64_t last_unit = INT64_MAX;  // each part must use a smaller unit than the one before
  bool huge = false;                   // syntactically fine but far out of any range
  while (!text.empty()) {
    std::size_t digits = 0;
    while (digits < text.size() && is_digit(text[digits])) ++digits;
    if (digits == 0) return std::nullopt;
    std::uint64_t number = *parse_unsigned(text.substr(0, digits));  // saturates
    huge = huge || number > kHugeNumber;
    text.remove_prefix(digits);
    const DurationUnit* unit = nullptr;
    for (const auto& candidate : units) {
      if (text.starts_with(candidate.suffix)) {
        unit = &candidate;
        break;
      }
    }
    if (unit == nullptr || unit->ms >= last_unit) return std::nullopt;
    text.remove_prefix(unit->suffix.size());
    if (!huge) total += static_cast<std::int64_t>(number) * unit->ms;
    last_unit = unit->ms;
  }
  if (last_unit == INT64_MAX) return std::nullopt;
  return huge ? milliseconds::max() : milliseconds{total};
}

std::string format_duration(milliseconds duration, bool days) {
  std::int64_t left = duration.count();
  if (left == 0) return "0s";
  std::string out;
  for (const DurationUnit& unit :
       {DurationUnit{"d", kDayMs}, DurationUnit{"h", 3'600'000}, DurationUnit{"m", 60'000},
        DurationUnit{"s", 1000}, DurationUnit{"ms", 1}}) {
    if (left < unit.ms || (!days && unit.ms == kDayMs)) continue;
    out += std::to_string(left / unit.ms);
    out += unit.suffix;
    left %= unit.ms;
  }
  return out;
}

}  // namespace execmond::detail
