// Win32 and Winsock error codes as std::error_code.
//
// Winsock's WSAE* codes and the Win32 ERROR_* codes share one number space (GetLastError returns
// either), so one category serves both. Its default_error_condition maps them to the portable
// std::errc values, so `ec == std::errc::operation_would_block` holds for WSAEWOULDBLOCK exactly as
// it does for EWOULDBLOCK on POSIX.
#pragma once

#include <string>
#include <system_error>

#include "windows.hpp"

namespace miocpp::sys::windows {

/// The portable condition of a Win32 / Winsock error; 0 when there is none.
constexpr int generic_errno(int code) noexcept {
  switch (code) {
    case WSAEWOULDBLOCK:
      return static_cast<int>(std::errc::operation_would_block);
    case WSAEINTR:
      return static_cast<int>(std::errc::interrupted);
    case WSAEBADF:
    case WSAENOTSOCK:
    case ERROR_INVALID_HANDLE:
      return static_cast<int>(std::errc::bad_file_descriptor);
    case WSAEACCES:
    case ERROR_ACCESS_DENIED:
      return static_cast<int>(std::errc::permission_denied);
    case WSAEFAULT:
      return static_cast<int>(std::errc::bad_address);
    case WSAEINVAL:
    case ERROR_INVALID_PARAMETER:
      return static_cast<int>(std::errc::invalid_argument);
    case WSAEMFILE:
    case ERROR_TOO_MANY_OPEN_FILES:
      return static_cast<int>(std::errc::too_many_files_open);
    case WSAEINPROGRESS:
      return static_cast<int>(std::errc::operation_in_progress);
    case WSAEALREADY:
      return static_cast<int>(std::errc::connection_already_in_progress);
    case WSAEDESTADDRREQ:
      return static_cast<int>(std::errc::destination_address_required);
    case WSAEMSGSIZE:
      return static_cast<int>(std::errc::message_size);
    case WSAEPROTOTYPE:
      return static_cast<int>(std::errc::wrong_protocol_type);
    case WSAENOPROTOOPT:
      return static_cast<int>(std::errc::no_protocol_option);
    case WSAEPROTONOSUPPORT:
    case WSAESOCKTNOSUPPORT:
      return static_cast<int>(std::errc::protocol_not_supported);
    case WSAEOPNOTSUPP:
      return static_cast<int>(std::errc::operation_not_supported);
    case ERROR_NOT_SUPPORTED:
    case ERROR_CALL_NOT_IMPLEMENTED:
      return static_cast<int>(std::errc::not_supported);
    case WSAEAFNOSUPPORT:
    case WSAEPFNOSUPPORT:
      return static_cast<int>(std::errc::address_family_not_supported);
    case WSAEADDRINUSE:
      return static_cast<int>(std::errc::address_in_use);
    case WSAEADDRNOTAVAIL:
      return static_cast<int>(std::errc::address_not_available);
    case WSAENETDOWN:
      return static_cast<int>(std::errc::network_down);
    case WSAENETUNREACH:
      return static_cast<int>(std::errc::network_unreachable);
    case WSAENETRESET:
      return static_cast<int>(std::errc::network_reset);
    case WSAECONNABORTED:
      return static_cast<int>(std::errc::connection_aborted);
    case WSAECONNRESET:
      return static_cast<int>(std::errc::connection_reset);
    case WSAENOBUFS:
      return static_cast<int>(std::errc::no_buffer_space);
    case WSAEISCONN:
      return static_cast<int>(std::errc::already_connected);
    case WSAENOTCONN:
    case ERROR_PIPE_NOT_CONNECTED:
      return static_cast<int>(std::errc::not_connected);
    case WSAETIMEDOUT:
    case WAIT_TIMEOUT:
      return static_cast<int>(std::errc::timed_out);
    case WSAECONNREFUSED:
      return static_cast<int>(std::errc::connection_refused);
    case WSAEHOSTUNREACH:
    case WSAEHOSTDOWN:
      return static_cast<int>(std::errc::host_unreachable);
    case WSAENAMETOOLONG:
    case ERROR_FILENAME_EXCED_RANGE:
      return static_cast<int>(std::errc::filename_too_long);
    // A send after shutdown(SD_SEND), or on a pipe whose reader is gone: EPIPE on POSIX.
    case WSAESHUTDOWN:
    case ERROR_BROKEN_PIPE:
    case ERROR_NO_DATA:
      return static_cast<int>(std::errc::broken_pipe);
    case ERROR_NOT_ENOUGH_MEMORY:
    case ERROR_OUTOFMEMORY:
      return static_cast<int>(std::errc::not_enough_memory);
    case ERROR_FILE_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND:
      return static_cast<int>(std::errc::no_such_file_or_directory);
    case ERROR_FILE_EXISTS:
    case ERROR_ALREADY_EXISTS:
      return static_cast<int>(std::errc::file_exists);
    case ERROR_PIPE_BUSY:
    case ERROR_BUSY:
      return static_cast<int>(std::errc::device_or_resource_busy);
    case ERROR_OPERATION_ABORTED:
      return static_cast<int>(std::errc::operation_canceled);
    default:
      return 0;
  }
}

class ErrorCategory final : public std::error_category {
 public:
  [[nodiscard]] const char* name() const noexcept override { return "miocpp.windows"; }

  [[nodiscard]] std::string message(int code) const override {
    char* text = nullptr;
    const DWORD length = ::FormatMessageA(
        FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS,
        nullptr, static_cast<DWORD>(code), 0,
        reinterpret_cast<char*>(&text),  // NOLINT(*-reinterpret-cast): the ALLOCATE_BUFFER form
        0, nullptr);
    std::string result;
    if (length != 0 && text != nullptr) {
      result.assign(text, length);
      // FormatMessage ends its text with ".\r\n"; error_code::message has no line break.
      while (!result.empty() && (result.back() == '\n' || result.back() == '\r')) {
        result.pop_back();
      }
    } else {
      result = "Windows error " + std::to_string(code);
    }
    if (text != nullptr) {
      ::LocalFree(text);
    }
    return result;
  }

  [[nodiscard]] std::error_condition default_error_condition(int code) const noexcept override {
    const int portable = generic_errno(code);
    if (portable != 0) {
      return {portable, std::generic_category()};
    }
    return {code, *this};
  }
};

inline const std::error_category& error_category() noexcept {
  static const ErrorCategory category;
  return category;
}

/// A Win32 or Winsock error code as std::error_code.
inline std::error_code win32_code(DWORD code) noexcept {
  return {static_cast<int>(code), error_category()};
}

/// The error of the Win32 call that just failed (GetLastError).
inline std::error_code last_error() noexcept {
  return win32_code(::GetLastError());
}

/// The error of the Winsock call that just failed (WSAGetLastError).
inline std::error_code last_socket_error() noexcept {
  return win32_code(static_cast<DWORD>(::WSAGetLastError()));
}

}  // namespace miocpp::sys::windows
