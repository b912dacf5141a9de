#include "config/signal_names.h"

#include <array>
#include <cctype>
#include <string>
#include <string_view>

#include "config/values.h"

namespace execmond::detail {
namespace {

// kill -l, 1 to 31; the real-time signals follow from kRtMin.
constexpr std::array<std::string_view, 32> kStandardNames = {
    "",     "HUP",  "INT",  "QUIT", "ILL",    "TRAP",   "ABRT",  "BUS",  "FPE",  "KILL", "USR1",
    "SEGV", "USR2", "PIPE", "ALRM", "TERM",   "STKFLT", "CHLD",  "CONT", "STOP", "TSTP", "TTIN",
    "TTOU", "URG",  "XCPU", "XFSZ", "VTALRM", "PROF",   "WINCH", "IO",   "PWR",  "SYS"};
// glibc's SIGRTMIN and SIGRTMAX as kill -l prints them. Fixed here rather
// than read from SIGRTMIN(): the config means the same on every host.
constexpr int kRtMin = 34;
constexpr int kRtMax = kMaxSignal;
// kill -l names the lower half from RTMIN up and the upper half from RTMAX down.
constexpr int kRtMiddle = (kRtMin + kRtMax) / 2;

std::string upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::string signal_text(int signal) {
  if (signal > 0 && signal < static_cast<int>(kStandardNames.size())) {
    return "SIG" + std::string(kStandardNames[static_cast<std::size_t>(signal)]);
  }
  if (signal == kRtMin) return "SIGRTMIN";
  if (signal == kRtMax) return "SIGRTMAX";
  if (signal > kRtMin && signal <= kRtMiddle) return "SIGRTMIN+" + std::to_string(signal - kRtMin);
  if (signal > kRtMiddle && signal < kRtMax) return "SIGRTMAX-" + std::to_string(kRtMax - signal);
  return std::to_string(signal);
}

std::optional<int> parse_signal(std::string_view text) {
  if (all_digits(text)) {
    const std::optional<std::uint64_t> number = parse_unsigned(text);
    if (!number || *number < 1 || *number > static_cast<std::uint64_t>(kMaxSignal)) {
      return std::nullopt;
    }
    return static_cast<int>(*number);
  }
  std::string name = upper(text);
  if (!name.starts_with("SIG")) name.insert(0, "SIG");
  for (int signal = 1; signal <= kMaxSignal; ++signal) {
    // 32 and 33 have no name: their text is the number, which never starts with SIG.
    if (signal_text(signal) == name) return signal;
  }
  return std::nullopt;
}

}  // namespace execmond::detail
