// The daemon's one thread of control: a signalfd for SIGTERM, SIGINT and
// SIGHUP, timerfds for drains, for checks between drains and for systemd's
// watchdog, and the kernel's cgroup changes, polled together. The caller must have blocked
// those signals in all threads.
#pragma once

#include <array>
#include <chrono>

#include <poll.h>

#include "util/unique_fd.h"

namespace execmond {

enum class LoopEvent {
  Watchdog,       // time to ping systemd's watchdog
  Drain,          // time to drain
  Check,          // time to look whether the kernel's tables fill faster than drains empty them
  CgroupChanges,  // the kernel reported cgroups made or removed
  Reload,         // SIGHUP
  Stop,           // SIGTERM or SIGINT: stop_signal() says which
};

class EventLoop {
 public:
  // Throws Fatal when the descriptors cannot be made.
  EventLoop();

  // Re-arms the drain timer to fire every `interval` from now, and the
  // check timer ten times as often (at most every 100 ms).
  void set_drain_interval(std::chrono::microseconds interval);
  void set_watchdog_interval(std::chrono::microseconds interval);
  // Reports CgroupChanges while `fd` is readable (-1: never). The caller reads
  // it empty before the next call to next().
  void watch_cgroup_changes(int fd);

  // Blocks until the next event. Events that arrive together come out one
  // per call: watchdog, then drain, then a signal, then cgroup changes, then a check.
  // Throws Fatal when poll fails.
  LoopEvent next();
  // The signal that made next() return Stop.
  int stop_signal() const { return stop_signal_; }

 private:
  // The next event among those the last poll() found, if one is left.
  bool take_ready(LoopEvent& event);

  UniqueFd signals_;
  UniqueFd drain_timer_;
  UniqueFd watchdog_timer_;
  UniqueFd check_timer_;
  std::array<pollfd, 5> fds_{};
  int stop_signal_ = 0;
};

}  // namespace execmond
