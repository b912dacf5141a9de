#include "naming/match_text.h"

#include <cstddef>
#include <utility>

namespace execmond::naming {

namespace {

constexpr std::string_view kReplacement = "\xef\xbf\xbd";

// Length of the valid UTF-8 sequence at `at`, or 0: RFC 3629, as Go's
// utf8.DecodeRuneInString accepts (no overlong forms, no surrogates,
// nothing above U+10FFFF).
std::size_t sequence_length(std::string_view s, std::size_t at) {
  auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(s[at + i]); };
  auto continuation = [&](std::size_t i) { return at + i < s.size() && (byte(i) & 0xC0) == 0x80; };
  const std::uint8_t b0 = byte(0);
  if (b0 < 0x80) return 1;
  if (b0 >= 0xC2 && b0 <= 0xDF) return continuation(1) ? 2 : 0;
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    if (!continuation(1) || !continuation(2)) return 0;
    if (b0 == 0xE0 && byte(1) < 0xA0) return 0;   // overlong
    if (b0 == 0xED && byte(1) >= 0xA0) return 0;  // surrogate
    return 3;
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    if (!continuation(1) || !continuation(2) || !continuation(3)) return 0;
    if (b0 == 0xF0 && byte(1) < 0x90) return 0;   // overlong
    if (b0 == 0xF4 && byte(1) >= 0x90) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

bool valid_utf8(std::string_view s) {
  for (std::size_t at = 0; at < s.size();) {
    const std::size_t n = sequence_length(s, at);
    if (n == 0) return false;
    at += n;
  }
  return true;
}

}  // namespace

MatchText::MatchText(std::string text) : original_(std::move(text)) {
  if (valid_utf8(original_)) return;
  matched_.reserve(original_.size() * kReplacement.size());
  origin_.reserve(original_.size() * kReplacement.size() + 1);
  for (std::size_t at = 0; at < original_.size();) {
    const std::size_t n = sequence_length(original_, at);
    const std::string_view piece =
        n == 0 ? kReplacement : std::string_view(original_).substr(at, n);
    for (std::size_t i = 0; i < piece.size(); ++i)
      origin_.push_back(static_cast<std::uint32_t>(at));
    matched_ += piece;
    at += n == 0 ? 1 : n;
  }
  origin_.push_back(static_cast<std::uint32_t>(original_.size()));
}

std::string_view MatchText::original_of(std::string_view piece) const {
  if (piece.data() == nullptr) return {};
  if (matched_.empty()) return piece;
  const auto begin = static_cast<std::size_t>(piece.data() - matched_.data());
  const std::size_t end = begin + piece.size();
  // A capture starts and ends on a character of matched_: its first byte
  // maps to where that character began in original_.
  return std::string_view(original_).substr(origin_[begin], origin_[end] - origin_[begin]);
}

}  // namespace execmond::naming
