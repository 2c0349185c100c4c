// The scatter/gather record of the shell backend: the records exist (IoSlice is built on them),
// only the I/O that would take them is refused.
#pragma once

#include <cstddef>

namespace miocpp::sys::unsupported {

/// The same shape as POSIX's iovec, so IoSlice keeps its layout.
struct IoVec {
  void* base;
  std::size_t length;
};

/// concepts::IoVecs over IoVec.
struct IoVecs {
  static IoVec make(const void* data, std::size_t size) noexcept {
    return IoVec{const_cast<void*>(data), size};  // NOLINT(*-const-cast): one record both ways
  }
  static std::byte* data(const IoVec& vec) noexcept { return static_cast<std::byte*>(vec.base); }
  static std::size_t size(const IoVec& vec) noexcept { return vec.length; }
};

}  // namespace miocpp::sys::unsupported
