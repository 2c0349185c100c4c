// The scatter/gather buffer record of WASI (__wasi_iovec_t), for IoSlice and IoSliceMut.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include <wasi/api.h>

namespace miocpp::sys::wasi {

using IoVec = ::__wasi_iovec_t;

// Writes take the same records as __wasi_ciovec_t, which differs only in the constness of `buf`.
static_assert(sizeof(::__wasi_iovec_t) == sizeof(::__wasi_ciovec_t) &&
              offsetof(::__wasi_iovec_t, buf_len) == offsetof(::__wasi_ciovec_t, buf_len));

/// concepts::IoVecs over __wasi_iovec_t.
struct IoVecs {
  static IoVec make(const void* data, std::size_t size) noexcept {
    // One record for reading and writing; a write never writes through it.
    return IoVec{static_cast<std::uint8_t*>(const_cast<void*>(data)),  // NOLINT(*-const-cast)
                 size};
  }
  static std::byte* data(const IoVec& vec) noexcept {
    return reinterpret_cast<std::byte*>(vec.buf);  // NOLINT(*-reinterpret-cast): bytes as bytes
  }
  static std::size_t size(const IoVec& vec) noexcept { return vec.buf_len; }
};

/// The records of `buffers` as the const records the write calls take.
inline const ::__wasi_ciovec_t* as_const_io_vecs(std::span<const IoVec> buffers) noexcept {
  return reinterpret_cast<const ::__wasi_ciovec_t*>(  // NOLINT(*-reinterpret-cast): same layout
      buffers.data());
}

}  // namespace miocpp::sys::wasi
