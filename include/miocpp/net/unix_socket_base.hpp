// UnixSocketBase: what the Unix-domain socket types share -- a Unix-domain local address, and
// the one send and receive that pass descriptors.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <span>
#include <string_view>
#include <system_error>

#include "../detail/throw_error.hpp"
#include "../posix/owned_fd.hpp"
#include "../sys/sys.hpp"
#include "received_with_fds.hpp"
#include "socket_base.hpp"
#include "unix_socket_addr.hpp"

namespace miocpp::net {

/// The base of UnixListener, UnixStream and UnixDatagram: a socket with a Unix-domain address.
class UnixSocketBase : public SocketBase {
 public:
  using SocketBase::SocketBase;

  /// The address the socket is bound to; unnamed for an unbound socket or one end of a pair.
  [[nodiscard]] UnixSocketAddr local_addr(std::error_code& ec) const noexcept {
    return sys::Uds::local_addr(native_handle(), ec);
  }

#if MIOCPP_HAS_EXCEPTIONS
  /// local_addr(), throwing `std::system_error` with the code the overload taking `ec` reports.
  [[nodiscard]] UnixSocketAddr local_addr() const {
    return miocpp::detail::or_throw("miocpp::net::local_addr",
                                    [&](std::error_code& ec) { return local_addr(ec); });
  }
#endif

 protected:
  /// `call(address, ec)` for the address `path` names (UnixSocketAddr::from_path: a leading NUL
  /// byte makes the rest an abstract name), or an empty `Result` with `ec` set when it names none,
  /// so that a bad path creates nothing. Every call of these types that takes a path is this.
  template <class Result, class Call>
  static Result with_path(std::string_view path, std::error_code& ec, Call call) noexcept {
    const UnixSocketAddr address = UnixSocketAddr::from_path(path, ec);
    if (ec) {
      return Result();
    }
    return call(address, ec);
  }
  /// with_path for a factory (`bind_addr`, `connect_addr`), named as its overload taking `ec`.
  template <class Result>
  static Result with_path(std::string_view path, std::error_code& ec,
                          Result (*open)(const UnixSocketAddr&,
                                         std::error_code&) noexcept) noexcept {
    return with_path<Result, decltype(open)>(path, ec, open);
  }

  /// One sendmsg of `bytes` carrying `fds` (to `target`, or the connected peer when it is null),
  /// run as a stream write (`stream`: a short one re-arms, see IoSource::do_stream_io) or as a
  /// datagram send. The body of every send_with_fds.
  std::size_t send_fds(std::span<const std::byte> bytes, std::span<const int> fds,
                       const UnixSocketAddr* target, bool stream, std::error_code& ec) noexcept {
    const auto call = [bytes, fds, target](native_handle_type s, std::error_code& op_ec) {
      return sys::Uds::send_with_fds(s, bytes, fds, target, op_ec);
    };
    return stream ? do_stream_io(call, bytes.size(), ec) : do_io(call, ec);
  }

  /// One recvmsg into `buffer` with room for up to `fds.size()` descriptors (at most
  /// max_fds_per_message), run as send_fds runs its send. The backend hands the descriptors over
  /// as numbers, which become the first slots of `fds` only once nothing can fail any more. The
  /// body of every recv_with_fds.
  ReceivedWithFds receive_fds(std::span<std::byte> buffer, std::span<posix::OwnedFd> fds,
                              bool stream, std::error_code& ec) noexcept {
    std::array<int, max_fds_per_message> numbers;  // NOLINT(*-member-init): written by recvmsg
    const std::span<int> room(numbers.data(), std::min(fds.size(), numbers.size()));
    ReceivedWithFds received;
    const auto call = [buffer, room, &received](native_handle_type s, std::error_code& op_ec) {
      received = sys::Uds::recv_with_fds(s, buffer, room, op_ec);
      return received.bytes;
    };
    if (stream) {
      do_stream_io(call, buffer.size(), ec);
    } else {
      do_io(call, ec);
    }
    for (std::size_t i = 0; i < received.fds; ++i) {
      fds[i].reset(room[i]);
    }
    return received;
  }
};

}  // namespace miocpp::net
