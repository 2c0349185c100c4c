// The scatter/gather buffer record of POSIX (struct iovec), for IoSlice and IoSliceMut.
#pragma once

#include <sys/uio.h>

#include <cstddef>

namespace miocpp::sys::posix {

using IoVec = ::iovec;

/// concepts::IoVecs over iovec.
struct IoVecs {
  static IoVec make(const void* data, std::size_t size) noexcept {
    // iovec has one pointer type for reading and writing; writev never writes through it.
    return IoVec{const_cast<void*>(data), size};  // NOLINT(*-const-cast)
  }
  static std::byte* data(const IoVec& vec) noexcept {
    return static_cast<std::byte*>(vec.iov_base);
  }
  static std::size_t size(const IoVec& vec) noexcept { return vec.iov_len; }
};

}  // namespace miocpp::sys::posix
