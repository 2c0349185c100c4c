// IoSlice and IoSliceMut: buffers for vectored (scatter/gather) I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>

#include "sys/sys.hpp"

namespace miocpp {

/// A buffer to write from, laid out exactly like the OS record (iovec on POSIX, WSABUF on
/// Windows), so a span of IoSlice is handed to writev/WSASend without copying.
///
/// It refers to the bytes without owning them: they must outlive the write call. Used by the
/// write_vectored calls (net::TcpStream, net::UnixStream, posix::pipe::Sender).
class IoSlice {
 public:
  /// Refers to `bytes`. On Windows a WSABUF counts in 32 bits: a buffer of 4 GiB or more is
  /// cut to its first 4 GiB - 1 bytes.
  explicit IoSlice(std::span<const std::byte> bytes) noexcept
      : raw_(sys::IoVecs::make(bytes.data(), bytes.size())) {}

  /// The first byte.
  [[nodiscard]] const std::byte* data() const noexcept { return sys::IoVecs::data(raw_); }
  /// The number of bytes.
  [[nodiscard]] std::size_t size() const noexcept { return sys::IoVecs::size(raw_); }
  /// The bytes as a span.
  [[nodiscard]] std::span<const std::byte> bytes() const noexcept { return {data(), size()}; }

 private:
  sys::IoVec raw_;
};

/// A buffer to read into, laid out exactly like the OS record (see IoSlice).
///
/// It refers to the bytes without owning them. Used by the read_vectored calls
/// (net::TcpStream, net::UnixStream, posix::pipe::Receiver), which fill the slices in order.
class IoSliceMut {
 public:
  /// Refers to `bytes` (on Windows at most 4 GiB - 1 of them, as for IoSlice).
  explicit IoSliceMut(std::span<std::byte> bytes) noexcept
      : raw_(sys::IoVecs::make(bytes.data(), bytes.size())) {}

  /// The first byte.
  [[nodiscard]] std::byte* data() const noexcept { return sys::IoVecs::data(raw_); }
  /// The number of bytes.
  [[nodiscard]] std::size_t size() const noexcept { return sys::IoVecs::size(raw_); }
  /// The bytes as a span.
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

/// The bytes `slices` hold in all (capped at SIZE_MAX, which no system call moves anyway).
template <class Slice>
std::size_t total_size(std::span<Slice> slices) noexcept {
  std::size_t total = 0;
  for (const Slice& slice : slices) {
    total = slice.size() > SIZE_MAX - total ? SIZE_MAX : total + slice.size();
  }
  return total;
}

}  // namespace detail
}  // namespace miocpp
