// OwnedHandle: one move-only owner for every kind of OS handle (a POSIX descriptor, a Winsock
// SOCKET, a Win32 HANDLE), closed on destruction.
#pragma once

#include <utility>

namespace miocpp::sys::common {

/// Closes its handle on destruction; `Kind::empty` means none. Move-only. `Kind` names the handle
/// type (`native_handle_type`), its empty value (`empty`), which values are handles
/// (`is_valid`) and how one is closed (`close`).
template <class Kind>
class OwnedHandle {
 public:
  using native_handle_type = typename Kind::native_handle_type;

  OwnedHandle() noexcept = default;
  explicit OwnedHandle(native_handle_type handle) noexcept : handle_(handle) {}
  OwnedHandle(OwnedHandle&& other) noexcept : handle_(other.release()) {}
  OwnedHandle& operator=(OwnedHandle&& other) noexcept {
    if (this != &other) {
      reset(other.release());
    }
    return *this;
  }
  OwnedHandle(const OwnedHandle&) = delete;
  OwnedHandle& operator=(const OwnedHandle&) = delete;
  ~OwnedHandle() { reset(); }

  [[nodiscard]] native_handle_type native_handle() const noexcept { return handle_; }
  [[nodiscard]] bool is_open() const noexcept { return Kind::is_valid(handle_); }

  /// Gives up ownership without closing.
  native_handle_type release() noexcept { return std::exchange(handle_, Kind::empty); }

  /// Closes the current handle (if any) and takes `handle`.
  void reset(native_handle_type handle = Kind::empty) noexcept {
    const native_handle_type old = std::exchange(handle_, handle);
    if (Kind::is_valid(old)) {
      Kind::close(old);
    }
  }

 private:
  native_handle_type handle_ = Kind::empty;
};

}  // namespace miocpp::sys::common
