// SocketBase: what every socket type shares -- its pending error, its buffer sizes, running a
// system call of your own on it as miocpp runs its own I/O, and the way every socket option is
// set and read.
#pragma once

#include <cstddef>
#include <system_error>
#include <utility>

#include "../detail/throw_error.hpp"
#include "../owned_source.hpp"
#include "../sys/option.hpp"
#include "../sys/sys.hpp"

namespace miocpp::net {

/// The base of every socket type (TcpListener, TcpStream, UdpSocket and the Unix-domain sockets):
/// an owned, non-blocking socket registered through an IoSource.
class SocketBase : public OwnedSource<sys::Socket> {
 public:
  using OwnedSource::OwnedSource;

  /// The pending socket error (SO_ERROR), clearing it; empty when there is none. After an error
  /// event this is the reason (a refused connect, an ICMP error for an earlier datagram). `ec`
  /// reports a failure to ask.
  [[nodiscard]] std::error_code take_error(std::error_code& ec) const noexcept {
    return sys::Sockets::take_error(native_handle(), ec);
  }

  /// SO_SNDBUF: the size of the send buffer, in bytes. The OS may round it (Linux keeps at least
  /// a minimum, and caps it at net.core.wmem_max unless privileged). Above INT_MAX is
  /// `std::errc::invalid_argument`.
  void set_send_buffer_size(std::size_t bytes, std::error_code& ec) noexcept {
    set_option<sys::option::SendBufferSize>(bytes, ec);
  }
  /// SO_SNDBUF as the OS reports it. Linux reports twice what was set (it counts its own
  /// bookkeeping in the buffer); the BSDs, Apple systems and Windows report what was set.
  [[nodiscard]] std::size_t send_buffer_size(std::error_code& ec) const noexcept {
    return option<sys::option::SendBufferSize>(ec);
  }
  /// SO_RCVBUF: the size of the receive buffer, as set_send_buffer_size.
  void set_recv_buffer_size(std::size_t bytes, std::error_code& ec) noexcept {
    set_option<sys::option::RecvBufferSize>(bytes, ec);
  }
  /// SO_RCVBUF as the OS reports it (doubled on Linux, as send_buffer_size).
  [[nodiscard]] std::size_t recv_buffer_size(std::error_code& ec) const noexcept {
    return option<sys::option::RecvBufferSize>(ec);
  }

#if MIOCPP_HAS_EXCEPTIONS
  /// take_error(), throwing `std::system_error` when asking fails (the pending error itself is
  /// returned, not thrown).
  [[nodiscard]] std::error_code take_error() const {
    return miocpp::detail::or_throw("miocpp::net::take_error",
                                    [&](std::error_code& ec) { return take_error(ec); });
  }
  /// \name Throwing overloads
  /// Only where exceptions are enabled (MIOCPP_HAS_EXCEPTIONS).
  /// @{

  /// The call of the same name without `ec`: throws `std::system_error` carrying the code that
  /// overload reports.
  void set_send_buffer_size(std::size_t bytes) {
    set_option_or_throw<sys::option::SendBufferSize>("miocpp::net::set_send_buffer_size", bytes);
  }
  [[nodiscard]] std::size_t send_buffer_size() const {
    return option_or_throw<sys::option::SendBufferSize>("miocpp::net::send_buffer_size");
  }
  void set_recv_buffer_size(std::size_t bytes) {
    set_option_or_throw<sys::option::RecvBufferSize>("miocpp::net::set_recv_buffer_size", bytes);
  }
  [[nodiscard]] std::size_t recv_buffer_size() const {
    return option_or_throw<sys::option::RecvBufferSize>("miocpp::net::recv_buffer_size");
  }
  /// @}
#endif

 protected:
  /// Sets the socket option `Tag` (sys/option.hpp): the body of every set_x of the socket types.
  template <class Tag>
  void set_option(const typename Tag::set_type& value, std::error_code& ec) noexcept {
    sys::SocketOptions::set(native_handle(), Tag{}, value, ec);
  }
  /// Reads the socket option `Tag`: the body of every x() of the socket types.
  template <class Tag>
  [[nodiscard]] typename Tag::type option(std::error_code& ec) const noexcept {
    return sys::SocketOptions::get(native_handle(), Tag{}, ec);
  }
#if MIOCPP_HAS_EXCEPTIONS
  /// set_option, throwing `std::system_error` (naming `what`) with the code it reports.
  template <class Tag>
  void set_option_or_throw(const char* what, const typename Tag::set_type& value) {
    miocpp::detail::or_throw(what, [&](std::error_code& ec) { set_option<Tag>(value, ec); });
  }
  /// option, throwing `std::system_error` (naming `what`) with the code it reports.
  template <class Tag>
  [[nodiscard]] typename Tag::type option_or_throw(const char* what) const {
    return miocpp::detail::or_throw(what, [&](std::error_code& ec) { return option<Tag>(ec); });
  }
#endif

  /// One accept through `accept` (sys::Tcp::accept, sys::Uds::accept), run as miocpp runs its
  /// I/O: the new socket and the peer's address, both empty on error. The listeners wrap the
  /// socket in their stream type.
  template <class Address, auto accept>
  std::pair<sys::Socket, Address> accept_socket(std::error_code& ec) noexcept {
    Address peer;
    sys::Socket socket = do_io(
        [&peer](native_handle_type s, std::error_code& op_ec) { return accept(s, peer, op_ec); },
        ec);
    return {std::move(socket), peer};
  }
};

}  // namespace miocpp::net
