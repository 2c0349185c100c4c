// UnixListener: a non-blocking Unix-domain server socket.
#pragma once

#include <string_view>
#include <system_error>
#include <utility>

#include "../detail/throw_error.hpp"
#include "../sys/sys.hpp"
#include "unix_socket_addr.hpp"
#include "unix_socket_base.hpp"
#include "unix_stream.hpp"

namespace miocpp::net {

/// A listening Unix-domain stream socket. Register it for Interest::readable and, on each event,
/// accept until `std::errc::operation_would_block`.
///
/// A pathname listener creates its socket file on bind and leaves it there when closed (as
/// every POSIX program's listener does): remove the file when you are done with it, or before
/// binding the same path again (which otherwise gives std::errc::address_in_use).
///
/// On Linux, macOS, the BSDs and other POSIX systems; on Windows and WASI every call reports
/// `std::errc::not_supported`.
class UnixListener : public UnixSocketBase {
 public:
  /// Empty: every call reports std::errc::bad_file_descriptor.
  UnixListener() noexcept = default;

  /// Binds and listens on `path` (a leading NUL byte makes the rest an abstract name, see
  /// UnixSocketAddr::from_path). An existing file there is std::errc::address_in_use; a path
  /// too long for sockaddr_un is std::errc::filename_too_long, and a path with a NUL byte in it
  /// std::errc::invalid_argument (then nothing is created). The backlog is the system maximum
  /// where the OS allows it, else 128.
  static UnixListener bind(std::string_view path, std::error_code& ec) noexcept {
    return with_path<UnixListener>(path, ec, bind_addr);
  }

  /// bind() to an address. Binding an unnamed address makes Linux pick a unique abstract name
  /// (see local_addr); other systems refuse it.
  static UnixListener bind_addr(const UnixSocketAddr& address, std::error_code& ec) noexcept {
    return UnixListener(sys::Uds::listen(address, ec));
  }

  /// Adopts a listening Unix stream socket (which should already be non-blocking).
  static UnixListener from_native(native_handle_type socket) noexcept {
    return UnixListener(sys::Socket(socket));
  }

  /// One pending connection, non-blocking and close-on-exec, with the peer's address (unnamed
  /// unless the client bound its socket; any name the client bound is representable, so a
  /// connection is never refused for its peer's address). On error both are empty and the
  /// listener keeps working; `std::errc::too_many_files_open` is as for TcpListener::accept:
  /// retry yourself once descriptors are freed, no event comes for connections already waiting.
  std::pair<UnixStream, UnixSocketAddr> accept(std::error_code& ec) noexcept {
    auto [socket, peer] = accept_socket<UnixSocketAddr, &sys::Uds::accept>(ec);
    return {UnixStream(std::move(socket)), peer};
  }

#if MIOCPP_HAS_EXCEPTIONS
  /// \name Throwing overloads
  /// Only where exceptions are enabled (MIOCPP_HAS_EXCEPTIONS).
  /// @{

  /// The call of the same name without `ec`: throws `std::system_error` carrying the code that
  /// overload reports (`std::errc::operation_would_block` included).
  static UnixListener bind(std::string_view path) {
    return miocpp::detail::or_throw("miocpp::net::UnixListener::bind",
                                    [&](std::error_code& ec) { return bind(path, ec); });
  }
  static UnixListener bind_addr(const UnixSocketAddr& address) {
    return miocpp::detail::or_throw("miocpp::net::UnixListener::bind_addr",
                                    [&](std::error_code& ec) { return bind_addr(address, ec); });
  }
  std::pair<UnixStream, UnixSocketAddr> accept() {
    return miocpp::detail::or_throw("miocpp::net::UnixListener::accept",
                                    [&](std::error_code& ec) { return accept(ec); });
  }
  /// @}
#endif

 private:
  explicit UnixListener(sys::Socket socket) noexcept : UnixSocketBase(std::move(socket)) {}
};

}  // namespace miocpp::net
