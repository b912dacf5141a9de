// Durations, Prometheus style: "500ms", "1s", "1m30s".
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace execmond::detail {

struct DurationUnit {
  std::string_view suffix;
  std::int64_t ms;
};
inline constexpr std::int64_t kDayMs = 86'400'000;
// Longest suffix first so "ms" is not read as "m" followed by junk.
inline constexpr DurationUnit kDrainUnits[] = {
    {"h", 3'600'000}, {"ms", 1}, {"m", 60'000}, {"s", 1000}};
// Whole seconds only, and days for the long spans (Prometheus spells a day "d").
inline constexpr DurationUnit kStaleUnits[] = {
    {"d", kDayMs}, {"h", 3'600'000}, {"m", 60'000}, {"s", 1000}};

// Parts in strictly decreasing units, or "0"; a far too large number gives
// milliseconds::max(), so the caller reports it out of range.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text,
                                                        std::span<const DurationUnit> units);

// Largest units first; days only where the key accepts them.
std::string format_duration(std::chrono::milliseconds duration, bool days = false);

}  // namespace execmond::detail
