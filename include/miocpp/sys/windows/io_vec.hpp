// The scatter/gather buffer record of Winsock (WSABUF), for IoSlice and IoSliceMut.
#pragma once

#include <algorithm>
#include <cstddef>

#include "windows.hpp"

namespace miocpp::sys::windows {

using IoVec = ::WSABUF;

/// concepts::IoVecs over WSABUF.
struct IoVecs {
  /// WSABUF counts in a ULONG: a larger buffer is used in part (vectored calls may transfer less
  /// than asked anyway).
  static IoVec make(const void* data, std::size_t size) noexcept {
    // WSABUF has one pointer type for reading and writing; WSASend never writes through it.
    return IoVec{static_cast<ULONG>(std::min<std::size_t>(size, 0xFFFFFFFFU)),
                 static_cast<char*>(const_cast<void*>(data))};  // NOLINT(*-const-cast)
  }
  static std::byte* data(const IoVec& vec) noexcept {
    return reinterpret_cast<std::byte*>(vec.buf);  // NOLINT(*-reinterpret-cast)
  }
  static std::size_t size(const IoVec& vec) noexcept { return vec.len; }
};

}  // namespace miocpp::sys::windows
