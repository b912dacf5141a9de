// Commands run through /bin/sh, as an operator would type them.
#pragma once

#include <string>
#include <utility>

namespace execmond::test {

// Runs `command`; returns its exit status (-1 if it did not exit) and what it
// wrote to stdout and stderr.
std::pair<int, std::string> run_shell(const std::string& command);

// The running kernel's scheduler tick (1 / CONFIG_HZ) in seconds, from
// /proc/config.gz or /boot/config-<release>; 10 ms, the longest tick Linux
// offers, when neither says.
double scheduler_tick_seconds();

}  // namespace execmond::test
