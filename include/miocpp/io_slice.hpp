// IoSlice and IoSliceMut: buffers for vectored (scatter/gather) I/O.
#pragma once

#include <cstddef>
#include <span>
#include <type_traits>

#include "sys/sys.hpp"

namespace miocpp {

/// A buffer to write from, laid out exactly like the OS record (iovec on POSIX, WSABUF on
/// Windows), so a span of IoSlice is handed to writev/WSASend without copying.
class IoSlice {
 public:
  explicit IoSlice(std::span<const std::byte> bytes) noexcept
      : raw_(sys::make_io_vec(bytes.data(), bytes.size())) {}

  [[nodiscard]] const std::byte* data() const noexcept { return sys::io_vec_data(raw_); }
  [[nodiscard]] std::size_t size() const noexcept { return sys::io_vec_size(raw_); }
  [[nodiscard]] std::span<const std::byte> bytes() const noexcept { return {data(), size()}; }

 private:
  sys::IoVec raw_;
};

/// A buffer to read into, laid out exactly like the OS record (see IoSlice).
class IoSliceMut {
 public:
  explicit IoSliceMut(std::span<std::byte> bytes) noexcept
      : raw_(sys::make_io_vec(bytes.data(), bytes.size())) {}

  [[nodiscard]] std::byte* data() const noexcept { return sys::io_vec_data(raw_); }
  [[nodiscard]] std::size_t size() const noexcept { return sys::io_vec_size(raw_); }
  [[nodiscard]] std::span<std::byte> bytes() const noexcept { return {data(), size()}; }

 private:
  sys::IoVec raw_;
};

static_assert(sizeof(IoSlice) == sizeof(sys::IoVec) && std::is_standard_layout_v<IoSlice>);
static_assert(sizeof(IoSliceMut) == sizeof(sys::IoVec) && std::is_standard_layout_v<IoSliceMut>);

namespace detail {

/// The OS records behind a span of slices (the layouts are identical, see above).
inline std::span<const sys::IoVec> as_io_vecs(std::span<const IoSlice> slices) noexcept {
  return {reinterpret_cast<const sys::IoVec*>(slices.data()),  // NOLINT(*-reinterpret-cast)
          slices.size()};
}
inline std::span<const sys::IoVec> as_io_vecs(std::span<IoSliceMut> slices) noexcept {
  return {reinterpret_cast<const sys::IoVec*>(slices.data()),  // NOLINT(*-reinterpret-cast)
          slices.size()};
}

}  // namespace detail
}  // namespace miocpp
