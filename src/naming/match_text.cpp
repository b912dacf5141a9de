#include "naming/match_text.h"

#include <cstddef>
#include <utility>

#include "util/label_text.h"

namespace execmond::naming {

namespace {

// At `at` of `s`: see utf8_sequence_length().
std::size_t sequence_length(std::string_view s, std::size_t at) {
  return utf8_sequence_length(s.substr(at));
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
  matched_.reserve(original_.size() * kUtf8Replacement.size());
  origin_.reserve(original_.size() * kUtf8Replacement.size() + 1);
  for (std::size_t at = 0; at < original_.size();) {
    const std::size_t n = sequence_length(original_, at);
    const std::string_view piece =
        n == 0 ? kUtf8Replacement : std::string_view(original_).substr(at, n);
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
