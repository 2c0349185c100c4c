// Socket I/O on WASI preview1: sock_recv, sock_send and sock_shutdown on a socket the runtime
// handed to the module (a pre-opened listener, or a connection accepted from it).
//
// Preview1 has no call that names an address or an option, so local_addr, peer_addr, the TTL and
// the pending error are refused (std::errc::not_supported).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <system_error>

#include <wasi/api.h>

#include "../../net/shutdown.hpp"
#include "../../net/socket_addr.hpp"
#include "../unsupported/sockets.hpp"
#include "error.hpp"
#include "io_vec.hpp"

namespace miocpp::sys::wasi {

/// concepts::Sockets over WASI sockets.
struct Sockets {
  static std::size_t send(int fd, std::span<const std::byte> bytes, std::error_code& ec) noexcept {
    const IoVec vec = IoVecs::make(bytes.data(), bytes.size());
    return send_vectored(fd, std::span<const IoVec>(&vec, 1), ec);
  }

  static std::size_t receive(int fd, std::span<std::byte> buffer, std::error_code& ec) noexcept {
    const IoVec vec = IoVecs::make(buffer.data(), buffer.size());
    return sock_recv(fd, std::span<const IoVec>(&vec, 1), 0, ec);
  }

  /// sock_recv with RECV_PEEK: the bytes stay queued for the next read.
  static std::size_t peek(int fd, std::span<std::byte> buffer, std::error_code& ec) noexcept {
    const IoVec vec = IoVecs::make(buffer.data(), buffer.size());
    return sock_recv(fd, std::span<const IoVec>(&vec, 1), __WASI_RIFLAGS_RECV_PEEK, ec);
  }

  /// sock_send. A runtime has no SIGPIPE to raise: a closed peer is an error code.
  static std::size_t send_vectored(int fd, std::span<const IoVec> buffers,
                                   std::error_code& ec) noexcept {
    __wasi_size_t count = 0;
    const __wasi_errno_t error = __wasi_sock_send(
        static_cast<__wasi_fd_t>(fd), as_const_io_vecs(buffers), buffers.size(), 0, &count);
    return io_result(error, count, ec);
  }

  static std::size_t receive_vectored(int fd, std::span<const IoVec> buffers,
                                      std::error_code& ec) noexcept {
    return sock_recv(fd, buffers, 0, ec);
  }

  static void shutdown(int fd, net::Shutdown how, std::error_code& ec) noexcept {
    const __wasi_sdflags_t which = how == net::Shutdown::read ? __WASI_SDFLAGS_RD
                                   : how == net::Shutdown::write
                                       ? __WASI_SDFLAGS_WR
                                       : __WASI_SDFLAGS_RD | __WASI_SDFLAGS_WR;
    check(__wasi_sock_shutdown(static_cast<__wasi_fd_t>(fd), which), ec);
  }

  // Refused: preview1 names no address (and has no socket option: unsupported::SocketOptions).
  static net::SocketAddr local_addr(int fd, std::error_code& ec) noexcept {
    return unsupported::Sockets::local_addr(fd, ec);
  }
  static net::SocketAddr peer_addr(int fd, std::error_code& ec) noexcept {
    return unsupported::Sockets::peer_addr(fd, ec);
  }
  static std::error_code take_error(int fd, std::error_code& ec) noexcept {
    return unsupported::Sockets::take_error(fd, ec);
  }

 private:
  /// sock_recv into `buffers` with WASI's riflags `flags`.
  static std::size_t sock_recv(int fd, std::span<const IoVec> buffers, __wasi_riflags_t flags,
                               std::error_code& ec) noexcept {
    __wasi_size_t count = 0;
    __wasi_roflags_t out_flags = 0;
    const __wasi_errno_t error = __wasi_sock_recv(static_cast<__wasi_fd_t>(fd), buffers.data(),
                                                  buffers.size(), flags, &count, &out_flags);
    return io_result(error, count, ec);
  }
};

}  // namespace miocpp::sys::wasi
