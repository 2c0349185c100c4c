// The socket API of the platform, for tests that check miocpp against it directly: the headers,
// the types the API uses (a socket is an int on POSIX and a SOCKET in Winsock; address lengths are
// socklen_t or int), thin wrappers over the calls whose spelling differs, so that the tests
// themselves are written once, and the flags a descriptor is checked for (non-blocking,
// close-on-exec, open).
#pragma once

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <span>
#include <string>
#include <system_error>

#include <gtest/gtest.h>

#include <miocpp/config.hpp>

#if MIOCPP_OS_WINDOWS
#include <miocpp/sys/windows/error.hpp>
#include <miocpp/sys/windows/windows.hpp>
#include <miocpp/sys/windows/winsock.hpp>
#else
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#endif

namespace test {

#if MIOCPP_OS_WINDOWS
using SockLen = int;
/// A raw socket as the platform names it: what miocpp's native_handle() returns.
using NativeSocket = SOCKET;
/// The empty native handle: what an empty miocpp socket's native_handle() returns.
inline constexpr NativeSocket invalid_socket = INVALID_SOCKET;
/// Flags for send() that keep a write to a closed connection from raising a signal. Winsock
/// has no SIGPIPE, so there is nothing to suppress.
inline constexpr int send_no_signal = 0;
/// shutdown()'s "no more sending" (SHUT_WR on POSIX).
inline constexpr int shutdown_write = SD_SEND;
#else
using SockLen = ::socklen_t;
using NativeSocket = int;
inline constexpr NativeSocket invalid_socket = -1;
inline constexpr int send_no_signal = MSG_NOSIGNAL;
inline constexpr int shutdown_write = SHUT_WR;
#endif

/// Makes the socket API usable before miocpp has been asked for anything (Winsock needs
/// WSAStartup; POSIX nothing). The raw socket calls here call it; a test need not.
inline void start_sockets() {
#if MIOCPP_OS_WINDOWS
  (void)miocpp::sys::windows::start_winsock();
#endif
}

/// Whether the program runs under wine rather than Windows (false on POSIX), for the few places
/// where wine's sockets answer differently from Windows' and a test says so.
inline bool running_under_wine() {
#if MIOCPP_OS_WINDOWS
  const HMODULE ntdll = ::GetModuleHandleW(L"ntdll.dll");
  return ntdll != nullptr && ::GetProcAddress(ntdll, "wine_get_version") != nullptr;
#else
  return false;
#endif
}

/// The error of the last failed socket call, in the category miocpp reports it in, so that it
/// compares equal to std::errc values as miocpp's own errors do.
inline std::error_code last_socket_error() {
#if MIOCPP_OS_WINDOWS
  return miocpp::sys::windows::last_socket_error();
#else
  return {errno, std::system_category()};
#endif
}

/// The last socket error as text, for failure messages.
inline std::string last_socket_error_message() {
  return last_socket_error().message();
}

/// Closes a raw socket.
inline void close_socket(NativeSocket socket) {
#if MIOCPP_OS_WINDOWS
  ::closesocket(socket);
#else
  ::close(socket);
#endif
}

/// send(2) with byte counts as std::ptrdiff_t on both APIs (Winsock counts in int and wants
/// char pointers); negative on failure, with the error in last_socket_error(). Pass
/// send_no_signal in `flags` where the peer may be gone.
inline std::ptrdiff_t raw_send(NativeSocket socket, const void* data, std::size_t size,
                               int flags = 0) {
#if MIOCPP_OS_WINDOWS
  return ::send(socket, static_cast<const char*>(data), static_cast<int>(size), flags);
#else
  return ::send(socket, data, size, flags);
#endif
}

/// recv(2), as raw_send.
inline std::ptrdiff_t raw_recv(NativeSocket socket, void* data, std::size_t size, int flags = 0) {
#if MIOCPP_OS_WINDOWS
  return ::recv(socket, static_cast<char*>(data), static_cast<int>(size), flags);
#else
  return ::recv(socket, data, size, flags);
#endif
}

/// An operation for try_io: one raw recv(2) on `socket` into `buffer` (with `flags`, such as
/// MSG_PEEK), reporting its count and error as miocpp's own calls do.
inline auto raw_recv_operation(NativeSocket socket, std::span<std::byte> buffer, int flags = 0) {
  return [socket, buffer, flags](std::error_code& ec) -> std::size_t {
    const std::ptrdiff_t count = raw_recv(socket, buffer.data(), buffer.size(), flags);
    if (count < 0) {
      ec = last_socket_error();
      return 0;
    }
    ec.clear();
    return static_cast<std::size_t>(count);
  };
}

/// setsockopt with the value passed by reference (Winsock wants a char pointer). True on success.
template <class T>
bool set_option(NativeSocket socket, int level, int name, const T& value) {
#if MIOCPP_OS_WINDOWS
  return ::setsockopt(socket, level, name,
                      reinterpret_cast<const char*>(&value),  // NOLINT(*-reinterpret-cast)
                      static_cast<int>(sizeof value)) == 0;
#else
  return ::setsockopt(socket, level, name, &value, sizeof value) == 0;
#endif
}

/// A new raw socket of `family` and `type`, non-blocking and not inherited by child processes
/// (close-on-exec), as miocpp makes its own; invalid_socket on failure.
inline NativeSocket raw_socket(int family, int type) {
  start_sockets();
#if MIOCPP_OS_WINDOWS
  const SOCKET socket =
      ::WSASocketW(family, type, 0, nullptr, 0, WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);
  u_long on = 1;
  if (socket != INVALID_SOCKET && ::ioctlsocket(socket, static_cast<long>(FIONBIO), &on) != 0) {
    ::closesocket(socket);
    return INVALID_SOCKET;
  }
  return socket;
#else
  return ::socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
#endif
}

/// Puts a raw socket into non-blocking mode, as from_native expects it. True on success.
inline bool set_nonblocking(NativeSocket socket) {
#if MIOCPP_OS_WINDOWS
  u_long on = 1;
  return ::ioctlsocket(socket, static_cast<long>(FIONBIO), &on) == 0;
#else
  const int flags = ::fcntl(socket, F_GETFL);
  return flags >= 0 && ::fcntl(socket, F_SETFL, flags | O_NONBLOCK) == 0;
#endif
}

// ---- Descriptor flags ---------------------------------------------------------------------------

#if MIOCPP_OS_WINDOWS
/// Whether an I/O call on the socket returns at once instead of waiting. Winsock cannot be asked
/// for a socket's FIONBIO mode, so this asks the socket the question by doing it: with nothing
/// to take (WSAPoll reports no input), a non-blocking socket's recv (or a listener's accept)
/// fails with WSAEWOULDBLOCK. A blocking socket would wait there, so a receive timeout bounds
/// the probe for streams and datagrams. False if input is queued, when the probe cannot tell.
inline bool is_nonblocking(NativeSocket fd) {
  ::WSAPOLLFD entry{fd, POLLRDNORM, 0};
  if (::WSAPoll(&entry, 1, 0) != 0) {
    ADD_FAILURE() << "is_nonblocking: the socket has input queued, so the probe cannot tell";
    return false;
  }
  int listening = 0;
  int length = sizeof listening;
  ::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN,
               reinterpret_cast<char*>(&listening),  // NOLINT(*-reinterpret-cast)
               &length);
  if (listening != 0) {
    const SOCKET accepted = ::accept(fd, nullptr, nullptr);
    if (accepted != INVALID_SOCKET) {
      ::closesocket(accepted);
      return false;
    }
    return ::WSAGetLastError() == WSAEWOULDBLOCK;
  }
  DWORD saved = 0;
  length = sizeof saved;
  ::getsockopt(fd, SOL_SOCKET, SO_RCVTIMEO,
               reinterpret_cast<char*>(&saved),  // NOLINT(*-reinterpret-cast)
               &length);
  set_option(fd, SOL_SOCKET, SO_RCVTIMEO, DWORD{200});
  char byte = 0;
  const int result = ::recv(fd, &byte, 1, MSG_PEEK);
  const int error = ::WSAGetLastError();
  set_option(fd, SOL_SOCKET, SO_RCVTIMEO, saved);
  return result == SOCKET_ERROR && error == WSAEWOULDBLOCK;
}

/// Windows' close-on-exec: the handle is not inherited by child processes.
inline bool is_close_on_exec(NativeSocket fd) {
  DWORD flags = 0;
  return ::GetHandleInformation(reinterpret_cast<HANDLE>(fd),  // NOLINT(*-reinterpret-cast)
                                &flags) != 0 &&
         (flags & HANDLE_FLAG_INHERIT) == 0;
}

/// Whether `fd` names an open socket.
inline bool is_open_descriptor(NativeSocket fd) {
  int type = 0;
  int length = sizeof type;
  return ::getsockopt(fd, SOL_SOCKET, SO_TYPE,
                      reinterpret_cast<char*>(&type),  // NOLINT(*-reinterpret-cast)
                      &length) == 0;
}
#else
inline bool is_nonblocking(int fd) {
  const int flags = ::fcntl(fd, F_GETFL);
  return flags >= 0 && (flags & O_NONBLOCK) != 0;
}

inline bool is_close_on_exec(int fd) {
  const int flags = ::fcntl(fd, F_GETFD);
  return flags >= 0 && (flags & FD_CLOEXEC) != 0;
}

/// Whether `fd` names an open descriptor.
inline bool is_open_descriptor(int fd) {
  return ::fcntl(fd, F_GETFD) >= 0;
}
#endif

}  // namespace test
