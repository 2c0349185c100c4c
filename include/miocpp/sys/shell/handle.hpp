// The shell's owned handle: nothing in this build opens one, but a descriptor handed over with
// from_native is still owned, and closed where the host has close().
#pragma once

#include <utility>

#include "../../config.hpp"

// WASI builds use this handle as their socket (wasi-libc's close() is fd_close).
#if MIOCPP_OS_POSIX || MIOCPP_OS_WASI
#include <unistd.h>
#endif

namespace miocpp::sys::shell {

/// Closes its descriptor on destruction (on POSIX and WASI hosts); -1 means empty. Move-only.
class Handle {
 public:
  using native_handle_type = int;

  Handle() noexcept = default;
  explicit Handle(int handle) noexcept : handle_(handle) {}
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

  [[nodiscard]] int native_handle() const noexcept { return handle_; }
  [[nodiscard]] bool is_open() const noexcept { return handle_ >= 0; }
  int release() noexcept { return std::exchange(handle_, -1); }

  void reset(int handle = -1) noexcept {
    const int old = std::exchange(handle_, handle);
#if MIOCPP_OS_POSIX || MIOCPP_OS_WASI
    if (old >= 0) {
      ::close(old);
    }
#else
    (void)old;  // no OS to give it back to
#endif
  }

 private:
  int handle_ = -1;
};

/// What sys::open_pipe returns; the shell never opens one.
struct PipeEnds {
  Handle read_end;
  Handle write_end;
};

}  // namespace miocpp::sys::shell
