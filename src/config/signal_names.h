// Signals by the names `kill -l` gives them on Linux with glibc, for
// records.signals: users copy names from there, so the config reads and
// prints the same spellings.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace execmond::detail {

// Signal numbers Linux delivers: 1 to 64 (glibc keeps 32 and 33 for itself,
// so they have no name).
inline constexpr int kMaxSignal = 64;

// "SIGSEGV", "SIGRTMIN+3", "SIGRTMAX-1"; the number as text for 32 and 33,
// which kill -l leaves out.
std::string signal_text(int signal);

// A name with or without SIG, in any case (SIGSEGV, segv, SegV), or a number
// from 1 to 64; nullopt for anything else.
std::optional<int> parse_signal(std::string_view text);

}  // namespace execmond::detail
