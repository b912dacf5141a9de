#include "config/config.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "config/enum_names.h"

namespace execmond {
namespace {

double round_to_3_digits(double value) {
  char buf[32];
  (void)std::snprintf(buf, sizeof buf, "%.3g", value);  // cannot fail: fits in buf
  return std::strtod(buf, nullptr);
}

}  // namespace

LabelConfig::LabelConfig() { per_family.fill({LabelSource::Comm}); }

bool LabelConfig::uses(LabelSource source) const {
  return std::any_of(per_family.begin(), per_family.end(), [&](const auto& labels) {
    return std::find(labels.begin(), labels.end(), source) != labels.end();
  });
}

bool FilterRules::empty() const {
  return comm.empty() && comm_regex.empty() && exe.empty() && exe_regex.empty() && unit.empty() &&
         cgroup_prefix.empty() && uid.empty();
}

Config::Config()
    : lifetime_buckets(default_lifetime_buckets()), peak_rss_buckets(default_peak_rss_buckets()) {}

std::vector<double> default_peak_rss_buckets() {
  // 1 MiB, 4 MiB, ... 64 GiB: a factor of four per bucket, nine bounds.
  std::vector<double> bounds;
  for (std::uint64_t bytes = std::uint64_t{1} << 20; bytes <= std::uint64_t{64} << 30; bytes *= 4)
    bounds.push_back(static_cast<double>(bytes));
  return bounds;
}

std::vector<double> default_lifetime_buckets() {
  constexpr double kDay = 86400;
  std::vector<double> bounds;
  // Multiply the exact value and round each bound on its own, so rounding
  // errors do not pile up along the scale.
  for (int i = 0;; ++i) {
    const double exact = 0.001 * std::pow(2.5, i);
    if (exact > kDay) break;
    bounds.push_back(round_to_3_digits(exact));
  }
  if (bounds.back() < kDay) bounds.push_back(kDay);
  return bounds;
}

std::string to_string(AttachMode mode) { return std::string(name_in(kAttachModeNames, mode)); }
std::string to_string(LogTarget target) { return std::string(name_in(kLogTargetNames, target)); }
std::string to_string(LabelSource source) {
  return std::string(name_in(kLabelSourceNames, source));
}
std::string to_string(Family family) { return std::string(name_in(kFamilyNames, family)); }
std::string to_string(Resource resource) { return std::string(name_in(kResourceNames, resource)); }
std::string to_string(InterpreterStyle style) {
  return std::string(name_in(kInterpreterStyleNames, style));
}

bool needs_cmdline(const Config& config) {
  // Command lines show only through the labels made of them.
  if (config.labels.uses(LabelSource::Script)) return true;
  if (!config.labels.uses(LabelSource::Program)) return false;
  // Rules read argv (selectors, {{.ExeBase}}, matches); the comm fallback does not.
  return config.naming.unmatched == Unmatched::Script || !config.naming.rules.empty();
}

bool needs_parent(const Config& config) { return config.labels.uses(LabelSource::Parent); }

}  // namespace execmond
