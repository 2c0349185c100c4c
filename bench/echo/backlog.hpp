// Backlog: the bytes a connection could not write yet.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace echo {

/// While a connection has a backlog it reads nothing more: a client that does not read its echo
/// slows itself down instead of growing the server's memory. Every server here does the same (in
/// libuv and Asio the library holds the bytes, and reading stops until the write completes).
class Backlog {
 public:
  [[nodiscard]] bool empty() const noexcept { return offset_ == bytes_.size(); }
  [[nodiscard]] std::span<const std::byte> rest() const noexcept {
    return std::span(bytes_).subspan(offset_);
  }
  void keep(std::span<const std::byte> bytes) {
    bytes_.assign(bytes.begin(), bytes.end());
    offset_ = 0;
  }
  void consume(std::size_t count) noexcept { offset_ += count; }

 private:
  std::vector<std::byte> bytes_;
  std::size_t offset_ = 0;
};

}  // namespace echo
