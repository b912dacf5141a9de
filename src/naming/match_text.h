// The text a `cmdline` pattern is matched against, made to match the way Go's
// regexp (process-exporter's) matches it. Command lines hold any bytes; RE2
// in UTF-8 mode matches none of an invalid sequence's bytes, so `.+` would
// fail on a command line Go matches, since Go reads each byte that does not
// start a valid sequence as U+FFFD. MatchText gives RE2 that same reading
// and maps what a pattern captured back to the original bytes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace execmond::naming {

class MatchText {
 public:
  explicit MatchText(std::string text);

  // What patterns run on: the text itself when it is valid UTF-8, else a
  // copy with each byte Go would decode as U+FFFD replaced by its encoding.
  std::string_view text() const { return matched_.empty() ? original_ : matched_; }

  // The original bytes under `piece`, a part of text() (a capture); a null
  // piece (a group that took no part in the match) gives "".
  std::string_view original_of(std::string_view piece) const;

 private:
  std::string original_;
  std::string matched_;  // "" when original_ is valid UTF-8
  // For each byte offset in matched_ (and its end), the offset in original_.
  std::vector<std::uint32_t> origin_;
};

}  // namespace execmond::naming
