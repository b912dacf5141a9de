// comm_regex and exe_regex are RE2 patterns: RE2 matches in time linear in
// the text and compiles within a memory budget, so neither a process name nor
// a hostile config can make the daemon spin or grow without limit.
#pragma once

#include <re2/re2.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "util/error.h"

namespace execmond {

// What one pattern may use, its compiled program and the DFA cache its
// matches fill alike. 256 KiB holds a program of about 21,000 instructions,
// far more than a name or path pattern needs (x{1000} is 1,004), and
// leaves the DFA room for its states; past it RE2 falls back to its slower,
// still linear, NFA rather than allocate more.
inline constexpr std::int64_t kRegexMaxMem = 256 << 10;
// Patterns per list: with kRegexMaxMem each, the four lists stay under 64 MiB.
inline constexpr std::size_t kMaxRegexesPerList = 64;

// Compiles `pattern`; an invalid or too large one is an Error holding RE2's
// reason on one line (with what RE2 lacks, for a backreference or lookaround).
Result<std::shared_ptr<const RE2>> compile_regex(const std::string& pattern);

// Whether `re` matches all of `text`, not just a part of it.
inline bool full_match(const RE2& re, std::string_view text) { return RE2::FullMatch(text, re); }

}  // namespace execmond
