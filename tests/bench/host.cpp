#include "host.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

namespace execmond::bench {

namespace {

std::string file_text(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The value after "key:" on the first line of `text` that starts with `key`.
std::string field(const std::string& text, const std::string& key) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(key, 0) != 0) continue;
    auto colon = line.find_first_of(":=", key.size());
    if (colon == std::string::npos) continue;
    std::string v = line.substr(colon + 1);
    v.erase(0, v.find_first_not_of(" \t\""));
    while (!v.empty() && (v.back() == '"' || v.back() == ' ')) v.pop_back();
    return v;
  }
  return "";
}

}  // namespace

double cpu_seconds(pid_t pid) {
  // schedstat's first field is the thread's run time in ns: finer than the
  // 10 ms ticks of /proc/PID/stat, summed over the threads alive now.
  double ns = 0;
  const std::string tasks = "/proc/" + std::to_string(pid) + "/task";
  std::error_code ec;
  for (const auto& task : std::filesystem::directory_iterator(tasks, ec)) {
    std::ifstream in(task.path() / "schedstat");
    double run_ns = 0;
    if (in >> run_ns) ns += run_ns;
  }
  return ns / 1e9;
}

std::uint64_t rss_bytes(pid_t pid) {
  std::string kb = field(file_text("/proc/" + std::to_string(pid) + "/status"), "VmRSS");
  return kb.empty() ? 0 : std::stoull(kb) * 1024;
}

std::string machine_description() {
  utsname u{};
  uname(&u);
  std::string os = field(file_text("/etc/os-release"), "PRETTY_NAME");
  std::string cpu = field(file_text("/proc/cpuinfo"), "model name");
  std::string mem_kb = field(file_text("/proc/meminfo"), "MemTotal");
  char mem[32];
  std::snprintf(mem, sizeof(mem), "%.1f GiB",
                mem_kb.empty() ? 0.0 : std::stod(mem_kb) / (1024.0 * 1024.0));
  return os + ", kernel " + u.release + " " + u.machine + ", " +
         std::to_string(sysconf(_SC_NPROCESSORS_ONLN)) + " × " + cpu + ", " + mem;
}

std::string first_line_of(const std::string& command) {
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  if (p == nullptr) return "";
  char buf[512] = {};
  std::string line = std::fgets(buf, sizeof(buf), p) != nullptr ? buf : "";
  const int status = pclose(p);
  if (status != 0) return "";
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  return line;
}

std::string find_executable(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string dirs = std::string(path != nullptr ? path : "/usr/bin:/bin") + ":/usr/sbin:/sbin";
  std::istringstream parts(dirs);
  for (std::string dir; std::getline(parts, dir, ':');) {
    std::string candidate = dir + "/" + name;
    if (!dir.empty() && access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

}  // namespace execmond::bench
