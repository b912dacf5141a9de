// Array and hash maps as plain memory, for the table readers' unit tests: a
// test lays out a table as the handlers would, and can make any map fail.
#pragma once

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <set>
#include <span>
#include <vector>

#include "kernel/array_map.h"
#include "util/error.h"

namespace execmond::test {

class FakeMapAccess final : public MapAccess {
 public:
  // An array map at `fd` of n zeroed values of T.
  template <typename T>
  void add_array(int fd, std::size_t n) {
    arrays_[fd] = Array{sizeof(T), std::vector<std::byte>(n * sizeof(T))};
  }
  template <typename T>
  T get(int fd, std::uint32_t index) const {
    T value{};
    std::memcpy(&value, arrays_.at(fd).bytes.data() + index * sizeof(T), sizeof(T));
    return value;
  }
  template <typename T>
  void set(int fd, std::uint32_t index, const T& value) {
    std::memcpy(arrays_.at(fd).bytes.data() + index * sizeof(T), &value, sizeof(T));
  }
  // A hash map at `fd` holding `values` (their keys do not matter to readers).
  template <typename T>
  void set_hash(int fd, const std::vector<T>& values) {
    hashes_[fd].assign(reinterpret_cast<const std::byte*>(values.data()),
                       reinterpret_cast<const std::byte*>(values.data() + values.size()));
  }

  std::set<int> failing_reads;   // maps whose reads fail with EIO
  std::set<int> failing_writes;  // maps whose writes fail with EIO
  int writes = 0;                // write_at() calls that wrote something

  Status read_range(int fd, std::uint32_t first, std::span<std::byte> out,
                    std::size_t value_size) override {
    if (failing_reads.count(fd) != 0) return Error{std::strerror(EIO)};
    const Array& a = arrays_.at(fd);
    if (value_size != a.value_size || (first * value_size) + out.size() > a.bytes.size()) {
      return Error{"out of range"};
    }
    std::memcpy(out.data(), a.bytes.data() + first * value_size, out.size());
    return {};
  }
  Status write_at(int fd, std::span<const std::uint32_t> indices, std::span<const std::byte> values,
                  std::size_t value_size) override {
    if (indices.empty()) return {};
    if (failing_writes.count(fd) != 0) return Error{std::strerror(EIO)};
    Array& a = arrays_.at(fd);
    if (value_size != a.value_size) return Error{"wrong value size"};
    for (std::size_t i = 0; i < indices.size(); ++i) {
      if ((indices[i] + 1) * value_size > a.bytes.size()) return Error{"out of range"};
      std::memcpy(a.bytes.data() + indices[i] * value_size, values.data() + i * value_size,
                  value_size);
    }
    ++writes;
    return {};
  }
  Result<std::vector<std::byte>> hash_values(int fd, std::size_t /*key_size*/,
                                             std::size_t /*value_size*/) override {
    if (failing_reads.count(fd) != 0) return Error{std::strerror(EIO)};
    return hashes_[fd];
  }

 private:
  struct Array {
    std::size_t value_size;
    std::vector<std::byte> bytes;
  };
  std::map<int, Array> arrays_;
  std::map<int, std::vector<std::byte>> hashes_;
};

}  // namespace execmond::test
