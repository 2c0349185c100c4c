// The wake socket of the Windows signal and child watchers: a UDP socket on the loopback,
// connected to its own address. A thread of Windows' own (a console control routine, a wait
// callback) sends it one byte; the selector sees it readable through AFD like any socket; the
// loop drains it before it looks at what happened, so a wake after that look is a new event.
// Connected to itself, it accepts only its own datagrams: nothing else on the machine can wake it.
#pragma once

#include <array>
#include <cstddef>
#include <system_error>

#include "error.hpp"
#include "socket.hpp"
#include "windows.hpp"

namespace miocpp::sys::windows {

/// A new wake socket: non-blocking, not inherited, bound to 127.0.0.1 on a free port and
/// connected to that address. Empty, with `ec` set, on error.
inline Socket open_wake_socket(std::error_code& ec) noexcept {
  return open_socket_with(AF_INET, SOCK_DGRAM, ec, [&ec](SOCKET socket) {
    ::sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = ::htonl(INADDR_LOOPBACK);
    int length = static_cast<int>(sizeof address);
    auto* raw = reinterpret_cast<::sockaddr*>(&address);  // NOLINT(*-reinterpret-cast)
    check(::bind(socket, raw, length), ec);
    if (!ec) {
      check(::getsockname(socket, raw, &length), ec);  // the port bind picked
    }
    if (!ec) {
      check(::connect(socket, raw, length), ec);
    }
  });
}

/// Makes `wake` readable: one byte. A failed send needs nothing more: it fails when the socket's
/// queue is full, and then it is readable already.
inline void send_wake(SOCKET wake) noexcept {
  const char byte = 1;
  (void)::send(wake, &byte, 1, 0);
}

/// Reads every byte queued on `wake` (until the read would block, or fails), so that the next
/// send_wake makes it readable anew.
inline void drain_wake_socket(SOCKET wake) noexcept {
  std::array<char, 64> buffer{};
  while (::recv(wake, buffer.data(), static_cast<int>(buffer.size()), 0) != SOCKET_ERROR) {
  }
}

}  // namespace miocpp::sys::windows
