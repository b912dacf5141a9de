#include "peers.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <thread>

#include "host.h"
#include "http_client.h"

namespace execmond::bench {

const PeerTool& bpftrace_tool() {
  static const PeerTool t{"bpftrace", "bpftrace", "bpftrace"};
  return t;
}
const PeerTool& execsnoop_tool() {
  static const PeerTool t{"execsnoop (libbpf-tools)", "execsnoop", "libbpf-tools"};
  return t;
}
const PeerTool& process_exporter_tool() {
  static const PeerTool t{"process-exporter", "prometheus-process-exporter",
                          "prometheus-process-exporter"};
  return t;
}
const PeerTool& node_exporter_tool() {
  static const PeerTool t{"node_exporter", "prometheus-node-exporter", "prometheus-node-exporter"};
  return t;
}

std::optional<std::string> locate(const PeerTool& tool) {
  std::string path = find_executable(tool.executable);
  if (!path.empty()) return path;
  std::printf("  %s is missing: its rows are left empty (apt-get install %s)\n", tool.label.c_str(),
              tool.package.c_str());
  return std::nullopt;
}

ChildProcess::ChildProcess(const std::string& path, const std::vector<std::string>& args,
                           const std::string& log_path) {
  std::vector<std::string> storage{path};
  storage.insert(storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : storage) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed for " + path);
  if (pid_ == 0) {
    int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
    }
    int null = open("/dev/null", O_RDONLY);
    if (null >= 0) dup2(null, 0);
    execv(path.c_str(), argv.data());
    _exit(127);
  }
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0) stop(SIGKILL);
}

bool ChildProcess::running() const { return pid_ > 0 && waitpid(pid_, nullptr, WNOHANG) == 0; }

int ChildProcess::stop(int signal, int timeout_ms) {
  if (pid_ <= 0) return -1;
  kill(pid_, signal);
  int status = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (waitpid(pid_, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  pid_ = -1;
  return status;
}

std::uint16_t free_port() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    throw std::runtime_error("cannot find a free port");
  }
  close(fd);
  return ntohs(addr.sin_port);
}

bool await_http(std::uint16_t port, int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    try {
      if (test::http_get(port, "/metrics", {}, 2000).status == 200) return true;
    } catch (const std::exception&) {
      // not listening yet
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

}  // namespace execmond::bench
