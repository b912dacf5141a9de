// Commands run through /bin/sh, as an operator would type them.
#pragma once

#include <string>
#include <utility>

namespace execmond::test {

// Runs `command`; returns its exit status (-1 if it did not exit) and what it
// wrote to stdout and stderr.
std::pair<int, std::string> run_shell(const std::string& command);

}  // namespace execmond::test
