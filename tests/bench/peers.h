// The tools execmond is measured beside, run as child processes: bpftrace,
// libbpf-tools' execsnoop, prometheus-process-exporter and node_exporter,
// all from Debian packages. A missing one is reported with its package.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace execmond::bench {

struct PeerTool {
  std::string label;       // as the report names it
  std::string executable;  // looked up in PATH and the sbin directories
  std::string package;     // the Debian package that has it
};

const PeerTool& bpftrace_tool();
const PeerTool& execsnoop_tool();
const PeerTool& process_exporter_tool();
const PeerTool& node_exporter_tool();

// The tool's path, or nothing after printing how to install it.
std::optional<std::string> locate(const PeerTool& tool);

// A child process with stdout and stderr in a log file; killed when dropped.
class ChildProcess {
 public:
  ChildProcess(const std::string& path, const std::vector<std::string>& args,
               const std::string& log_path);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  bool running() const;
  // Sends `signal`, waits up to `timeout_ms`, then SIGKILLs; returns the wait status.
  int stop(int signal, int timeout_ms = 10000);

 private:
  pid_t pid_ = -1;
};

// A TCP port on 127.0.0.1 that was free a moment ago.
std::uint16_t free_port();
// Waits until http://127.0.0.1:port/metrics answers 200; false on timeout.
bool await_http(std::uint16_t port, int timeout_ms);

}  // namespace execmond::bench
