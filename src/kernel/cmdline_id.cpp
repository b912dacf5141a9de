#include "kernel/cmdline_id.h"

#include <algorithm>
#include <cstring>

#include "cmdline_hash.h"
#include "execmond.h"

namespace execmond {

KeptCmdline keep_cmdline(std::string_view args, std::uint32_t max_bytes) {
  if (args.size() <= max_bytes) return {args, false};
  const std::string_view within = args.substr(0, max_bytes);
  const std::size_t last_nul = within.rfind('\0');
  return {last_nul == std::string_view::npos ? within : within.substr(0, last_nul + 1), true};
}

std::uint64_t cmdline_id_of(std::string_view args, bool truncated) {
  const auto len =
      static_cast<std::uint32_t>(std::min<std::size_t>(args.size(), EXECMOND_CMDLINE_MAX));
  __u64 h = EXECMOND_CMDLINE_HASH_SEED;
  // Word by word as the kernel reads its buffer; the last word padded with zeros.
  for (std::uint32_t at = 0; at < len; at += 8) {
    __u64 word = 0;
    std::memcpy(&word, args.data() + at, std::min<std::uint32_t>(8, len - at));
    h = execmond_cmdline_hash_word(h, word);
  }
  return execmond_cmdline_hash_end(h, len, truncated ? EXECMOND_CMDLINE_TRUNCATED : 0);
}

}  // namespace execmond
