#include "shell.h"

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>

namespace execmond::test {

std::pair<int, std::string> run_shell(const std::string& command) {
  std::string out;
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  if (p == nullptr) return {-1, "popen failed"};
  char buf[4096];
  std::size_t n = 0;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  const int status = pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

double scheduler_tick_seconds() {
  const auto [status, out] = run_shell(
      "{ zcat /proc/config.gz || cat /boot/config-$(uname -r); } 2>/dev/null | grep '^CONFIG_HZ='");
  const std::size_t eq = out.find('=');
  const long hz =
      status == 0 && eq != std::string::npos ? std::strtol(out.c_str() + eq + 1, nullptr, 10) : 0;
  return hz > 0 ? 1.0 / static_cast<double>(hz) : 0.010;
}

}  // namespace execmond::test
