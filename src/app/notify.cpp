#include "app/notify.h"

#include <systemd/sd-daemon.h>

#include <ctime>

namespace execmond::notify {

namespace {

void send(const std::string& message) { sd_notify(0, message.c_str()); }

std::uint64_t monotonic_usec() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1000000U +
         static_cast<std::uint64_t>(ts.tv_nsec) / 1000U;
}

}  // namespace

void ready(const std::string& status) { send("READY=1\nSTATUS=" + status); }
void status(const std::string& status) { send("STATUS=" + status); }
void reloading() { send("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(monotonic_usec())); }
void stopping() { send("STOPPING=1\nSTATUS=Shutting down"); }
void watchdog() { send("WATCHDOG=1"); }

std::optional<std::chrono::microseconds> watchdog_ping_interval() {
  std::uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return std::nullopt;
  return std::chrono::microseconds(usec / 2);
}

}  // namespace execmond::notify
