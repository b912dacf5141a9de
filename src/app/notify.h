// systemd's notify protocol via libsystemd. Every call is a no-op when the
// daemon was not started by systemd (no NOTIFY_SOCKET), so it runs anywhere.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace execmond::notify {

void ready(const std::string& status);
void status(const std::string& status);
// RELOADING=1 with MONOTONIC_USEC, as Type=notify-reload expects.
void reloading();
void stopping();
void watchdog();
// Half of WATCHDOG_USEC when systemd asked for pings, else nothing.
std::optional<std::chrono::microseconds> watchdog_ping_interval();

}  // namespace execmond::notify
