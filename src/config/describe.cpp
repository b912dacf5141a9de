// What --config.check prints and what a reload compares and takes: each a
// walk over the settings table; the first two then add what the kernel side
// reads, which several settings decide together.
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "config/config.h"
#include "config/settings.h"

namespace execmond {

using detail::Restart;
using detail::Setting;
using detail::settings;

namespace {

std::string on_off(bool on) { return on ? "on" : "off"; }

// What the kernel side reads, which its loader sets: derived from several
// settings, so reported apart from their keys.
struct KernelRead {
  const char* what;
  bool (*needed)(const Config&);
};
constexpr KernelRead kKernelReads[] = {
    {"command-line capture", needs_cmdline},
    {"parent comm recording", needs_parent},
};

}  // namespace

std::string describe(const Config& config) {
  std::string out;
  for (const Setting& setting : settings()) {
    if (setting.show == nullptr) continue;
    std::string shown = setting.show(config);
    if (shown.empty() && setting.omit_when_empty) continue;
    out += setting.key() + ": " + shown + "\n";
  }
  out += "command lines: ";
  const std::string bound =
      ", up to " + std::to_string(config.naming.cmdline_max_bytes) + " bytes\n";
  if (needs_cmdline(config)) {
    out += "captured" + bound;
  } else if (config.records.enabled && config.records.cmdline) {
    // At the exit from 6.16 on; before, the loader reads them at each exec.
    out += "read for exit records only" + bound;
  } else {
    out += "not captured\n";
  }
  out += std::string("parent comm: ") + (needs_parent(config) ? "recorded" : "not recorded") + "\n";
  return out;
}

std::vector<std::string> restart_only_differences(const Config& running, const Config& wanted) {
  std::vector<std::string> differences;
  for (const Setting& setting : settings()) {
    if (setting.restart == Restart::No || setting.show == nullptr ||
        setting.show(running) == setting.show(wanted)) {
      continue;
    }
    std::string key =
        setting.restart == Restart::AsSection ? std::string(setting.section) : setting.key();
    if (std::find(differences.begin(), differences.end(), key) == differences.end()) {
      differences.push_back(std::move(key));
    }
  }
  for (const KernelRead& read : kKernelReads) {
    const bool was = read.needed(running);
    const bool now = read.needed(wanted);
    if (was != now) {
      differences.push_back(std::string(read.what) + " (was " + on_off(was) + ", now " +
                            on_off(now) + ")");
    }
  }
  return differences;
}

Config take_reloadable(const Config& running, const Config& wanted) {
  Config taken = running;
  for (const Setting& setting : settings()) {
    if (setting.take != nullptr) setting.take(taken, wanted);
  }
  return taken;
}

}  // namespace execmond
