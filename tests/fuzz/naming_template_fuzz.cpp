// libFuzzer: compiling a naming rule never crashes, a bad rule fails with one
// line that names its file, line and key, and a good one names processes
// within kMaxNameBytes. The input, split at NULs, is the rule's name
// template and cmdline patterns, and also the command line it is tried on.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "naming/command_line.h"
#include "naming/name_length.h"
#include "naming/namer.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace execmond;
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  const std::vector<std::string> parts = naming::split_command_line(bytes);
  NamingRule rule;
  rule.source = "fuzz.yaml";
  rule.line = 7;
  if (!parts.empty()) rule.name = parts[0];
  for (std::size_t i = 1; i < parts.size() && i <= 8; ++i) rule.cmdline.push_back(parts[i]);
  if (rule.cmdline.empty()) rule.comm = {"fuzz"};
  NamingConfig config;
  config.rules = {rule};
  config.unmatched = Unmatched::Script;
  const Result<naming::Namer> namer = naming::Namer::compile(config);
  if (!namer) {
    const std::string& message = namer.error().message;
    if (message.rfind("fuzz.yaml:7: naming.rules[0]", 0) != 0 ||
        message.find('\n') != std::string::npos) {
      std::abort();  // an error is one line naming file, line and key
    }
    return 0;
  }
  for (const std::string_view comm : {"fuzz", "python3"}) {
    const naming::Names names = namer->name({comm, parts, "fuzzer"});
    if (names.program.size() > naming::kMaxNameBytes ||
        names.script.size() > naming::kMaxNameBytes) {
      std::abort();
    }
  }
  return 0;
}
