// Winsock's one-time initialisation.
#pragma once

#include <system_error>

#include "error.hpp"
#include "windows.hpp"

namespace miocpp::sys::windows {

/// WSAStartup, once per process, on first use by miocpp (a function-local static: thread-safe,
/// and invisible to users). It is never undone: WSACleanup at exit would pull the network from
/// under sockets that other static objects still close later. Reports the startup's error.
inline std::error_code start_winsock() noexcept {
  static const std::error_code started = [] {
    WSADATA data{};
    const int result = ::WSAStartup(MAKEWORD(2, 2), &data);
    return result == 0 ? std::error_code() : win32_code(static_cast<DWORD>(result));
  }();
  return started;
}

}  // namespace miocpp::sys::windows
