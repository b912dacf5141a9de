// Text from processes made safe to put in the pages served as UTF-8 HTML.
// Command lines, comms and unit names are whatever bytes a process chose:
// markup, quotes, invalid UTF-8, control characters and bidi overrides all
// arrive here, and leave as inert, visible text.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace execmond {

// `text` for HTML text or a quoted attribute value: & < > " ' as character
// references; each byte that is not part of valid UTF-8 as U+FFFD; control
// characters (C0, DEL, C1) as \n, \t, \r or \xNN, and the bidi controls
// (U+202A-U+202E, U+2066-U+2069) and line/paragraph separators as \u{NNNN},
// so nothing reorders or hides the text around it.
std::string html_escape(std::string_view text);

// At most `max_bytes` of `text`, cut before a UTF-8 sequence that would not
// fit, with "…" added when anything was cut.
std::string shorten_utf8(std::string_view text, std::size_t max_bytes);

}  // namespace execmond
