// The handlers' knobs as the kernel side takes them, from the configuration's
// values (declared in kernel/tracer.h).
#include <cmath>
#include <cstddef>
#include <iterator>

#include "config/enum_names.h"
#include "execmond.h"
#include "identity/identity_resolver.h"
#include "kernel/tracer.h"

namespace execmond {

std::uint32_t resource_bits(const std::vector<Resource>& resources) {
  // The kernel side's bit of each Resource, in the enum's order.
  constexpr std::uint32_t kBit[] = {EXECMOND_RESOURCE_CPU, EXECMOND_RESOURCE_MEMORY,
                                    EXECMOND_RESOURCE_IO, EXECMOND_RESOURCE_FAULTS,
                                    EXECMOND_RESOURCE_SWITCHES};
  static_assert(std::size(kBit) == std::size(kResourceNames));
  std::uint32_t bits = 0;
  for (Resource r : resources) bits |= kBit[static_cast<std::size_t>(r)];
  return bits;
}

TracerOptions tracer_options(const Config& config, const std::string& btf_path) {
  const bool records = config.records.enabled;
  TracerOptions o;
  o.max_processes = config.max_processes;
  o.max_keys = config.max_keys;
  o.attach_mode = config.attach_mode;
  o.lifetime_buckets = config.lifetime_buckets;
  // A record names the executable, whatever the labels carry.
  // The labels' and filters' need: a record reads its executable at the exit
  // (6.16 on), or the loader turns this on (set_record_knobs()).
  o.record_exe = SourcesNeeded::of_labels(config).exe;
  o.btf_path = btf_path;
  o.resources = resource_bits(config.resources);
  o.peak_rss_bounds = rss_bounds_bytes(config.peak_rss_buckets);
  o.cmdline_in_keys = needs_cmdline(config);
  o.capture_cmdline = o.cmdline_in_keys;  // at each exec; the loader may add the records' need
  o.records_cmdline = records && config.records.cmdline;
  o.cmdline_max_bytes = config.naming.cmdline_max_bytes;
  o.record_parent = needs_parent(config);
  o.exit_records_bytes = records ? config.records.kernel_buffer_bytes : 0;
  return o;
}

TableSizes plan_tables(const TracerOptions& options, std::uint32_t ncpus) {
  // The records' command lines need the capture's maps wherever they are read.
  return plan_tables(options.max_keys, options.max_processes, ncpus, options.resources != 0,
                     options.capture_cmdline || options.records_cmdline, options.record_parent,
                     options.cmdline_in_keys, options.exit_records_bytes, options.capture_cmdline);
}

std::vector<std::uint64_t> lifetime_bounds_ns(const std::vector<double>& seconds) {
  std::vector<std::uint64_t> ns;
  ns.reserve(seconds.size());
  for (double s : seconds) {
    ns.push_back(static_cast<std::uint64_t>(std::llround(s * 1e9)));
  }
  return ns;
}

std::vector<std::uint64_t> rss_bounds_bytes(const std::vector<double>& bytes) {
  std::vector<std::uint64_t> whole;
  whole.reserve(bytes.size());
  for (double b : bytes) whole.push_back(static_cast<std::uint64_t>(std::llround(b)));
  return whole;
}

}  // namespace execmond
