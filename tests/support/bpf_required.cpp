#include "bpf_required.h"

#include <cstdlib>
#include <string_view>

namespace execmond::test {

bool bpf_required() {
  const char* v = std::getenv("EXECMOND_REQUIRE_BPF");
  return v != nullptr && std::string_view(v) == "1";
}

}  // namespace execmond::test
