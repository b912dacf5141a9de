// The map operations the table readers need, behind an interface: the daemon
// reads the kernel side's array maps with batch operations (a few system
// calls a drain, and the tables stay kernel memory instead of pages mapped
// into the daemon); the unit tests read plain arrays.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "util/error.h"

namespace execmond {

class MapAccess {
 public:
  virtual ~MapAccess() = default;
  // Reads values [first, first + n) of array map `fd` into `out` (n values of
  // value_size bytes). The Error says why, as strerror does.
  virtual Status read_range(int fd, std::uint32_t first, std::span<std::byte> out,
                            std::size_t value_size) = 0;
  // Writes `values` (value_size bytes for each index, in order) at `indices`.
  virtual Status write_at(int fd, std::span<const std::uint32_t> indices,
                          std::span<const std::byte> values, std::size_t value_size) = 0;
  // Every value of hash map `fd` (value_size bytes each, keys of key_size bytes).
  virtual Result<std::vector<std::byte>> hash_values(int fd, std::size_t key_size,
                                                     std::size_t value_size) = 0;
};

// Entry `index` of per-CPU array `fd` (__u64 values), summed over `ncpus`
// CPUs: the kernel side's counters. The Error names `map`.
Result<std::uint64_t> per_cpu_sum(int fd, std::uint32_t index, std::uint32_t ncpus,
                                  const char* map);

// The kernel's maps, through the BPF system call.
class BpfMapAccess final : public MapAccess {
 public:
  Status read_range(int fd, std::uint32_t first, std::span<std::byte> out,
                    std::size_t value_size) override;
  Status write_at(int fd, std::span<const std::uint32_t> indices, std::span<const std::byte> values,
                  std::size_t value_size) override;
  Result<std::vector<std::byte>> hash_values(int fd, std::size_t key_size,
                                             std::size_t value_size) override;
};

template <typename T>
Status read_range(MapAccess& maps, int fd, std::uint32_t first, std::span<T> out) {
  return maps.read_range(fd, first, std::as_writable_bytes(out), sizeof(T));
}

// Writes `value` at every index.
template <typename T>
Status fill_at(MapAccess& maps, int fd, std::span<const std::uint32_t> indices, const T& value) {
  const std::vector<T> values(indices.size(), value);
  return maps.write_at(fd, indices, std::as_bytes(std::span(values)), sizeof(T));
}

}  // namespace execmond
