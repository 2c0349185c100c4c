// The shell's descriptor I/O: scatter/gather records exist, every call reports
// std::errc::not_supported.
#pragma once

#include <cstddef>
#include <span>
#include <system_error>

#include "handle.hpp"
#include "unsupported.hpp"

namespace miocpp::sys::shell {

/// The same shape as POSIX's iovec, so IoSlice keeps its layout.
struct IoVec {
  void* base;
  std::size_t length;
};

inline IoVec make_io_vec(const void* data, std::size_t size) noexcept {
  return IoVec{const_cast<void*>(data), size};  // NOLINT(*-const-cast): one record for both ways
}
inline std::byte* io_vec_data(const IoVec& vec) noexcept {
  return static_cast<std::byte*>(vec.base);
}
inline std::size_t io_vec_size(const IoVec& vec) noexcept {
  return vec.length;
}

inline std::size_t read(int /*fd*/, std::span<std::byte> /*buffer*/, std::error_code& ec) noexcept {
  not_supported(ec);
  return 0;
}
inline std::size_t write(int /*fd*/, std::span<const std::byte> /*buffer*/,
                         std::error_code& ec) noexcept {
  not_supported(ec);
  return 0;
}
inline std::size_t read_vectored(int /*fd*/, std::span<const IoVec> /*buffers*/,
                                 std::error_code& ec) noexcept {
  not_supported(ec);
  return 0;
}
inline std::size_t write_vectored(int /*fd*/, std::span<const IoVec> /*buffers*/,
                                  std::error_code& ec) noexcept {
  not_supported(ec);
  return 0;
}
inline void set_nonblocking(int /*fd*/, bool /*nonblocking*/, std::error_code& ec) noexcept {
  not_supported(ec);
}
inline PipeEnds open_pipe(std::error_code& ec) noexcept {
  not_supported(ec);
  return {};
}

}  // namespace miocpp::sys::shell
