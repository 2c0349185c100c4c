// An owned Winsock SOCKET and the calls shared by TCP and UDP sockets: one Winsock call each.
#pragma once

#include <algorithm>
#include <climits>
#include <cstddef>
#include <span>
#include <system_error>
#include <utility>

#include "../../net/shutdown.hpp"
#include "error.hpp"
#include "io_vec.hpp"
#include "windows.hpp"
#include "winsock.hpp"

namespace miocpp::sys::windows {

/// listen() backlog: Windows' SOMAXCONN is a marker the provider interprets; 128 is the portable
/// choice (mio's as well).
inline constexpr int listen_backlog = 128;

/// Closes its socket on destruction; INVALID_SOCKET means empty. Move-only.
class Socket {
 public:
  using native_handle_type = SOCKET;

  Socket() noexcept = default;
  explicit Socket(SOCKET socket) noexcept : socket_(socket) {}
  Socket(Socket&& other) noexcept : socket_(other.release()) {}
  Socket& operator=(Socket&& other) noexcept {
    if (this != &other) {
      reset(other.release());
    }
    return *this;
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  ~Socket() { reset(); }

  [[nodiscard]] SOCKET native_handle() const noexcept { return socket_; }
  [[nodiscard]] bool is_open() const noexcept { return socket_ != INVALID_SOCKET; }

  SOCKET release() noexcept { return std::exchange(socket_, INVALID_SOCKET); }

  void reset(SOCKET socket = INVALID_SOCKET) noexcept {
    const SOCKET old = std::exchange(socket_, socket);
    if (old != INVALID_SOCKET) {
      ::closesocket(old);
    }
  }

 private:
  SOCKET socket_ = INVALID_SOCKET;
};

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

template <class T>
void set_socket_option(SOCKET socket, int level, int name, const T& value,
                       std::error_code& ec) noexcept {
  check(::setsockopt(socket, level, name,
                     reinterpret_cast<const char*>(&value),  // NOLINT(*-reinterpret-cast)
                     static_cast<int>(sizeof value)),
        ec);
}

template <class T>
T get_socket_option(SOCKET socket, int level, int name, std::error_code& ec) noexcept {
  T value{};
  int length = static_cast<int>(sizeof value);
  check(::getsockopt(socket, level, name,
                     reinterpret_cast<char*>(&value),  // NOLINT(*-reinterpret-cast)
                     &length),
        ec);
  return ec ? T{} : value;
}

/// A DWORD-sized option as a bool (SO_BROADCAST, TCP_NODELAY, ...).
inline void set_flag_option(SOCKET socket, int level, int name, bool on,
                            std::error_code& ec) noexcept {
  set_socket_option(socket, level, name, static_cast<DWORD>(on ? 1 : 0), ec);
}
inline bool get_flag_option(SOCKET socket, int level, int name, std::error_code& ec) noexcept {
  // Some options (TCP_NODELAY) are answered in a single byte; the rest of a zeroed DWORD stays 0.
  return get_socket_option<DWORD>(socket, level, name, ec) != 0;
}

/// The pending socket error (SO_ERROR), which reading also clears: empty when there is none.
/// `ec` reports whether asking failed.
inline std::error_code take_socket_error(SOCKET socket, std::error_code& ec) noexcept {
  const int pending = get_socket_option<int>(socket, SOL_SOCKET, SO_ERROR, ec);
  if (ec || pending == 0) {
    return {};
  }
  return win32_code(static_cast<DWORD>(pending));
}

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

inline std::size_t send_bytes(SOCKET socket, std::span<const std::byte> bytes, int flags,
                              std::error_code& ec) noexcept {
  return io_result(
      ::send(socket, reinterpret_cast<const char*>(bytes.data()),  // NOLINT(*-reinterpret-cast)
             clamp_length(bytes.size()), flags),
      ec);
}

/// recv. Two Winsock answers are translated to what POSIX gives: WSAEMSGSIZE (a datagram larger
/// than the buffer, which is filled with its start) is a truncated read of the whole buffer, and
/// WSAESHUTDOWN (reading after shutdown(SD_RECEIVE)) is end of stream.
inline std::size_t receive_bytes(SOCKET socket, std::span<std::byte> buffer, int flags,
                                 std::error_code& ec) noexcept {
  const int result =
      ::recv(socket, reinterpret_cast<char*>(buffer.data()),  // NOLINT(*-reinterpret-cast)
             clamp_length(buffer.size()), flags);
  if (result == SOCKET_ERROR) {
    const int error = ::WSAGetLastError();
    if (error == WSAEMSGSIZE) {
      ec.clear();
      return buffer.size();
    }
    if (error == WSAESHUTDOWN) {
      ec.clear();
      return 0;
    }
    ec = win32_code(static_cast<DWORD>(error));
    return 0;
  }
  ec.clear();
  return static_cast<std::size_t>(result);
}

inline std::size_t send_vectored(SOCKET socket, std::span<const IoVec> buffers,
                                 std::error_code& ec) noexcept {
  DWORD sent = 0;
  // WSASend takes the array as non-const; it only reads it.
  const int result = ::WSASend(socket, const_cast<IoVec*>(buffers.data()),  // NOLINT(*-const-cast)
                               static_cast<DWORD>(std::min<std::size_t>(buffers.size(), ULONG_MAX)),
                               &sent, 0, nullptr, nullptr);
  if (result == SOCKET_ERROR) {
    ec = last_socket_error();
    return 0;
  }
  ec.clear();
  return sent;
}

/// WSARecv, for stream sockets. As with receive_stream, a read into no room at all (no buffers,
/// or only empty ones) completes with 0 even when nothing is queued, as readv does on POSIX,
/// instead of failing with would-block.
inline std::size_t receive_vectored(SOCKET socket, std::span<const IoVec> buffers,
                                    std::error_code& ec) noexcept {
  DWORD received = 0;
  DWORD flags = 0;
  const int result = ::WSARecv(socket, const_cast<IoVec*>(buffers.data()),  // NOLINT(*-const-cast)
                               static_cast<DWORD>(std::min<std::size_t>(buffers.size(), ULONG_MAX)),
                               &received, &flags, nullptr, nullptr);
  if (result == SOCKET_ERROR) {
    const int error = ::WSAGetLastError();
    if (error == WSAESHUTDOWN) {
      ec.clear();
      return 0;
    }
    if (error == WSAEWOULDBLOCK && std::all_of(buffers.begin(), buffers.end(),
                                               [](const IoVec& vec) { return vec.len == 0; })) {
      ec.clear();
      return 0;
    }
    ec = win32_code(static_cast<DWORD>(error));
    return 0;
  }
  ec.clear();
  return received;
}

/// recv with MSG_PEEK: the bytes stay queued for the next read.
inline std::size_t peek_bytes(SOCKET socket, std::span<std::byte> buffer,
                              std::error_code& ec) noexcept {
  return receive_bytes(socket, buffer, MSG_PEEK, ec);
}

/// recv for stream sockets: a read into an empty buffer completes with 0 even when nothing is
/// queued, so "a zero-length read is valid" holds as on POSIX.
inline std::size_t receive_stream(SOCKET socket, std::span<std::byte> buffer, int flags,
                                  std::error_code& ec) noexcept {
  const std::size_t count = receive_bytes(socket, buffer, flags, ec);
  if (buffer.empty() && ec == std::errc::operation_would_block) {
    ec.clear();
  }
  return count;
}

inline std::size_t peek_stream(SOCKET socket, std::span<std::byte> buffer,
                               std::error_code& ec) noexcept {
  return receive_stream(socket, buffer, MSG_PEEK, ec);
}

inline void shutdown(SOCKET socket, net::Shutdown how, std::error_code& ec) noexcept {
  const int which = how == net::Shutdown::read    ? SD_RECEIVE
                    : how == net::Shutdown::write ? SD_SEND
                                                  : SD_BOTH;
  check(::shutdown(socket, which), ec);
}

}  // namespace miocpp::sys::windows
