// Label values must be valid UTF-8: Prometheus rejects a whole scrape over one
// bad value. Command names are raw kernel bytes (cut at 15 bytes, possibly
// inside a character; PR_SET_NAME takes any bytes), so they pass through here
// before they become labels, and names that differ only in bad bytes merge.
#pragma once

#include <string>
#include <string_view>

namespace execmond {

// `text` with each run of bytes that is not valid UTF-8 replaced by U+FFFD,
// as Go's strings.ToValidUTF8 does.
std::string to_valid_utf8(std::string_view text);

}  // namespace execmond
