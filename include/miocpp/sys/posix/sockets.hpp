// Sockets: the calls every POSIX socket shares (TCP, UDP and Unix-domain), one system call each
// and never SIGPIPE.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <cstddef>
#include <span>
#include <system_error>

#include "../../net/shutdown.hpp"
#include "../../net/socket_addr.hpp"
#include "../common/shutdown.hpp"
#include "error.hpp"
#include "file_io.hpp"
#include "io_vec.hpp"
#include "socket.hpp"
#include "socket_addr.hpp"

namespace miocpp::sys::posix {

/// concepts::Sockets over descriptors.
struct Sockets {
  static std::size_t send(int fd, std::span<const std::byte> bytes, std::error_code& ec) noexcept {
    return io_result(::send(fd, bytes.data(), bytes.size(), no_sigpipe_flag), ec);
  }

  static std::size_t receive(int fd, std::span<std::byte> buffer, std::error_code& ec) noexcept {
    return io_result(::recv(fd, buffer.data(), buffer.size(), 0), ec);
  }

  /// recv with MSG_PEEK: the bytes stay queued for the next read.
  static std::size_t peek(int fd, std::span<std::byte> buffer, std::error_code& ec) noexcept {
    return io_result(::recv(fd, buffer.data(), buffer.size(), MSG_PEEK), ec);
  }

  /// writev for sockets: sendmsg, because only it takes MSG_NOSIGNAL.
  static std::size_t send_vectored(int fd, std::span<const IoVec> buffers,
                                   std::error_code& ec) noexcept {
    ::msghdr message{};
    message.msg_iov = const_cast<IoVec*>(buffers.data());  // NOLINT(*-const-cast): never written
    message.msg_iovlen = static_cast<decltype(message.msg_iovlen)>(iov_count(buffers.size()));
    return io_result(::sendmsg(fd, &message, no_sigpipe_flag), ec);
  }

  static std::size_t receive_vectored(int fd, std::span<const IoVec> buffers,
                                      std::error_code& ec) noexcept {
    return io_result(::readv(fd, buffers.data(), iov_count(buffers.size())), ec);
  }

  static void shutdown(int fd, net::Shutdown how, std::error_code& ec) noexcept {
    check(::shutdown(fd, common::shutdown_how(how, SHUT_RD, SHUT_WR, SHUT_RDWR)), ec);
  }

  /// getsockname, as a SocketAddr.
  static net::SocketAddr local_addr(int fd, std::error_code& ec) noexcept {
    RawSocketAddr raw;
    check(::getsockname(fd, raw.get(), &raw.length), ec);
    return ec ? net::SocketAddr() : from_raw(raw, ec);
  }

  /// getpeername, as a SocketAddr; std::errc::not_connected when there is no peer.
  static net::SocketAddr peer_addr(int fd, std::error_code& ec) noexcept {
    RawSocketAddr raw;
    check(::getpeername(fd, raw.get(), &raw.length), ec);
    return ec ? net::SocketAddr() : from_raw(raw, ec);
  }

  /// The pending socket error (SO_ERROR), which reading also clears: empty when there is none.
  /// `ec` reports whether asking failed.
  static std::error_code take_error(int fd, std::error_code& ec) noexcept {
    const int pending = SocketOption::get<int>(fd, SOL_SOCKET, SO_ERROR, ec);
    if (ec || pending == 0) {
      return {};
    }
    return errno_code(pending);
  }
};

}  // namespace miocpp::sys::posix
