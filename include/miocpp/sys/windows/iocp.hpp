// An I/O completion port: where the AFD polls, named-pipe I/O and wake-ups complete.
#pragma once

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstddef>
#include <optional>
#include <system_error>

#include "error.hpp"
#include "handle.hpp"
#include "windows.hpp"

namespace miocpp::sys::windows {

/// Milliseconds for a Win32 wait: INFINITE for none, a fraction rounded up (a timeout never
/// expires early), clamped below INFINITE.
inline DWORD wait_milliseconds(std::optional<std::chrono::nanoseconds> timeout) noexcept {
  if (!timeout) {
    return INFINITE;
  }
  if (timeout->count() <= 0) {
    return 0;
  }
  const auto rounded = std::chrono::ceil<std::chrono::milliseconds>(*timeout).count();
  return static_cast<DWORD>(std::min<long long>(rounded, INFINITE - 1));
}

class CompletionPort {
 public:
  CompletionPort() noexcept = default;

  explicit CompletionPort(std::error_code& ec) noexcept
      : port_(::CreateIoCompletionPort(INVALID_HANDLE_VALUE, nullptr, 0, 0)) {
    if (!port_.is_open()) {
      ec = last_error();
      return;
    }
    ec.clear();
  }

  /// Delivers the completions of `handle` here, tagged with `key`. A handle joins one port for
  /// its whole life.
  void add_handle(HANDLE handle, ULONG_PTR key, std::error_code& ec) const noexcept {
    if (::CreateIoCompletionPort(handle, port_.native_handle(), key, 0) == nullptr) {
      ec = last_error();
      return;
    }
    ec.clear();
  }

  /// Queues a packet of our own (a wake-up, a named-pipe readiness event).
  void post(DWORD bytes, ULONG_PTR key, OVERLAPPED* overlapped,
            std::error_code& ec) const noexcept {
    if (::PostQueuedCompletionStatus(port_.native_handle(), bytes, key, overlapped) == 0) {
      ec = last_error();
      return;
    }
    ec.clear();
  }

  /// Dequeues up to `capacity` packets, waiting up to `milliseconds` for the first. 0 on timeout.
  std::size_t get_many(OVERLAPPED_ENTRY* entries, std::size_t capacity, DWORD milliseconds,
                       std::error_code& ec) const noexcept {
    ULONG removed = 0;
    const auto count = static_cast<ULONG>(std::min<std::size_t>(capacity, ULONG_MAX));
    if (::GetQueuedCompletionStatusEx(port_.native_handle(), entries, count, &removed, milliseconds,
                                      FALSE) == 0) {
      const DWORD error = ::GetLastError();
      if (error == WAIT_TIMEOUT) {
        ec.clear();
        return 0;
      }
      ec = win32_code(error);
      return 0;
    }
    ec.clear();
    return removed;
  }

  [[nodiscard]] HANDLE native_handle() const noexcept { return port_.native_handle(); }

 private:
  Handle port_;
};

}  // namespace miocpp::sys::windows
