// The UDP calls that carry a peer's IP address (connect, send_to, recv_from, peek_from), written
// once for every socket API with sockaddr records: the OS gives its sendto and recvfrom.
#pragma once

// MSG_PEEK comes from the OS's socket headers, which its socket.hpp includes before this file.

#include <cstddef>
#include <span>
#include <system_error>

#include "../../net/socket_addr.hpp"

namespace miocpp::sys::common {

/// `Raw` is the OS's RawSocketAddr. `send_bytes_to(handle, bytes, sockaddr*, length, ec)` and
/// `receive_bytes_from(handle, buffer, flags, sockaddr*, length*, ec)` are one sendto and one
/// recvfrom, answering as POSIX does (a datagram larger than the buffer is truncated to it).
/// `check(result, ec)` turns a call's int result into `ec`.
template <class Handle, class Raw, auto send_bytes_to, auto receive_bytes_from, auto check>
struct AddressedDatagrams {
  /// Sets the default destination of send() and the only source recv() accepts. Completes at
  /// once: no packet is sent.
  static void connect(Handle socket, const net::SocketAddr& address, std::error_code& ec) noexcept {
    const Raw raw(address);
    check(::connect(socket, raw.get(), raw.length), ec);
  }

  static std::size_t send_to(Handle socket, std::span<const std::byte> datagram,
                             const net::SocketAddr& target, std::error_code& ec) noexcept {
    const Raw raw(target);
    return send_bytes_to(socket, datagram, raw.get(), raw.length, ec);
  }

  static std::size_t recv_from(Handle socket, std::span<std::byte> buffer, net::SocketAddr& from,
                               std::error_code& ec) noexcept {
    return receive_from(socket, buffer, 0, from, ec);
  }

  /// recv_from that leaves the datagram queued.
  static std::size_t peek_from(Handle socket, std::span<std::byte> buffer, net::SocketAddr& from,
                               std::error_code& ec) noexcept {
    return receive_from(socket, buffer, MSG_PEEK, from, ec);
  }

 private:
  /// One recvfrom with `flags`; the sender's address goes to `from` (left alone on error).
  static std::size_t receive_from(Handle socket, std::span<std::byte> buffer, int flags,
                                  net::SocketAddr& from, std::error_code& ec) noexcept {
    Raw raw;
    const std::size_t count = receive_bytes_from(socket, buffer, flags, raw.get(), &raw.length, ec);
    if (ec) {
      return 0;
    }
    const net::SocketAddr sender = from_raw(raw, ec);
    if (ec) {
      return 0;
    }
    from = sender;
    return count;
  }
};

}  // namespace miocpp::sys::common
