// Socket I/O on WASI preview1: sock_recv, sock_send and sock_shutdown on a socket the runtime
// handed to the module (a pre-opened listener, or a connection accepted from it).
//
// Preview1 has no call that names an address or an option, so local_addr, peer_addr, the TTL and
// the pending error come from the shell backend: they report std::errc::not_supported.
#pragma once

#include <cstddef>
#include <span>
#include <system_error>

#include <wasi/api.h>

#include "../../net/shutdown.hpp"
#include "error.hpp"
#include "file_io.hpp"
#include "io_vec.hpp"

namespace miocpp::sys::wasi {

/// sock_recv into `buffers`; `flags` are WASI's riflags (__WASI_RIFLAGS_RECV_PEEK, ...).
inline std::size_t receive_vectored(int fd, std::span<const IoVec> buffers, int flags,
                                    std::error_code& ec) noexcept {
  __wasi_size_t count = 0;
  __wasi_roflags_t out_flags = 0;
  const __wasi_errno_t error =
      __wasi_sock_recv(static_cast<__wasi_fd_t>(fd), buffers.data(), buffers.size(),
                       static_cast<__wasi_riflags_t>(flags), &count, &out_flags);
  return io_result(error, count, ec);
}

inline std::size_t receive_vectored(int fd, std::span<const IoVec> buffers,
                                    std::error_code& ec) noexcept {
  return receive_vectored(fd, buffers, 0, ec);
}

/// sock_send from `buffers`. A runtime has no SIGPIPE to raise: a closed peer is an error code.
inline std::size_t send_vectored(int fd, std::span<const IoVec> buffers,
                                 std::error_code& ec) noexcept {
  __wasi_size_t count = 0;
  const __wasi_errno_t error = __wasi_sock_send(
      static_cast<__wasi_fd_t>(fd), as_const_io_vecs(buffers), buffers.size(), 0, &count);
  return io_result(error, count, ec);
}

/// `flags` are WASI's riflags, as for receive_vectored (the POSIX MSG_* values mean nothing here).
inline std::size_t receive_bytes(int fd, std::span<std::byte> buffer, int flags,
                                 std::error_code& ec) noexcept {
  const IoVec vec = make_io_vec(buffer.data(), buffer.size());
  return receive_vectored(fd, std::span<const IoVec>(&vec, 1), flags, ec);
}

/// WASI has no send flags (siflags has none defined): `flags` must be 0, else
/// std::errc::not_supported.
inline std::size_t send_bytes(int fd, std::span<const std::byte> bytes, int flags,
                              std::error_code& ec) noexcept {
  if (flags != 0) {
    return shell::refuse<std::size_t>(ec);
  }
  const IoVec vec = make_io_vec(bytes.data(), bytes.size());
  return send_vectored(fd, std::span<const IoVec>(&vec, 1), ec);
}

inline std::size_t peek_bytes(int fd, std::span<std::byte> buffer, std::error_code& ec) noexcept {
  return receive_bytes(fd, buffer, __WASI_RIFLAGS_RECV_PEEK, ec);
}

/// sock_recv for a stream: a read into an empty buffer completes with 0 even when nothing is
/// queued, as on the other backends.
inline std::size_t receive_stream(int fd, std::span<std::byte> buffer, int flags,
                                  std::error_code& ec) noexcept {
  const std::size_t count = receive_bytes(fd, buffer, flags, ec);
  if (buffer.empty() && ec == std::errc::operation_would_block) {
    ec.clear();
  }
  return count;
}

inline std::size_t peek_stream(int fd, std::span<std::byte> buffer, std::error_code& ec) noexcept {
  return receive_stream(fd, buffer, __WASI_RIFLAGS_RECV_PEEK, ec);
}

inline void shutdown(int fd, net::Shutdown how, std::error_code& ec) noexcept {
  const __wasi_sdflags_t which = how == net::Shutdown::read ? __WASI_SDFLAGS_RD
                                 : how == net::Shutdown::write
                                     ? __WASI_SDFLAGS_WR
                                     : __WASI_SDFLAGS_RD | __WASI_SDFLAGS_WR;
  check(__wasi_sock_shutdown(static_cast<__wasi_fd_t>(fd), which), ec);
}

}  // namespace miocpp::sys::wasi
