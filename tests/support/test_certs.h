// The throwaway CA and certificates of make-test-certs.sh, for the tests of
// TLS: ca.crt, server.{crt,key} (127.0.0.1, localhost), client.{crt,key}
// from that CA and stranger.{crt,key} from another.
#pragma once

#include <string>

#include "shell.h"
#include "util/error.h"

namespace execmond::test {

// Makes them in `dir`; the script's output when it fails. Inline: the script
// is found through the test program's EXECMOND_SOURCE_DIR.
inline Status make_test_certs(const std::string& dir) {
  auto [status, out] =
      run_shell(std::string(EXECMOND_SOURCE_DIR) + "/tests/support/make-test-certs.sh " + dir);
  if (status != 0) return Error{"make-test-certs.sh " + dir + " failed: " + out};
  return {};
}

}  // namespace execmond::test
