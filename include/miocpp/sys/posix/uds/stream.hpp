// Unix-domain stream sockets on POSIX: listen, accept, connect and connected pairs.
#pragma once

#include <sys/socket.h>
#include <sys/un.h>

#include <cerrno>
#include <system_error>

#include "../../../net/unix_socket_addr.hpp"
#include "../error.hpp"
#include "../file_descriptor.hpp"
#include "../socket.hpp"
#include "socket_addr.hpp"

namespace miocpp::sys::posix::uds {

/// A new socket of `type` bound to `address`. The address is checked first, so a bad one
/// costs no descriptor and creates nothing on disk.
inline FileDescriptor bind_socket(const net::UnixSocketAddr& address, int type,
                                  std::error_code& ec) noexcept {
  const RawUnixAddr raw = to_raw(address, ec);
  if (ec) {
    return {};
  }
  FileDescriptor socket = open_socket(AF_UNIX, type, ec);
  if (ec) {
    return socket;
  }
  check(::bind(socket.native_handle(), raw.get(), raw.length), ec);
  if (ec) {
    socket.reset();
  }
  return socket;
}

/// A stream socket bound to `address` and listening. An existing file at a pathname is
/// std::errc::address_in_use: it is never removed here.
inline FileDescriptor listen(const net::UnixSocketAddr& address, std::error_code& ec) noexcept {
  FileDescriptor socket = bind_socket(address, SOCK_STREAM, ec);
  if (ec) {
    return socket;
  }
  check(::listen(socket.native_handle(), listen_backlog), ec);
  if (ec) {
    socket.reset();
  }
  return socket;
}

/// One accept4; the peer's address goes to `peer` (unnamed unless the peer bound its socket).
inline FileDescriptor accept(int listener, net::UnixSocketAddr& peer,
                             std::error_code& ec) noexcept {
  RawUnixAddr raw;
  FileDescriptor accepted = accept_socket(listener, raw.get(), &raw.length, ec);
  if (ec) {
    return accepted;
  }
  const net::UnixSocketAddr address = from_raw(raw, ec);
  if (ec) {
    accepted.reset();
    return accepted;
  }
  peer = address;
  return accepted;
}

/// connect(2) where EINPROGRESS is success: the outcome then arrives as a writable event.
inline void connect_raw(int fd, const RawUnixAddr& raw, std::error_code& ec) noexcept {
  if (::connect(fd, raw.get(), raw.length) < 0 && errno != EINPROGRESS) {
    ec = last_error();
    return;
  }
  ec.clear();
}

/// Connects an existing socket: a datagram socket's default peer (the only sender recv then
/// accepts), or a stream socket.
inline void connect(int fd, const net::UnixSocketAddr& address, std::error_code& ec) noexcept {
  const RawUnixAddr raw = to_raw(address, ec);
  if (!ec) {
    connect_raw(fd, raw, ec);
  }
}

/// A new stream socket connecting to `address`. Linux completes the connection at once, or
/// reports std::errc::operation_would_block while the listener's backlog is full; other systems
/// may finish it later (EINPROGRESS, reported as success).
inline FileDescriptor connect_stream(const net::UnixSocketAddr& address,
                                     std::error_code& ec) noexcept {
  const RawUnixAddr raw = to_raw(address, ec);
  if (ec) {
    return {};
  }
  FileDescriptor socket = open_socket(AF_UNIX, SOCK_STREAM, ec);
  if (ec) {
    return socket;
  }
  connect_raw(socket.native_handle(), raw, ec);
  if (ec) {
    socket.reset();
  }
  return socket;
}

/// Two connected, unnamed stream sockets.
inline void stream_pair(FileDescriptor& first, FileDescriptor& second,
                        std::error_code& ec) noexcept {
  open_socket_pair(AF_UNIX, SOCK_STREAM, first, second, ec);
}

}  // namespace miocpp::sys::posix::uds
