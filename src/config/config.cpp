#include "config/config.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

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

std::string to_string(AttachMode mode) {
  switch (mode) {
    case AttachMode::TpBtf:
      return "tp_btf";
    case AttachMode::Tracepoint:
      return "tracepoint";
    case AttachMode::Auto:
      break;
  }
  return "auto";
}

std::string to_string(LogTarget target) {
  return target == LogTarget::Journal ? "journal" : "stderr";
}

std::string to_string(LabelSource source) {
  switch (source) {
    case LabelSource::Exe:
      return "exe";
    case LabelSource::Unit:
      return "unit";
    case LabelSource::Cgroup:
      return "cgroup";
    case LabelSource::ContainerId:
      return "container_id";
    case LabelSource::Uid:
      return "uid";
    case LabelSource::User:
      return "user";
    case LabelSource::Comm:
      break;
  }
  return "comm";
}

std::string to_string(Family family) {
  switch (family) {
    case Family::Forks:
      return "forks";
    case Family::Exits:
      return "exits";
    case Family::Lifetime:
      return "lifetime";
    case Family::Processes:
      return "processes";
    case Family::Cpu:
      return "cpu";
    case Family::PeakRss:
      return "peak_rss";
    case Family::Io:
      return "io";
    case Family::PageFaults:
      return "page_faults";
    case Family::ContextSwitches:
      return "context_switches";
    case Family::OomKills:
      return "oom_kills";
    case Family::Execs:
      break;
  }
  return "execs";
}

std::string to_string(Resource resource) {
  switch (resource) {
    case Resource::Memory:
      return "memory";
    case Resource::Io:
      return "io";
    case Resource::Faults:
      return "faults";
    case Resource::ContextSwitches:
      return "context_switches";
    case Resource::Cpu:
      break;
  }
  return "cpu";
}

}  // namespace execmond
