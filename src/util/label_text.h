// Label values must be valid UTF-8: Prometheus rejects a whole scrape over one
// bad value. Command names are raw kernel bytes (cut at 15 bytes, possibly
// inside a character; PR_SET_NAME takes any bytes), so they pass through here
// before they become labels, and names that differ only in bad bytes merge.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace execmond {

// The replacement character U+FFFD, in UTF-8.
inline constexpr std::string_view kUtf8Replacement = "\xef\xbf\xbd";

// Length of the valid UTF-8 sequence at the start of `s`, or 0: RFC 3629,
// as Go's utf8.DecodeRuneInString accepts (no overlong forms, no
// surrogates, nothing above U+10FFFF). `s` is not empty.
std::size_t utf8_sequence_length(std::string_view s);

// `text` with each run of bytes that is not valid UTF-8 replaced by U+FFFD,
// as Go's strings.ToValidUTF8 does.
std::string to_valid_utf8(std::string_view text);

}  // namespace execmond
