// What --config.check prints and what a reload compares and takes: each a
// walk over the settings table.
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

std::string describe(const Config& config) {
  std::string out;
  for (const Setting& setting : settings()) {
    if (setting.show == nullptr) continue;
    std::string shown = setting.show(config);
    if (shown.empty() && setting.omit_when_empty) continue;
    out += setting.key() + ": " + shown + "\n";
  }
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
