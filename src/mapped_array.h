// A BPF_F_MMAPABLE array map mapped into the daemon: the tables the kernel
// side writes are read (and emptied) in place, with no system call per entry.
#pragma once

#include <cstddef>
#include <span>

namespace execmond {

class MappedArray {
 public:
  MappedArray() = default;
  // Maps `entries` values of `value_size` bytes of map `fd`; throws
  // std::system_error when the kernel refuses.
  MappedArray(int fd, std::size_t entries, std::size_t value_size);
  ~MappedArray();
  MappedArray(MappedArray&& other) noexcept;
  MappedArray& operator=(MappedArray&& other) noexcept;
  MappedArray(const MappedArray&) = delete;
  MappedArray& operator=(const MappedArray&) = delete;

  // The values as an array of T (T must be the map's value type).
  template <typename T>
  std::span<T> as() const {
    static_assert(sizeof(T) % 8 == 0, "a mapped array's values are 8 bytes apart");
    return {static_cast<T*>(addr_), entries_};
  }

 private:
  void* addr_ = nullptr;
  std::size_t bytes_ = 0;
  std::size_t entries_ = 0;
};

}  // namespace execmond
