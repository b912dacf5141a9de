// Ranges of BPF array maps read and written with batch operations: a drain
// reads the kernel side's tables with a few system calls, and the tables
// stay kernel memory instead of pages mapped into the daemon.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace execmond {

// Reads values [first, first + n) of array map `fd` into `out` (n values of
// value_size bytes). False on failure.
bool read_range(int fd, std::uint32_t first, std::span<std::byte> out, std::size_t value_size);
// Writes values (one per index, in order) at `indices`. False on failure.
bool write_at(int fd, std::span<const std::uint32_t> indices, const void* values);

template <typename T>
bool read_range(int fd, std::uint32_t first, std::span<T> out) {
  return read_range(fd, first, std::as_writable_bytes(out), sizeof(T));
}

// Writes `value` at every index.
template <typename T>
bool fill_at(int fd, std::span<const std::uint32_t> indices, const T& value) {
  const std::vector<T> values(indices.size(), value);
  return write_at(fd, indices, values.data());
}

}  // namespace execmond
