#include "daemon_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace execmond::test {

DaemonProcess::DaemonProcess(const std::string& binary, const std::string& dir,
                             const std::vector<std::string>& args,
                             const std::map<std::string, std::string>& env,
                             const std::string& log_path, const std::function<void()>& in_child)
    : dir_(dir), log_path_(log_path) {
  const std::string socket_path = dir + "/notify.sock";
  ::unlink(socket_path.c_str());
  sock_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  socket_path.copy(addr.sun_path, sizeof(addr.sun_path) - 1);
  if (sock_ < 0 || ::bind(sock_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    throw std::runtime_error("cannot bind the notify socket " + socket_path);
  }
  std::vector<std::string> argv_storage{binary};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : argv_storage) argv.push_back(a.data());
  argv.push_back(nullptr);
  started_at_ = Clock::now();
  pid_ = ::fork();
  if (pid_ == 0) {
    ::setenv("NOTIFY_SOCKET", socket_path.c_str(), 1);
    for (const auto& [name, value] : env) ::setenv(name.c_str(), value.c_str(), 1);
    if (!log_path.empty()) {
      int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd >= 0) {
        ::dup2(fd, 1);
        ::dup2(fd, 2);
      }
    }
    if (in_child) in_child();
    ::execv(binary.c_str(), argv.data());
    ::_exit(127);
  }
  wake_fd_ = ::eventfd(0, EFD_CLOEXEC);
  reader_ = std::thread([this] { read_notifications(); });
}

void DaemonProcess::read_notifications() {
  std::array<pollfd, 2> fds{{{sock_, POLLIN, 0}, {wake_fd_, POLLIN, 0}}};
  while (::poll(fds.data(), fds.size(), -1) >= 0 && (fds[1].revents & POLLIN) == 0) {
    char buf[4096];
    ssize_t n = ::recv(sock_, buf, sizeof(buf), MSG_DONTWAIT);
    if (n <= 0) continue;
    std::lock_guard lock(mutex_);
    pending_.emplace_back(buf, static_cast<std::size_t>(n));
    arrived_.notify_all();
  }
}

DaemonProcess::~DaemonProcess() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  const std::uint64_t one = 1;
  [[maybe_unused]] const ssize_t woken = ::write(wake_fd_, &one, sizeof(one));
  reader_.join();
  ::close(wake_fd_);
  ::close(sock_);
}

std::string DaemonProcess::receive(int timeout_ms) {
  std::unique_lock lock(mutex_);
  if (!arrived_.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                         [this] { return !pending_.empty(); })) {
    return "";
  }
  received_.push_back(std::move(pending_.front()));
  pending_.pop_front();
  return received_.back();
}

std::string DaemonProcess::await(const std::string& what, int timeout_ms) {
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return "";
    std::string message = receive(static_cast<int>(left.count()));
    if (message.empty()) return "";
    if (message.find(what) != std::string::npos) return message;
  }
}

std::uint16_t DaemonProcess::await_ready(int timeout_ms) {
  std::string ready = await("READY=1", timeout_ms);
  ready_at_ = Clock::now();
  std::smatch port;
  if (ready.empty() || !std::regex_search(ready, port, std::regex("port ([0-9]+)"))) {
    throw std::runtime_error("execmond sent no READY=1 with a port (got \"" + ready +
                             "\"); its log:\n" + log());
  }
  port_ = static_cast<std::uint16_t>(std::stoi(port[1]));
  return port_;
}

std::string DaemonProcess::log() const {
  std::ostringstream text;
  if (!log_path_.empty()) text << std::ifstream(log_path_).rdbuf();
  return text.str();
}

int DaemonProcess::wait(int timeout_ms) {
  if (pid_ <= 0) return -1;
  int status = 0;
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  while (::waitpid(pid_, &status, WNOHANG) == 0) {
    if (Clock::now() >= deadline) {
      // A daemon that was meant to fail but runs on: end it, so the test
      // fails on its status instead of hanging the suite.
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  pid_ = -1;
  return status;
}

int DaemonProcess::stop(int signal) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, signal);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  return status;
}

unsigned long long effective_capabilities_of(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("CapEff:", 0) == 0) return std::stoull(line.substr(7), nullptr, 16);
  }
  return ~0ULL;
}

}  // namespace execmond::test
