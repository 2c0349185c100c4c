// An owned Winsock SOCKET, and the Winsock calls Sockets, Tcp and Udp are built from: creating
// sockets, reading and writing their options, turning results into error codes.
#pragma once

#include <algorithm>
#include <climits>
#include <cstddef>
#include <span>
#include <system_error>

#include "error.hpp"
#include "handle.hpp"
#include "socket_addr.hpp"
#include "windows.hpp"
#include "winsock.hpp"

namespace miocpp::sys::windows {

/// A Winsock socket handle: INVALID_SOCKET is empty, closesocket closes it.
using Socket = common::OwnedHandle<ClosedBy<SOCKET, INVALID_SOCKET, &::closesocket>>;

/// listen() backlog: Windows' SOMAXCONN is a marker the provider interprets; 128 is the portable
/// choice (mio's as well).
inline constexpr int listen_backlog = 128;

/// Clears `ec` when a Winsock call succeeded (`result` is not SOCKET_ERROR), otherwise sets it.
inline void check(int result, std::error_code& ec) noexcept {
  if (result == SOCKET_ERROR) {
    ec = last_socket_error();
  } else {
    ec.clear();
  }
}

inline void set_nonblocking(SOCKET socket, bool on, std::error_code& ec) noexcept {
  u_long mode = on ? 1 : 0;
  check(::ioctlsocket(socket, static_cast<long>(FIONBIO), &mode), ec);
}

/// A new non-blocking socket that child processes do not inherit (WSA_FLAG_NO_HANDLE_INHERIT:
/// Windows' close-on-exec, set in the creating call).
inline Socket open_socket(int family, int type, std::error_code& ec) noexcept {
  ec = start_winsock();
  if (ec) {
    return {};
  }
  Socket socket(
      ::WSASocketW(family, type, 0, nullptr, 0, WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT));
  if (!socket.is_open()) {
    ec = last_socket_error();
    return socket;
  }
  set_nonblocking(socket.native_handle(), true, ec);
  if (ec) {
    socket.reset();
  }
  return socket;
}

/// A new socket (open_socket's) handed to `setup`, which sets `ec` on failure; the socket is then
/// closed, so the caller gets a ready socket or an error, never a half-made one.
template <class Setup>
Socket open_socket_with(int family, int type, std::error_code& ec, Setup setup) noexcept {
  Socket socket = open_socket(family, type, ec);
  if (!ec) {
    setup(socket.native_handle());
  }
  if (ec) {
    socket.reset();
  }
  return socket;
}

/// A new socket of `type` bound to `raw`'s address; empty, with `ec` set, on error.
inline Socket bind_socket(const RawSocketAddr& raw, int type, std::error_code& ec) noexcept {
  return open_socket_with(raw.family(), type, ec, [&raw, &ec](SOCKET socket) {
    check(::bind(socket, raw.get(), raw.length), ec);
  });
}

/// A socket returned by accept: it inherits the listener's non-blocking mode, but not its
/// inheritance flag, which is cleared here (as Rust's standard library does).
inline void configure_accepted(SOCKET socket, std::error_code& ec) noexcept {
  // A SOCKET is a kernel handle.
  if (::SetHandleInformation(reinterpret_cast<HANDLE>(socket),  // NOLINT(*-reinterpret-cast)
                             HANDLE_FLAG_INHERIT, 0) == 0) {
    ec = last_error();
    return;
  }
  ec.clear();
}

/// The socket AFD knows: below any layered service provider, which SIO_BASE_HANDLE skips. Some
/// LSPs break that ioctl, so the BSP ioctls are tried after it, as mio and wepoll do.
inline SOCKET base_socket(SOCKET socket, std::error_code& ec) noexcept {
  const auto query = [socket](DWORD ioctl, SOCKET& base) {
    DWORD bytes = 0;
    return ::WSAIoctl(socket, ioctl, nullptr, 0, &base, sizeof base, &bytes, nullptr, nullptr) !=
           SOCKET_ERROR;
  };
  SOCKET base = INVALID_SOCKET;
  if (query(static_cast<DWORD>(SIO_BASE_HANDLE), base)) {
    ec.clear();
    return base;
  }
  ec = last_socket_error();
  for (const auto ioctl : {SIO_BSP_HANDLE_SELECT, SIO_BSP_HANDLE_POLL, SIO_BSP_HANDLE}) {
    if (query(static_cast<DWORD>(ioctl), base) && base != socket) {
      ec.clear();
      return base;
    }
  }
  return INVALID_SOCKET;
}

/// How Winsock reads and writes socket options (the option table of socket_options.hpp and the
/// multicast membership of common/multicast_membership.hpp): every integer or on/off option is a
/// DWORD there. Reading starts from a zeroed value, so an option answered in fewer bytes (a
/// one-byte BOOLEAN: TCP_NODELAY, and under wine SO_KEEPALIVE and IPV6_V6ONLY too) still reads
/// right.
struct SocketOption {
  using Handle = SOCKET;
  using Int = DWORD;
  using MulticastV4 = DWORD;
  using MulticastLoopV6 = DWORD;

  template <class T>
  static void set(SOCKET socket, int level, int name, const T& value,
                  std::error_code& ec) noexcept {
    check(::setsockopt(socket, level, name,
                       reinterpret_cast<const char*>(&value),  // NOLINT(*-reinterpret-cast)
                       static_cast<int>(sizeof value)),
          ec);
    unknown_is_not_supported(ec);
  }
  template <class T>
  static T get(SOCKET socket, int level, int name, std::error_code& ec) noexcept {
    T value{};
    int length = static_cast<int>(sizeof value);
    check(::getsockopt(socket, level, name,
                       reinterpret_cast<char*>(&value),  // NOLINT(*-reinterpret-cast)
                       &length),
          ec);
    unknown_is_not_supported(ec);
    return ec ? T{} : value;
  }

 private:
  // WSAENOPROTOOPT is Winsock's word for an option this Windows does not know (the keep-alive
  // times before Windows 10 1709, and under wine): the OS lacks it, which miocpp reports as
  // not_supported everywhere. A known option on the wrong kind of socket is WSAEINVAL instead.
  static void unknown_is_not_supported(std::error_code& ec) noexcept {
    if (ec == std::errc::no_protocol_option) {
      ec = std::make_error_code(std::errc::not_supported);
    }
  }
};

/// Winsock counts bytes in an int.
inline int clamp_length(std::size_t size) noexcept {
  return static_cast<int>(std::min<std::size_t>(size, INT_MAX));
}

/// The byte count of a Winsock call that returns one, or 0 with `ec` set.
inline std::size_t io_result(int result, std::error_code& ec) noexcept {
  if (result == SOCKET_ERROR) {
    ec = last_socket_error();
    return 0;
  }
  ec.clear();
  return static_cast<std::size_t>(result);
}

/// recv. Two Winsock answers are translated to what POSIX gives: WSAEMSGSIZE (a datagram larger
/// than the buffer, which is filled with its start) is a truncated read of the whole buffer, and
/// WSAESHUTDOWN (reading after shutdown(SD_RECEIVE)) is end of stream.
inline std::size_t receive_bytes(SOCKET socket, std::span<std::byte> buffer, int flags,
                                 std::error_code& ec) noexcept {
  const int result =
      ::recv(socket, reinterpret_cast<char*>(buffer.data()),  // NOLINT(*-reinterpret-cast)
             clamp_length(buffer.size()), flags);
  if (result != SOCKET_ERROR) {
    ec.clear();
    return static_cast<std::size_t>(result);
  }
  const int error = ::WSAGetLastError();
  if (error == WSAEMSGSIZE || error == WSAESHUTDOWN) {
    ec.clear();
    return error == WSAEMSGSIZE ? buffer.size() : 0;
  }
  ec = win32_code(static_cast<DWORD>(error));
  return 0;
}

/// sendto, for the datagram calls of Udp.
inline std::size_t send_bytes_to(SOCKET socket, std::span<const std::byte> bytes,
                                 const ::sockaddr* to, int to_length,
                                 std::error_code& ec) noexcept {
  return io_result(::sendto(socket,
                            reinterpret_cast<const char*>(bytes.data()),  // NOLINT
                            clamp_length(bytes.size()), 0, to, to_length),
                   ec);
}

/// recvfrom with `flags` (MSG_PEEK or 0), for the datagram calls of Udp. A datagram larger than
/// the buffer is truncated to it, as on POSIX (Winsock says WSAEMSGSIZE).
inline std::size_t receive_bytes_from(SOCKET socket, std::span<std::byte> buffer, int flags,
                                      ::sockaddr* from, int* from_length,
                                      std::error_code& ec) noexcept {
  const int result = ::recvfrom(socket, reinterpret_cast<char*>(buffer.data()),  // NOLINT
                                clamp_length(buffer.size()), flags, from, from_length);
  if (result == SOCKET_ERROR && ::WSAGetLastError() != WSAEMSGSIZE) {
    ec = last_socket_error();
    return 0;
  }
  ec.clear();
  return result == SOCKET_ERROR ? buffer.size() : static_cast<std::size_t>(result);
}

}  // namespace miocpp::sys::windows
