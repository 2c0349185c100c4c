// An owned Win32 HANDLE.
#pragma once

#include <utility>

#include "windows.hpp"

namespace miocpp::sys::windows {

/// Closes its handle on destruction; null means empty (INVALID_HANDLE_VALUE is never stored: the
/// calls that return it are checked before a Handle is made). Move-only.
class Handle {
 public:
  using native_handle_type = HANDLE;

  Handle() noexcept = default;
  explicit Handle(HANDLE handle) noexcept : handle_(handle) {}
  Handle(Handle&& other) noexcept : handle_(other.release()) {}
  Handle& operator=(Handle&& other) noexcept {
    if (this != &other) {
      reset(other.release());
    }
    return *this;
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle() { reset(); }

  [[nodiscard]] HANDLE native_handle() const noexcept { return handle_; }
  [[nodiscard]] bool is_open() const noexcept { return handle_ != nullptr; }

  HANDLE release() noexcept { return std::exchange(handle_, nullptr); }

  void reset(HANDLE handle = nullptr) noexcept {
    const HANDLE old = std::exchange(handle_, handle);
    if (old != nullptr) {
      ::CloseHandle(old);
    }
  }

 private:
  HANDLE handle_ = nullptr;
};

}  // namespace miocpp::sys::windows
