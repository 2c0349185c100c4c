// UnixDatagram: a non-blocking Unix-domain datagram socket.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>
#include <system_error>
#include <utility>

#include "../detail/throw_error.hpp"
#include "../posix/owned_fd.hpp"
#include "../sys/sys.hpp"
#include "datagram_socket.hpp"
#include "received_with_fds.hpp"
#include "shutdown.hpp"
#include "unix_batch.hpp"
#include "unix_socket_addr.hpp"
#include "unix_socket_base.hpp"

namespace miocpp::net {

/// A non-blocking Unix-domain datagram socket. Datagrams are reliable and keep their boundaries:
/// each send is one recv on the other side, an empty datagram included.
///
/// Sends and receives report `std::errc::operation_would_block` when they cannot proceed (a
/// full receiver, nothing queued); then wait for the next writable / readable event. Sends never
/// raise SIGPIPE. A pathname socket leaves its file behind when closed: remove it when done.
///
/// On Linux, macOS, the BSDs and other POSIX systems; on Windows and WASI every call reports
/// `std::errc::not_supported`.
class UnixDatagram : public DatagramSocket<UnixSocketBase, UnixSocketAddr, sys::Uds> {
 public:
  /// Empty: every call reports std::errc::bad_file_descriptor.
  UnixDatagram() noexcept = default;

  /// A socket bound to `path` (a leading NUL byte makes the rest an abstract name, see
  /// UnixSocketAddr::from_path), so that others can send to it. An existing file there is
  /// std::errc::address_in_use; a path too long for sockaddr_un is std::errc::filename_too_long
  /// and one with a NUL byte in it std::errc::invalid_argument (then nothing is created).
  static UnixDatagram bind(std::string_view path, std::error_code& ec) noexcept {
    return with_path<UnixDatagram>(path, ec, bind_addr);
  }

  /// bind() to an address. Binding an unnamed address makes Linux pick a unique abstract name
  /// (see local_addr); other systems refuse it.
  static UnixDatagram bind_addr(const UnixSocketAddr& address, std::error_code& ec) noexcept {
    return UnixDatagram(sys::Uds::bind_datagram(address, ec));
  }

  /// A socket without a name. It can send (its receivers see an unnamed sender, which they
  /// cannot answer) and, once connected, receive from its peer.
  static UnixDatagram unbound(std::error_code& ec) noexcept {
    return UnixDatagram(sys::Uds::unbound_datagram(ec));
  }

  /// Two connected, unnamed sockets (socketpair): each one's send is the other's recv.
  static std::pair<UnixDatagram, UnixDatagram> pair(std::error_code& ec) noexcept {
    sys::Socket first;
    sys::Socket second;
    sys::Uds::datagram_pair(first, second, ec);
    return {UnixDatagram(std::move(first)), UnixDatagram(std::move(second))};
  }

  /// Adopts a Unix datagram socket (which should already be non-blocking).
  static UnixDatagram from_native(native_handle_type socket) noexcept {
    return UnixDatagram(sys::Socket(socket));
  }

  /// Sets the default destination of send() and the only sender recv() accepts. Completes at
  /// once. A missing path is std::errc::no_such_file_or_directory.
  void connect(std::string_view path, std::error_code& ec) noexcept {
    with_path<void>(path, ec, [this](const UnixSocketAddr& address, std::error_code& op_ec) {
      connect_addr(address, op_ec);
    });
  }

  /// connect() to an address.
  void connect_addr(const UnixSocketAddr& address, std::error_code& ec) noexcept {
    sys::Uds::connect(native_handle(), address, ec);
  }

  /// The address of the connected peer; std::errc::not_connected when there is none.
  [[nodiscard]] UnixSocketAddr peer_addr(std::error_code& ec) const noexcept {
    return sys::Uds::peer_addr(native_handle(), ec);
  }

  /// Sends `datagram` to the socket at `path` (see bind for the forms a path takes).
  std::size_t send_to(std::span<const std::byte> datagram, std::string_view path,
                      std::error_code& ec) noexcept {
    return with_path<std::size_t>(
        path, ec, [this, datagram](const UnixSocketAddr& target, std::error_code& op_ec) {
          return send_to_addr(datagram, target, op_ec);
        });
  }

  /// Sends `datagram` to `target`, say the sender recv_from reported.
  std::size_t send_to_addr(std::span<const std::byte> datagram, const UnixSocketAddr& target,
                           std::error_code& ec) noexcept {
    return send_datagram_to(datagram, target, ec);
  }

  /// Receives up to `slots.size()` datagrams into the slots, from the first, in as few system
  /// calls as the OS allows (one recvmmsg per 64 on Linux, FreeBSD and NetBSD; one recvmsg each
  /// elsewhere); returns how many were filled (would-block when none is queued). Fewer than given
  /// (and some) means drained: the next datagram is a new readable event on every backend. An
  /// error after some datagrams ends the batch without error; the next recv_batch reports it.
  /// Nothing is allocated.
  std::size_t recv_batch(std::span<UnixRecvDatagram> slots, std::error_code& ec) noexcept {
    return receive_batch(slots, ec);
  }

  /// Sends the entries of `datagrams` in order, each to its `to` or to the connected peer, in as
  /// few system calls as the OS allows (as recv_batch); returns how many went (would-block when
  /// none fits: a full receiver). Fewer than given (and some) means full: the next writable event
  /// comes on every backend (once the connected peer has room; a datagram to another receiver
  /// may still find it full). An error after the first entry ends the batch
  /// before it, without error; sending the rest again reports it. A destination too long for the
  /// OS is std::errc::filename_too_long before anything is sent.
  std::size_t send_batch(std::span<const UnixSendDatagram> datagrams,
                         std::error_code& ec) noexcept {
    return send_entries(datagrams, ec);
  }

  /// Stops receiving, sending (then send reports std::errc::broken_pipe) or both.
  void shutdown(Shutdown how, std::error_code& ec) noexcept {
    sys::Sockets::shutdown(native_handle(), how, ec);
  }

  /// Sends one datagram to the connected peer that carries the descriptors `fds` (SCM_RIGHTS).
  /// The receiver gets new descriptors for the same open files (yours stay open). The datagram
  /// may be empty where the OS allows it (Linux does: then it carries only the descriptors).
  /// More than max_fds_per_message is std::errc::invalid_argument, and nothing is sent.
  std::size_t send_with_fds(std::span<const std::byte> datagram, std::span<const int> fds,
                            std::error_code& ec) noexcept {
    return send_fds(datagram, fds, nullptr, false, ec);
  }

  /// send_with_fds() to `target` instead of the connected peer.
  std::size_t send_to_with_fds(std::span<const std::byte> datagram, std::span<const int> fds,
                               const UnixSocketAddr& target, std::error_code& ec) noexcept {
    return send_fds(datagram, fds, &target, false, ec);
  }

  /// Receives one datagram into `buffer` (cut to it, as recv) and the descriptors it carried into
  /// the first slots of `fds` (a slot's old descriptor is closed), close-on-exec; returns the
  /// datagram's size and the descriptors received. When it carried more descriptors than `fds`
  /// holds (or than max_fds_per_message), every descriptor of this call is closed, none is
  /// reported and the call reports std::errc::message_size, but the datagram is received all
  /// the same: its bytes are in `buffer` and counted in `.bytes` (by this overload: the throwing
  /// one cannot give the count). Any other error receives nothing.
  ReceivedWithFds recv_with_fds(std::span<std::byte> buffer, std::span<posix::OwnedFd> fds,
                                std::error_code& ec) noexcept {
    return receive_fds(buffer, fds, false, ec);
  }

#if MIOCPP_HAS_EXCEPTIONS
  /// \name Throwing overloads
  /// Only where exceptions are enabled (MIOCPP_HAS_EXCEPTIONS).
  /// @{

  /// The call of the same name without `ec`: throws `std::system_error` carrying the code that
  /// overload reports (`std::errc::operation_would_block` included).
  static UnixDatagram bind(std::string_view path) {
    return miocpp::detail::or_throw("miocpp::net::UnixDatagram::bind",
                                    [&](std::error_code& ec) { return bind(path, ec); });
  }
  static UnixDatagram bind_addr(const UnixSocketAddr& address) {
    return miocpp::detail::or_throw("miocpp::net::UnixDatagram::bind_addr",
                                    [&](std::error_code& ec) { return bind_addr(address, ec); });
  }
  static UnixDatagram unbound() {
    return miocpp::detail::or_throw("miocpp::net::UnixDatagram::unbound",
                                    [](std::error_code& ec) { return unbound(ec); });
  }
  static std::pair<UnixDatagram, UnixDatagram> pair() {
    return miocpp::detail::or_throw("miocpp::net::UnixDatagram::pair",
                                    [](std::error_code& ec) { return pair(ec); });
  }
  void connect(std::string_view path) {
    miocpp::detail::or_throw("miocpp::net::UnixDatagram::connect",
                             [&](std::error_code& ec) { connect(path, ec); });
  }
  void connect_addr(const UnixSocketAddr& address) {
    miocpp::detail::or_throw("miocpp::net::UnixDatagram::connect_addr",
                             [&](std::error_code& ec) { connect_addr(address, ec); });
  }
  [[nodiscard]] UnixSocketAddr peer_addr() const {
    return miocpp::detail::or_throw("miocpp::net::UnixDatagram::peer_addr",
                                    [&](std::error_code& ec) { return peer_addr(ec); });
  }
  std::size_t send_to(std::span<const std::byte> datagram, std::string_view path) {
    return miocpp::detail::or_throw("miocpp::net::UnixDatagram::send_to", [&](std::error_code& ec) {
      return send_to(datagram, path, ec);
    });
  }
  std::size_t send_to_addr(std::span<const std::byte> datagram, const UnixSocketAddr& target) {
    return miocpp::detail::or_throw(
        "miocpp::net::UnixDatagram::send_to_addr",
        [&](std::error_code& ec) { return send_to_addr(datagram, target, ec); });
  }
  std::size_t recv_batch(std::span<UnixRecvDatagram> slots) {
    return miocpp::detail::or_throw("miocpp::net::UnixDatagram::recv_batch",
                                    [&](std::error_code& ec) { return recv_batch(slots, ec); });
  }
  std::size_t send_batch(std::span<const UnixSendDatagram> datagrams) {
    return miocpp::detail::or_throw("miocpp::net::UnixDatagram::send_batch",
                                    [&](std::error_code& ec) { return send_batch(datagrams, ec); });
  }
  void shutdown(Shutdown how) {
    miocpp::detail::or_throw("miocpp::net::UnixDatagram::shutdown",
                             [&](std::error_code& ec) { shutdown(how, ec); });
  }
  std::size_t send_with_fds(std::span<const std::byte> datagram, std::span<const int> fds) {
    return miocpp::detail::or_throw(
        "miocpp::net::UnixDatagram::send_with_fds",
        [&](std::error_code& ec) { return send_with_fds(datagram, fds, ec); });
  }
  std::size_t send_to_with_fds(std::span<const std::byte> datagram, std::span<const int> fds,
                               const UnixSocketAddr& target) {
    return miocpp::detail::or_throw(
        "miocpp::net::UnixDatagram::send_to_with_fds",
        [&](std::error_code& ec) { return send_to_with_fds(datagram, fds, target, ec); });
  }
  ReceivedWithFds recv_with_fds(std::span<std::byte> buffer, std::span<posix::OwnedFd> fds) {
    return miocpp::detail::or_throw(
        "miocpp::net::UnixDatagram::recv_with_fds",
        [&](std::error_code& ec) { return recv_with_fds(buffer, fds, ec); });
  }
  /// @}
#endif

 private:
  explicit UnixDatagram(sys::Socket socket) noexcept : DatagramSocket(std::move(socket)) {}
};

}  // namespace miocpp::net
