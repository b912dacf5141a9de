#include "app/event_loop.h"

#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <string>

#include "util/error.h"

namespace execmond {

namespace {

// The order fds_ holds them in: what is ready together is taken in this order.
enum Slot : std::size_t { kWatchdogSlot, kDrainSlot, kSignalSlot, kCgroupChangesSlot, kCheckSlot };

// Checks between drains: often enough that a table filling at the highest
// spawn rate is drained before it is full, rarely enough to cost nothing.
constexpr std::chrono::microseconds kLongestCheckInterval{100'000};

UniqueFd lifecycle_signal_fd() {
  sigset_t signals;
  sigemptyset(&signals);
  for (int sig : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&signals, sig);
  return UniqueFd(signalfd(-1, &signals, SFD_CLOEXEC));
}

void arm_timer(int fd, std::chrono::microseconds interval) {
  itimerspec spec{};
  spec.it_interval.tv_sec = static_cast<time_t>(interval.count() / 1000000);
  spec.it_interval.tv_nsec = static_cast<long>((interval.count() % 1000000) * 1000);
  spec.it_value = spec.it_interval;
  timerfd_settime(fd, 0, &spec, nullptr);
}

void consume_timer(int fd) {
  std::uint64_t expirations = 0;
  [[maybe_unused]] ssize_t n = read(fd, &expirations, sizeof(expirations));
}

// Takes POLLIN off `fd`; true if it was there.
bool take(pollfd& fd) {
  if ((fd.revents & POLLIN) == 0) return false;
  fd.revents = 0;
  return true;
}

}  // namespace

EventLoop::EventLoop()
    : signals_(lifecycle_signal_fd()),
      drain_timer_(timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC)),
      watchdog_timer_(timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC)),
      check_timer_(timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC)) {
  if (!signals_.valid() || !drain_timer_.valid() || !watchdog_timer_.valid() ||
      !check_timer_.valid()) {
    throw Fatal(std::string("cannot create the event loop's descriptors: ") + std::strerror(errno));
  }
  fds_[kWatchdogSlot] = {watchdog_timer_.get(), POLLIN, 0};
  fds_[kDrainSlot] = {drain_timer_.get(), POLLIN, 0};
  fds_[kSignalSlot] = {signals_.get(), POLLIN, 0};
  fds_[kCgroupChangesSlot] = {-1, POLLIN, 0};  // poll() skips a negative fd
  fds_[kCheckSlot] = {check_timer_.get(), POLLIN, 0};
}

void EventLoop::watch_cgroup_changes(int fd) { fds_[kCgroupChangesSlot] = {fd, POLLIN, 0}; }

void EventLoop::set_drain_interval(std::chrono::microseconds interval) {
  arm_timer(drain_timer_.get(), interval);
  arm_timer(check_timer_.get(), std::min(interval / 10, kLongestCheckInterval));
}

void EventLoop::set_watchdog_interval(std::chrono::microseconds interval) {
  arm_timer(watchdog_timer_.get(), interval);
}

bool EventLoop::take_ready(LoopEvent& event) {
  if (take(fds_[kWatchdogSlot])) {
    consume_timer(watchdog_timer_.get());
    event = LoopEvent::Watchdog;
    return true;
  }
  if (take(fds_[kDrainSlot])) {
    consume_timer(drain_timer_.get());
    event = LoopEvent::Drain;
    return true;
  }
  if (take(fds_[kSignalSlot])) {
    signalfd_siginfo info{};
    if (read(signals_.get(), &info, sizeof(info)) != sizeof(info)) return false;
    if (info.ssi_signo == SIGHUP) {
      event = LoopEvent::Reload;
    } else {
      stop_signal_ = static_cast<int>(info.ssi_signo);
      event = LoopEvent::Stop;
    }
    return true;
  }
  if (take(fds_[kCgroupChangesSlot])) {
    event = LoopEvent::CgroupChanges;
    return true;
  }
  if (take(fds_[kCheckSlot])) {
    consume_timer(check_timer_.get());
    event = LoopEvent::Check;
    return true;
  }
  return false;
}

LoopEvent EventLoop::next() {
  LoopEvent event{};
  while (!take_ready(event)) {
    if (poll(fds_.data(), fds_.size(), -1) < 0 && errno != EINTR) {
      throw Fatal(std::string("poll: ") + std::strerror(errno));
    }
  }
  return event;
}

}  // namespace execmond
