// Value helpers the settings share: showing a user's text inside a one-line
// message, and reading numbers with the same rules everywhere.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace execmond::detail {

// No cut: quote(text, kUnlimited) shows all of it.
inline constexpr std::size_t kUnlimited = SIZE_MAX;

// Shows a user's value inside a one-line message: quoted, control characters
// escaped (a YAML block scalar may hold newlines), and cut when very long.
std::string quote(std::string_view text, std::size_t max_shown = 64);

// "<what is wrong>; <what is allowed>".
std::string problem(const std::string& wrong, std::string_view allowed);

// Shortest text that reads back as the same double: describe() stays exact,
// so comparing printed values is comparing values.
std::string format_number(double value);

std::optional<double> parse_number(std::string_view text);

bool is_digit(char c);
bool all_digits(std::string_view text);

// Decimal digits only: no sign, no hex, no exponent. Too large saturates, so
// the caller reports "out of range" rather than "not an integer".
std::optional<std::uint64_t> parse_unsigned(std::string_view text);

// User-written key names go into messages as they are when plain, quoted
// and escaped otherwise, so the message stays one line.
std::string shown_key(const std::string& key);

bool has_space_or_control(std::string_view text);

}  // namespace execmond::detail
