// The scatter/gather buffer record of POSIX (struct iovec), for IoSlice and IoSliceMut.
#pragma once

#include <sys/uio.h>

#include <cstddef>

namespace miocpp::sys::posix {

using IoVec = ::iovec;

inline IoVec make_io_vec(const void* data, std::size_t size) noexcept {
  // iovec has one pointer type for reading and writing; writev never writes through it.
  return IoVec{const_cast<void*>(data), size};  // NOLINT(*-const-cast)
}
inline std::byte* io_vec_data(const IoVec& vec) noexcept {
  return static_cast<std::byte*>(vec.iov_base);
}
inline std::size_t io_vec_size(const IoVec& vec) noexcept {
  return vec.iov_len;
}

}  // namespace miocpp::sys::posix
