#include "util/sysctl.h"

#include <charconv>

#include "util/small_file.h"

namespace execmond {

namespace {

std::string sysctl_path(std::string_view name) { return "/proc/sys/" + std::string(name); }

template <typename T>
Result<T> parse_number(std::string_view text, std::string_view path) {
  std::string_view digits = text;
  while (!digits.empty() && (digits.back() == '\n' || digits.back() == ' '))
    digits.remove_suffix(1);
  T value{};
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size()) {
    return Error{std::string(path) + ": \"" + std::string(digits) + "\" is not a number"};
  }
  return value;
}

template <typename T>
Result<T> read_number(std::string_view name) {
  const std::string path = sysctl_path(name);
  Result<std::string> text = read_small_file(path);
  if (!text) return text.error();
  return parse_number<T>(*text, path);
}

}  // namespace

Result<std::uint64_t> read_sysctl_uint(std::string_view name) {
  return read_number<std::uint64_t>(name);
}

Result<std::int64_t> read_sysctl_int(std::string_view name) {
  return read_number<std::int64_t>(name);
}

Result<std::uint64_t> parse_sysctl_uint(std::string_view text, std::string_view path) {
  return parse_number<std::uint64_t>(text, path);
}

Result<std::int64_t> parse_sysctl_int(std::string_view text, std::string_view path) {
  return parse_number<std::int64_t>(text, path);
}

}  // namespace execmond
