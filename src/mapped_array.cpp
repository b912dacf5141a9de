#include "mapped_array.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>
#include <utility>

namespace execmond {

MappedArray::MappedArray(int fd, std::size_t entries, std::size_t value_size) : entries_(entries) {
  // An array map's values are 8-byte aligned and start on the first page.
  const auto page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  const std::size_t stride = (value_size + 7) / 8 * 8;
  bytes_ = (entries * stride + page - 1) / page * page;
  void* addr = mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (addr == MAP_FAILED) throw std::system_error(errno, std::generic_category(), "mmap");
  addr_ = addr;
}

MappedArray::~MappedArray() {
  if (addr_ != nullptr) munmap(addr_, bytes_);
}

MappedArray::MappedArray(MappedArray&& other) noexcept
    : addr_(std::exchange(other.addr_, nullptr)),
      bytes_(std::exchange(other.bytes_, 0)),
      entries_(std::exchange(other.entries_, 0)) {}

MappedArray& MappedArray::operator=(MappedArray&& other) noexcept {
  if (this != &other) {
    if (addr_ != nullptr) munmap(addr_, bytes_);
    addr_ = std::exchange(other.addr_, nullptr);
    bytes_ = std::exchange(other.bytes_, 0);
    entries_ = std::exchange(other.entries_, 0);
  }
  return *this;
}

}  // namespace execmond
