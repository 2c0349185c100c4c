// Uds: Unix-domain sockets on POSIX -- listeners, streams, datagram sockets and connected pairs,
// with their addresses (uds/socket_addr.hpp converts those), the descriptors they pass
// (descriptor_passing.hpp) and batches of datagrams (datagram_batch.hpp).
#pragma once

#include <sys/socket.h>
#include <sys/un.h>

#include <algorithm>
#include <cstddef>
#include <span>
#include <system_error>

#include "../../net/received_with_fds.hpp"
#include "../../net/unix_batch.hpp"
#include "../../net/unix_socket_addr.hpp"
#include "datagram_batch.hpp"
#include "descriptor_passing.hpp"
#include "error.hpp"
#include "file_descriptor.hpp"
#include "socket.hpp"
#include "uds/batch_records.hpp"
#include "uds/socket_addr.hpp"

namespace miocpp::sys::posix {

/// concepts::Uds over descriptors.
struct Uds {
  /// A new socket of `type` bound to `address`. The address is checked first, so a bad one
  /// costs no descriptor and creates nothing on disk.
  static FileDescriptor bind_socket(const net::UnixSocketAddr& address, int type,
                                    std::error_code& ec) noexcept {
    return open_bound(address, type, ec, [](int) {});
  }

  /// A stream socket bound to `address` and listening. An existing file at a pathname is
  /// std::errc::address_in_use: it is never removed here.
  static FileDescriptor listen(const net::UnixSocketAddr& address, std::error_code& ec) noexcept {
    return open_bound(address, SOCK_STREAM, ec,
                      [&ec](int fd) { check(::listen(fd, listen_backlog), ec); });
  }

  /// One accept4; the peer's address goes to `peer` (unnamed unless the peer bound its socket).
  static FileDescriptor accept(int listener, net::UnixSocketAddr& peer,
                               std::error_code& ec) noexcept {
    uds::RawUnixAddr raw;
    FileDescriptor accepted = accept_socket(listener, raw.get(), &raw.length, ec);
    if (!ec) {
      peer = uds::from_raw(raw);
    }
    return accepted;
  }

  /// Connects an existing socket: a datagram socket's default peer (the only sender recv then
  /// accepts), or a stream socket.
  static void connect(int fd, const net::UnixSocketAddr& address, std::error_code& ec) noexcept {
    const uds::RawUnixAddr raw = uds::to_raw(address, ec);
    if (!ec) {
      start_connect(fd, raw.get(), raw.length, ec);
    }
  }

  /// A new stream socket connecting to `address`. Linux completes the connection at once, or
  /// reports std::errc::operation_would_block while the listener's backlog is full; other systems
  /// may finish it later (EINPROGRESS, reported as success).
  static FileDescriptor connect_stream(const net::UnixSocketAddr& address,
                                       std::error_code& ec) noexcept {
    const uds::RawUnixAddr raw = uds::to_raw(address, ec);
    if (ec) {
      return {};
    }
    return open_socket_with(AF_UNIX, SOCK_STREAM, ec,
                            [&raw, &ec](int fd) { start_connect(fd, raw.get(), raw.length, ec); });
  }

  /// Two connected, unnamed stream sockets.
  static void stream_pair(FileDescriptor& first, FileDescriptor& second,
                          std::error_code& ec) noexcept {
    open_socket_pair(AF_UNIX, SOCK_STREAM, first, second, ec);
  }

  /// A datagram socket bound to `address`.
  static FileDescriptor bind_datagram(const net::UnixSocketAddr& address,
                                      std::error_code& ec) noexcept {
    return bind_socket(address, SOCK_DGRAM, ec);
  }

  /// A datagram socket without a name: it can send, but nobody can send to it unless it is
  /// connected (or one end of a pair).
  static FileDescriptor unbound_datagram(std::error_code& ec) noexcept {
    return open_socket(AF_UNIX, SOCK_DGRAM, ec);
  }

  /// Two connected, unnamed datagram sockets.
  static void datagram_pair(FileDescriptor& first, FileDescriptor& second,
                            std::error_code& ec) noexcept {
    open_socket_pair(AF_UNIX, SOCK_DGRAM, first, second, ec);
  }

  /// One sendto, without SIGPIPE.
  static std::size_t send_to(int fd, std::span<const std::byte> datagram,
                             const net::UnixSocketAddr& target, std::error_code& ec) noexcept {
    const uds::RawUnixAddr raw = uds::to_raw(target, ec);
    if (ec) {
      return 0;
    }
    return send_bytes_to(fd, datagram, raw.get(), raw.length, ec);
  }

  /// One recvfrom; the sender's address goes to `from` (left alone on error).
  static std::size_t recv_from(int fd, std::span<std::byte> buffer, net::UnixSocketAddr& from,
                               std::error_code& ec) noexcept {
    uds::RawUnixAddr raw;
    const std::size_t count = receive_bytes_from(fd, buffer, 0, raw.get(), &raw.length, ec);
    if (!ec) {
      from = uds::from_raw(raw);  // never fails: a received datagram is never dropped here
    }
    return ec ? 0 : count;
  }

  /// Receives into `slots` in as few calls as the OS allows: how many were filled, and in `ec`
  /// what stopped the batch short of all of them, even after some.
  static std::size_t recv_batch(int fd, std::span<net::UnixRecvDatagram> slots,
                                std::error_code& ec) noexcept {
    return datagram_batch::receive<uds::ReceiveRecord>(fd, slots, ec);
  }

  /// Sends `datagrams` in as few calls as the OS allows: how many went, and in `ec` what stopped
  /// the batch short of all of them. A destination too long for sun_path is
  /// std::errc::filename_too_long before anything is sent.
  static std::size_t send_batch(int fd, std::span<const net::UnixSendDatagram> datagrams,
                                std::error_code& ec) noexcept {
    const bool all_fit = std::all_of(
        datagrams.begin(), datagrams.end(),
        [](const net::UnixSendDatagram& d) { return !d.to || uds::fits_sun_path(*d.to); });
    if (!all_fit) {
      ec = std::make_error_code(std::errc::filename_too_long);
      return 0;
    }
    return datagram_batch::send<uds::SendRecord>(fd, datagrams, ec);
  }

  /// One sendmsg of `bytes` with `fds` as SCM_RIGHTS (descriptor_passing.hpp), to `target`, or
  /// to the connected peer when it is null.
  static std::size_t send_with_fds(int fd, std::span<const std::byte> bytes,
                                   std::span<const int> fds, const net::UnixSocketAddr* target,
                                   std::error_code& ec) noexcept {
    if (target == nullptr) {
      return descriptor_passing::send(fd, bytes, fds, nullptr, 0, ec);
    }
    const uds::RawUnixAddr raw = uds::to_raw(*target, ec);
    if (ec) {
      return 0;
    }
    return descriptor_passing::send(fd, bytes, fds, raw.get(), raw.length, ec);
  }

  /// One recvmsg taking up to `received.size()` descriptors (descriptor_passing.hpp).
  static net::ReceivedWithFds recv_with_fds(int fd, std::span<std::byte> buffer,
                                            std::span<int> received, std::error_code& ec) noexcept {
    return descriptor_passing::receive(fd, buffer, received, ec);
  }

  /// getsockname, as a UnixSocketAddr.
  static net::UnixSocketAddr local_addr(int fd, std::error_code& ec) noexcept {
    uds::RawUnixAddr raw;
    check(::getsockname(fd, raw.get(), &raw.length), ec);
    return ec ? net::UnixSocketAddr() : uds::from_raw(raw);
  }

  /// getpeername, as a UnixSocketAddr; std::errc::not_connected when there is no peer.
  static net::UnixSocketAddr peer_addr(int fd, std::error_code& ec) noexcept {
    uds::RawUnixAddr raw;
    check(::getpeername(fd, raw.get(), &raw.length), ec);
    return ec ? net::UnixSocketAddr() : uds::from_raw(raw);
  }

 private:
  /// bind_socket's socket, then given to `setup` (which sets `ec` on failure and the socket is
  /// closed).
  template <class Setup>
  static FileDescriptor open_bound(const net::UnixSocketAddr& address, int type,
                                   std::error_code& ec, Setup setup) noexcept {
    const uds::RawUnixAddr raw = uds::to_raw(address, ec);
    if (ec) {
      return {};
    }
    return open_socket_with(AF_UNIX, type, ec, [&raw, &ec, &setup](int fd) {
      check(::bind(fd, raw.get(), raw.length), ec);
      if (!ec) {
        setup(fd);
      }
    });
  }
};

}  // namespace miocpp::sys::posix
