// windows::NamedPipe: an owned named-pipe handle with its PipeState, what the front end's
// miocpp::windows::NamedPipe forwards to (concepts::NamedPipe).
#pragma once

#include <cstddef>
#include <new>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include "../../interest.hpp"
#include "../../token.hpp"
#include "error.hpp"
#include "pipe_buffers.hpp"
#include "pipe_state.hpp"
#include "selector.hpp"
#include "windows.hpp"

namespace miocpp::sys::windows {

/// Empty when default-constructed: its I/O calls and registration report bad_file_descriptor,
/// reregister and deregister no_such_file_or_directory (it was never registered), take_error
/// nothing.
class NamedPipe {
 public:
  using native_handle_type = HANDLE;

  NamedPipe() noexcept = default;

  /// The server end of a new pipe instance named `name` (`\\.\pipe\...`): duplex, byte mode,
  /// overlapped, 64 KiB buffers each way. FILE_FLAG_FIRST_PIPE_INSTANCE makes a name already in
  /// use an error (access_denied) instead of joining someone else's pipe.
  static NamedPipe create(std::wstring_view name, std::error_code& ec) noexcept {
    std::wstring terminated;
    if (!try_allocate([&] { terminated.assign(name); })) {
      ec = std::make_error_code(std::errc::not_enough_memory);
      return {};
    }
    const HANDLE handle = ::CreateNamedPipeW(
        terminated.c_str(),
        PIPE_ACCESS_DUPLEX | FILE_FLAG_FIRST_PIPE_INSTANCE | FILE_FLAG_OVERLAPPED,
        PIPE_TYPE_BYTE | PIPE_READMODE_BYTE, PIPE_UNLIMITED_INSTANCES, 65536, 65536, 0, nullptr);
    if (handle == INVALID_HANDLE_VALUE) {
      ec = last_error();
      return {};
    }
    NamedPipe pipe = from_native(handle);
    ec = pipe.state_ == nullptr ? std::make_error_code(std::errc::not_enough_memory)
                                : std::error_code();
    return pipe;
  }

  /// `name` in UTF-8.
  static NamedPipe create(std::string_view name, std::error_code& ec) noexcept {
    std::wstring wide;
    if (!widen(name, wide, ec)) {
      return {};
    }
    return create(std::wstring_view(wide), ec);
  }

  /// Adopts `handle` (opened with FILE_FLAG_OVERLAPPED); an empty pipe for a null or invalid
  /// handle, or when out of memory (`handle` is then closed).
  static NamedPipe from_native(HANDLE handle) noexcept {
    NamedPipe pipe;
    if (handle == nullptr || handle == INVALID_HANDLE_VALUE) {
      return pipe;
    }
    pipe.state_ = new (std::nothrow) PipeState(handle);
    if (pipe.state_ == nullptr) {
      ::CloseHandle(handle);
    }
    return pipe;
  }

  NamedPipe(NamedPipe&& other) noexcept : state_(std::exchange(other.state_, nullptr)) {}
  NamedPipe& operator=(NamedPipe&& other) noexcept {
    if (this != &other) {
      reset(false);
      state_ = std::exchange(other.state_, nullptr);
    }
    return *this;
  }
  NamedPipe(const NamedPipe&) = delete;
  NamedPipe& operator=(const NamedPipe&) = delete;
  ~NamedPipe() { reset(false); }

  [[nodiscard]] HANDLE native_handle() const noexcept {
    return state_ == nullptr ? INVALID_HANDLE_VALUE : state_->native_handle();
  }

  /// Gives the handle up without closing it. Its read-ahead is cancelled and the bytes it had
  /// read and not handed out are lost; a write in flight still completes.
  HANDLE release() noexcept {
    const HANDLE handle = native_handle();
    reset(true);
    return handle;
  }

  void connect(std::error_code& ec) noexcept {
    if (is_open(ec, std::errc::bad_file_descriptor)) {
      state_->connect(ec);
    }
  }

  void disconnect(std::error_code& ec) noexcept {
    if (is_open(ec, std::errc::bad_file_descriptor)) {
      state_->disconnect(ec);
    }
  }

  /// The error of the last finished connect, if any, clearing it; `ec` is always cleared.
  [[nodiscard]] std::error_code take_error(std::error_code& ec) const noexcept {
    ec.clear();
    return state_ == nullptr ? std::error_code() : state_->take_error();
  }

  std::size_t read(std::span<std::byte> buffer, std::error_code& ec) noexcept {
    return is_open(ec, std::errc::bad_file_descriptor) ? state_->read(buffer, ec) : 0;
  }

  std::size_t write(std::span<const std::byte> bytes, std::error_code& ec) noexcept {
    return is_open(ec, std::errc::bad_file_descriptor) ? state_->write(bytes, ec) : 0;
  }

  /// The interest is not used: a pipe reports whatever its completions bring.
  void register_source(const Selector& selector, Token token, Interest /*interest*/,
                       std::error_code& ec) noexcept {
    if (is_open(ec, std::errc::bad_file_descriptor)) {
      state_->register_source(selector, token, ec);
    }
  }
  void reregister(const Selector& selector, Token token, Interest /*interest*/,
                  std::error_code& ec) noexcept {
    if (is_open(ec, std::errc::no_such_file_or_directory)) {
      state_->reregister(selector, token, ec);
    }
  }
  void deregister(const Selector& selector, std::error_code& ec) noexcept {
    if (is_open(ec, std::errc::no_such_file_or_directory)) {
      state_->deregister(selector, ec);
    }
  }

 private:
  /// Whether there is a pipe to act on; if not, `ec` says `otherwise`.
  bool is_open(std::error_code& ec, std::errc otherwise) const noexcept {
    if (state_ == nullptr) {
      ec = std::make_error_code(otherwise);
      return false;
    }
    return true;
  }

  /// `utf8` as UTF-16; false with `ec` set when it is not valid UTF-8 or memory runs out.
  static bool widen(std::string_view utf8, std::wstring& wide, std::error_code& ec) noexcept {
    if (utf8.empty()) {
      wide.clear();
      return true;
    }
    if (utf8.size() > 0x7FFFFFFF) {
      ec = std::make_error_code(std::errc::filename_too_long);
      return false;
    }
    const int length = static_cast<int>(utf8.size());
    const int needed =
        ::MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, utf8.data(), length, nullptr, 0);
    if (needed <= 0) {
      ec = last_error();
      return false;
    }
    std::wstring result;
    if (!try_allocate([&] { result.resize(static_cast<std::size_t>(needed)); })) {
      ec = std::make_error_code(std::errc::not_enough_memory);
      return false;
    }
    ::MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, utf8.data(), length, result.data(),
                          needed);
    wide = std::move(result);
    return true;
  }

  void reset(bool keep_handle) noexcept {
    if (state_ != nullptr) {
      PipeState* state = std::exchange(state_, nullptr);
      state->close(keep_handle);
      state->release();
    }
  }

  PipeState* state_ = nullptr;
};

}  // namespace miocpp::sys::windows
