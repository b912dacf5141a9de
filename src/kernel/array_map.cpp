#include "kernel/array_map.h"

#include <bpf/bpf.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

namespace execmond {

namespace {

// libbpf returns -errno.
Error failure(int err) { return Error{std::strerror(err < 0 ? -err : err)}; }

}  // namespace

Status BpfMapAccess::read_range(int fd, std::uint32_t first, std::span<std::byte> out,
                                std::size_t value_size) {
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
    if (err != 0) return failure(err);
  }
  if (done != n) {
    return Error{"the map ended after " + std::to_string(first + done) + " values, not " +
                 std::to_string(first + n)};
  }
  return {};
}

Status BpfMapAccess::write_at(int fd, std::span<const std::uint32_t> indices,
                              std::span<const std::byte> values, std::size_t /*value_size*/) {
  auto count = static_cast<std::uint32_t>(indices.size());
  if (count == 0) return {};
  if (int err = bpf_map_update_batch(fd, indices.data(), values.data(), &count, nullptr);
      err != 0) {
    return failure(err);
  }
  if (count != indices.size()) {
    return Error{"wrote " + std::to_string(count) + " of " + std::to_string(indices.size()) +
                 " values"};
  }
  return {};
}

Result<std::vector<std::byte>> BpfMapAccess::hash_values(int fd, std::size_t key_size,
                                                         std::size_t value_size) {
  constexpr std::uint32_t kBatch = 1024;
  std::vector<std::byte> keys(kBatch * key_size);
  std::vector<std::byte> batch(kBatch * value_size);
  std::vector<std::byte> values;
  std::uint32_t token = 0;  // a hash map's batch position: a bucket number
  for (bool first = true;; first = false) {
    std::uint32_t n = kBatch;
    int err = bpf_map_lookup_batch(fd, first ? nullptr : &token, &token, keys.data(), batch.data(),
                                   &n, nullptr);
    values.insert(values.end(), batch.begin(), batch.begin() + n * value_size);
    if (err == -ENOENT) return values;
    if (err != 0) return failure(err);
  }
}

Result<std::uint64_t> per_cpu_sum(int fd, std::uint32_t index, std::uint32_t ncpus,
                                  const char* map) {
  std::vector<std::uint64_t> per_cpu(ncpus);
  if (bpf_map_lookup_elem(fd, &index, per_cpu.data()) != 0) {
    return Error{std::string("cannot read ") + map + ": " + std::strerror(errno)};
  }
  std::uint64_t sum = 0;
  for (std::uint64_t n : per_cpu) sum += n;
  return sum;
}

}  // namespace execmond
