// What the configuration's tests share: parsing text that must be valid or
// must be refused, comparing two configurations, every label family, and the
// messages more than one section's tests expect.
#pragma once

#include <gtest/gtest.h>

#include <iterator>
#include <string>
#include <vector>

#include "config/config.h"

namespace execmond::test {

// Parses text that must be valid.
inline Config parse_ok(const std::string& text) {
  Result<Config> result = parse_config(text, "test.yaml");
  EXPECT_TRUE(result) << result.error().message;
  return result ? *result : Config();
}

// Parses text that must be invalid and returns the message, which must be one line.
inline std::string parse_error(const std::string& text) {
  Result<Config> result = parse_config(text, "test.yaml");
  EXPECT_FALSE(result) << "accepted:\n" << text;
  if (result) return "";
  EXPECT_EQ(result.error().message.find('\n'), std::string::npos) << result.error().message;
  return result.error().message;
}

// Config's operator== compares every field; describe() shows where two differ.
inline void expect_same(const Config& a, const Config& b) {
  EXPECT_TRUE(a == b) << describe(a) << "--- differs from ---\n" << describe(b);
}

using Labels = std::vector<LabelSource>;
inline constexpr Family kFamilies[] = {
    Family::Execs,   Family::Forks,   Family::Exits, Family::Lifetime,   Family::Processes,
    Family::Cpu,     Family::PeakRss, Family::Io,    Family::PageFaults, Family::ContextSwitches,
    Family::OomKills};
static_assert(std::size(kFamilies) == kFamilyCount);

// A file that must be refused, and its exact message.
struct BadValue {
  const char* yaml;
  const char* message;
};

inline constexpr const char* kStaleAllowed =
    "; use 0s (never) or a duration from 1m to 30d, in units of d, h, m and s (e.g. 1h, 7d)";

}  // namespace execmond::test
