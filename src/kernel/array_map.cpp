#include "kernel/array_map.h"

#include <bpf/bpf.h>

#include <cerrno>
#include <vector>

namespace execmond {

bool read_range(int fd, std::uint32_t first, std::span<std::byte> out, std::size_t value_size) {
  const auto n = static_cast<std::uint32_t>(out.size() / value_size);
  std::vector<std::uint32_t> keys(n);
  std::uint32_t done = 0;
  while (done < n) {
    // The batch starts after the "previous" key; none means index 0.
    std::uint32_t prev = first + done - 1;
    std::uint32_t last = 0;
    std::uint32_t count = n - done;
    int err =
        bpf_map_lookup_batch(fd, first + done == 0 ? nullptr : &prev, &last, keys.data() + done,
                             out.data() + done * value_size, &count, nullptr);
    done += count;
    if (err == -ENOENT) break;  // the end of the map
    if (err != 0) return false;
  }
  return done == n;
}

bool write_at(int fd, std::span<const std::uint32_t> indices, const void* values) {
  auto count = static_cast<std::uint32_t>(indices.size());
  if (count == 0) return true;
  return bpf_map_update_batch(fd, indices.data(), values, &count, nullptr) == 0 &&
         count == indices.size();
}

}  // namespace execmond
