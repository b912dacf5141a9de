// How long a `program` or `script` value may be. A label value is stored in
// every series that carries it and in every query result: a command line's
// worth of bytes (up to 16 KiB, execmond_cmdline_record) would make one
// hostile or careless process cost more than all the others, and no one reads
// a 200-byte name on a dashboard. 128 bytes holds any real program name, a
// deep path and a module name with room to spare.
#pragma once

#include <cstddef>
#include <string>

namespace execmond::naming {

inline constexpr std::size_t kMaxNameBytes = 128;

// Cuts `text` to kMaxNameBytes, backing off to the start of a UTF-8 sequence
// the cut would split, so that valid text stays valid.
inline void cut_to_name_length(std::string& text) {
  if (text.size() <= kMaxNameBytes) return;
  std::size_t cut = kMaxNameBytes;
  // At most three continuation bytes (10xxxxxx) precede a sequence's end.
  for (int backed = 0;
       backed < 3 && cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80; ++backed) {
    --cut;
  }
  if ((static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80)
    cut = kMaxNameBytes;  // not UTF-8 anyway
  text.resize(cut);
}

}  // namespace execmond::naming
