// What the configuration's tests share: parsing text that must be valid or
// must be refused, comparing two configurations, every label family, and the
// messages more than one section's tests expect.
#pragma once

#include <gtest/gtest.h>

#include <cstddef>
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

// describe() without the lines of `section` ("records"): what the tests of
// other sections compare, so that each holds only its own lines.
inline std::string without_section(const std::string& text, const std::string& section) {
  std::string kept;
  for (std::size_t at = 0; at < text.size();) {
    std::size_t end = text.find('\n', at);
    end = end == std::string::npos ? text.size() : end + 1;
    if (text.compare(at, section.size() + 1, section + ".") != 0) kept += text.substr(at, end - at);
    at = end;
  }
  return kept;
}

// A file that must be refused, and its exact message.
struct BadValue {
  const char* yaml;
  const char* message;
};

inline constexpr const char* kStaleAllowed =
    "; use 0s (never) or a duration from 1m to 30d, in units of d, h, m and s (e.g. 1h, 7d)";

}  // namespace execmond::test
