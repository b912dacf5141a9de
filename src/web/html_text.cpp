#include "web/html_text.h"

#include <array>
#include <cstdint>
#include <cstdio>

#include "util/label_text.h"

namespace execmond {

namespace {

// The code point of a valid UTF-8 sequence of `n` bytes at the start of `s`.
std::uint32_t code_point(std::string_view s, std::size_t n) {
  auto b = [&](std::size_t i) {
    return static_cast<std::uint32_t>(static_cast<std::uint8_t>(s[i]));
  };
  switch (n) {
    case 1:
      return b(0);
    case 2:
      return ((b(0) & 0x1FU) << 6U) | (b(1) & 0x3FU);
    case 3:
      return ((b(0) & 0x0FU) << 12U) | ((b(1) & 0x3FU) << 6U) | (b(2) & 0x3FU);
    default:
      return ((b(0) & 0x07U) << 18U) | ((b(1) & 0x3FU) << 12U) | ((b(2) & 0x3FU) << 6U) |
             (b(3) & 0x3FU);
  }
}

bool hides_or_reorders(std::uint32_t cp) {
  return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 ||
         cp == 0x2029;
}

void append_ascii(std::string& out, char c) {
  switch (c) {
    case '&':
      out += "&amp;";
      return;
    case '<':
      out += "&lt;";
      return;
    case '>':
      out += "&gt;";
      return;
    case '"':
      out += "&quot;";
      return;
    case '\'':
      out += "&#39;";
      return;
    case '\n':
      out += "\\n";
      return;
    case '\t':
      out += "\\t";
      return;
    case '\r':
      out += "\\r";
      return;
    default:
      break;
  }
  if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
    std::array<char, 8> hex{};
    (void)std::snprintf(hex.data(), hex.size(), "\\x%02x",
                        static_cast<unsigned char>(c));  // cannot fail: fits in hex
    out += hex.data();
    return;
  }
  out += c;
}

}  // namespace

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    const std::size_t n = utf8_sequence_length(text);
    if (n == 0) {
      // Each bad byte on its own, as browsers decode them.
      out += kUtf8Replacement;
      text.remove_prefix(1);
      continue;
    }
    if (n == 1) {
      append_ascii(out, text.front());
    } else if (const std::uint32_t cp = code_point(text, n); cp < 0xA0) {
      std::array<char, 8> hex{};
      (void)std::snprintf(hex.data(), hex.size(), "\\x%02x", cp);  // C1 controls
      out += hex.data();
    } else if (hides_or_reorders(cp)) {
      std::array<char, 12> hex{};
      (void)std::snprintf(hex.data(), hex.size(), "\\u{%04x}", cp);
      out += hex.data();
    } else {
      out += text.substr(0, n);
    }
    text.remove_prefix(n);
  }
  return out;
}

std::string shorten_utf8(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  std::size_t cut = max_bytes;
  // Back off continuation bytes so that no character is split.
  while (cut > 0 && (static_cast<std::uint8_t>(text[cut]) & 0xC0U) == 0x80U) --cut;
  return std::string(text.substr(0, cut)) + "\xe2\x80\xa6";
}

}  // namespace execmond
