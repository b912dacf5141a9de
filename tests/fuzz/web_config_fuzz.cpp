// libFuzzer: the web configuration loader never crashes, and every input
// either parses or fails with one line that names the source.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "web/web_config.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  execmond::Result<execmond::WebConfig> r =
      execmond::parse_web_config(text, "fuzz.yml", "/nonexistent");
  if (!r && (r.error().message.rfind("fuzz.yml", 0) != 0 ||
             r.error().message.find('\n') != std::string::npos)) {
    std::abort();
  }
  if (r) (void)execmond::describe(*r);
  return 0;
}
