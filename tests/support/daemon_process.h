// The real execmond binary as a child process under a fake service manager:
// NOTIFY_SOCKET names a datagram socket this object reads, so a caller sees
// READY=1, STATUS=, WATCHDOG=1 ... exactly as systemd would. Like systemd, it
// reads every datagram as it arrives (a thread of its own): a daemon's
// sd_notify() blocks once 10 unread datagrams (net.unix.max_dgram_qlen) wait.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace execmond::test {

class DaemonProcess {
 public:
  using Clock = std::chrono::steady_clock;

  // Starts `binary args...` with NOTIFY_SOCKET at `dir`/notify.sock and
  // `env` added; stdout and stderr go to `log_path` ("" keeps them).
  // `in_child` runs in the child before the exec (a mount namespace, a uid).
  DaemonProcess(const std::string& binary, const std::string& dir,
                const std::vector<std::string>& args,
                const std::map<std::string, std::string>& env = {},
                const std::string& log_path = "", const std::function<void()>& in_child = nullptr);
  ~DaemonProcess();  // SIGKILLs the daemon if it still runs
  DaemonProcess(const DaemonProcess&) = delete;
  DaemonProcess& operator=(const DaemonProcess&) = delete;

  // The next notification, or "" after `timeout_ms`.
  std::string receive(int timeout_ms = 10000);
  // Receives until a notification contains `what`; "" if none did in time.
  std::string await(const std::string& what, int timeout_ms = 10000);
  // Waits for READY=1 and reads the bound port from its STATUS= line;
  // throws std::runtime_error with the daemon's log when it never comes.
  std::uint16_t await_ready(int timeout_ms = 30000);

  // Every notification taken by receive() so far, in order.
  const std::vector<std::string>& received() const { return received_; }
  pid_t pid() const { return pid_; }
  std::uint16_t port() const { return port_; }
  Clock::time_point started_at() const { return started_at_; }
  // When the READY=1 datagram was read (await_ready).
  Clock::time_point ready_at() const { return ready_at_; }

  // Sends `signal` and waits for the exit; returns the wait status.
  int stop(int signal = 15);
  // Waits for a daemon that exits by itself (a start-up failure); the wait
  // status. One still running after `timeout_ms` is killed (SIGKILL's status).
  int wait(int timeout_ms = 30000);
  // What the daemon wrote to its log so far.
  std::string log() const;

 private:
  void read_notifications();

  std::string dir_;
  std::string log_path_;
  int sock_ = -1;
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
  Clock::time_point started_at_;
  Clock::time_point ready_at_;
  std::vector<std::string> received_;
  int wake_fd_ = -1;  // eventfd that stops the reader
  std::mutex mutex_;
  std::condition_variable arrived_;
  std::deque<std::string> pending_;  // read from the socket, not yet received
  std::thread reader_;
};

// The effective capability set (CapEff) of process `pid`; all bits set when
// /proc cannot tell, so that a test expecting few fails.
unsigned long long effective_capabilities_of(pid_t pid);

}  // namespace execmond::test
