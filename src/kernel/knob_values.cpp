// The handlers' knobs as the kernel side takes them, from the configuration's
// values (declared in kernel/tracer.h).
#include <cmath>
#include <cstddef>
#include <iterator>

#include "config/enum_names.h"
#include "execmond.h"
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
