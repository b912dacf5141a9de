// libFuzzer: the YAML configuration loader never crashes, and every input
// either parses or fails with one line that names the source.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "config/config.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  execmond::Result<execmond::Config> r = execmond::parse_config(text, "fuzz.yaml");
  if (!r && (r.error().message.rfind("fuzz.yaml", 0) != 0 ||
             r.error().message.find('\n') != std::string::npos)) {
    std::abort();  // an error must be one line naming the file
  }
  if (r) (void)execmond::describe(*r);
  return 0;
}
