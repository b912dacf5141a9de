// libFuzzer: any NUL-separated command line names its script without a
// crash, within kMaxNameBytes, and the script is always text the command
// line holds (a base name of an argument, or of a word of env -S's).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "naming/command_line.h"
#include "naming/name_length.h"
#include "naming/script_detector.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace execmond;
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  const std::vector<std::string> argv = naming::split_command_line(bytes);
  // The comm: the kernel's is at most 15 bytes; try an interpreter's too.
  const std::string comm = bytes.substr(0, std::min<std::size_t>(15, bytes.find('\0')));
  static const std::vector<Interpreter> kConfigured{{"fuzzpy", InterpreterStyle::Python},
                                                    {"fuzzphp", InterpreterStyle::Php}};
  static const naming::ScriptDetector kDetector(kConfigured);
  for (const std::string_view name : {std::string_view(comm), std::string_view("java")}) {
    const std::string script = kDetector.script(name, argv);
    if (script.size() > naming::kMaxNameBytes) std::abort();
    if (!script.empty() && script != "/" && bytes.find(script) == std::string::npos) std::abort();
  }
  return 0;
}
