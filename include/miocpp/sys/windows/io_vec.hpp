// The scatter/gather buffer record of Winsock (WSABUF), for IoSlice and IoSliceMut.
#pragma once

#include <algorithm>
#include <cstddef>

#include "windows.hpp"

namespace miocpp::sys::windows {

using IoVec = ::WSABUF;

/// WSABUF counts in a ULONG: a larger buffer is used in part (vectored calls may transfer less
/// than asked anyway).
inline IoVec make_io_vec(const void* data, std::size_t size) noexcept {
  // WSABUF has one pointer type for reading and writing; WSASend never writes through it.
  return IoVec{static_cast<ULONG>(std::min<std::size_t>(size, 0xFFFFFFFFU)),
               static_cast<char*>(const_cast<void*>(data))};  // NOLINT(*-const-cast)
}
inline std::byte* io_vec_data(const IoVec& vec) noexcept {
  return reinterpret_cast<std::byte*>(vec.buf);  // NOLINT(*-reinterpret-cast)
}
inline std::size_t io_vec_size(const IoVec& vec) noexcept {
  return vec.len;
}

}  // namespace miocpp::sys::windows
