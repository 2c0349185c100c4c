// Named pipes on IOCP: completion-based I/O presented as readiness (mio's approach).
//
// A pipe cannot be polled for readiness, so the pipe itself reads ahead and writes behind:
// a read is kept in flight into an internal buffer, and read() hands out what it brought; write()
// copies the caller's bytes into an internal buffer and starts the write. The completions of
// those operations arrive on the selector's completion port and become readable / writable
// events, as does a finished ConnectNamedPipe.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "../../token.hpp"
#include "afd.hpp"
#include "completion_target.hpp"
#include "error.hpp"
#include "handle.hpp"
#include "selector.hpp"
#include "windows.hpp"

namespace miocpp::sys::windows {

class PipeInner;

/// One kind of overlapped operation of a pipe; the OVERLAPPED is its first member.
struct PipeOperation {
  CompletionTarget target;
  PipeInner* owner = nullptr;
};

/// The state shared by a NamedPipe and its operations in flight. Reference counted: the NamedPipe
/// holds one reference and every operation in flight (and every event posted) one more, because
/// the kernel writes into its buffers and OVERLAPPEDs until the completion is dequeued.
class PipeInner {
 public:
  /// Size of the read-ahead buffer, and of the write buffer it starts with.
  static constexpr std::size_t buffer_size = 4096;

  explicit PipeInner(HANDLE handle) noexcept : handle_(handle) {
    connect_.owner = read_.owner = write_.owner = event_.owner = this;
    connect_.target.handler = &PipeInner::connect_done;
    read_.target.handler = &PipeInner::read_done;
    write_.target.handler = &PipeInner::write_done;
    event_.target.handler = &PipeInner::event_done;
  }

  PipeInner(const PipeInner&) = delete;
  PipeInner& operator=(const PipeInner&) = delete;
  PipeInner(PipeInner&&) = delete;
  PipeInner& operator=(PipeInner&&) = delete;

  ~PipeInner() {
    if (!close_handle_) {
      (void)handle_.release();
    }
  }

  [[nodiscard]] HANDLE native_handle() const noexcept { return handle_.native_handle(); }

  void acquire() noexcept { references_.fetch_add(1, std::memory_order_relaxed); }
  void release() noexcept {
    if (references_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      delete this;
    }
  }

  // ---- Registration -----------------------------------------------------------------------------

  void register_source(const Selector& selector, Token token, std::error_code& ec) noexcept {
    {
      const std::lock_guard lock(mutex_);
      if (!selector.inner()) {
        ec = std::make_error_code(std::errc::bad_file_descriptor);
        return;
      }
      if (selector_ && selector_ != selector.inner()) {
        // A handle joins one completion port for good: it cannot move to another Poll.
        ec = std::make_error_code(std::errc::file_exists);
        return;
      }
      if (token_) {
        ec = std::make_error_code(std::errc::file_exists);
        return;
      }
      if (!selector_) {
        selector.inner()->port().add_handle(handle_.native_handle(), pipe_completion_key, ec);
        if (ec) {
          return;
        }
        selector_ = selector.inner();
      }
      token_ = token.value;
    }
    post_register(nullptr);
    ec.clear();
  }

  void reregister(const Selector& selector, Token token, std::error_code& ec) noexcept {
    {
      const std::lock_guard lock(mutex_);
      if (!check_association(selector, ec)) {
        return;
      }
      token_ = token.value;
    }
    post_register(nullptr);
    ec.clear();
  }

  void deregister(const Selector& selector, std::error_code& ec) noexcept {
    const std::lock_guard lock(mutex_);
    if (!check_association(selector, ec)) {
      return;
    }
    if (!token_) {
      ec = std::make_error_code(std::errc::no_such_file_or_directory);
      return;
    }
    token_.reset();
    ec.clear();
  }

  // ---- Connections ------------------------------------------------------------------------------

  /// Starts ConnectNamedPipe. Would-block while it is in progress (or the pipe is not registered
  /// yet: its completion needs a port); its end is reported as a writable event.
  void connect(std::error_code& ec) noexcept {
    SelectorInner* selector = nullptr;
    {
      const std::lock_guard lock(mutex_);
      selector = selector_.get();
    }
    if (selector == nullptr || connecting_.exchange(true, std::memory_order_acq_rel)) {
      ec = std::make_error_code(std::errc::operation_would_block);
      return;
    }
    start_operation(*selector);
    connect_.target.overlapped = OVERLAPPED{};
    if (::ConnectNamedPipe(handle_.native_handle(), &connect_.target.overlapped) != 0) {
      ec.clear();  // connected; the completion packet still comes and starts the reading
      return;
    }
    const DWORD error = ::GetLastError();
    if (error == ERROR_IO_PENDING) {
      ec = std::make_error_code(std::errc::operation_would_block);
      return;
    }
    abandon_operation(*selector);
    connecting_.store(false, std::memory_order_release);
    if (error == ERROR_PIPE_CONNECTED || error == ERROR_NO_DATA) {
      // A client connected (and maybe left) before the call: no packet comes.
      post_register(nullptr);
      ec.clear();
      return;
    }
    ec = win32_code(error);
  }

  void disconnect(std::error_code& ec) noexcept {
    if (::DisconnectNamedPipe(handle_.native_handle()) == 0) {
      ec = last_error();
      return;
    }
    ec.clear();
  }

  /// The error of the last finished connect, if any, clearing it.
  std::error_code take_error() noexcept {
    const std::lock_guard lock(mutex_);
    return std::exchange(connect_error_, std::error_code());
  }

  // ---- I/O --------------------------------------------------------------------------------------

  std::size_t read(std::span<std::byte> buffer, std::error_code& ec) noexcept {
    const std::lock_guard lock(mutex_);
    if (!token_) {
      ec = std::make_error_code(std::errc::operation_would_block);
      return 0;
    }
    switch (read_state_) {
      case State::none:
      case State::pending:
        ec = std::make_error_code(std::errc::operation_would_block);
        return 0;
      case State::ready: {
        const std::size_t count = std::min(buffer.size(), read_size_ - read_position_);
        std::memcpy(buffer.data(), read_buffer_.data() + read_position_, count);
        read_position_ += count;
        if (read_position_ == read_size_) {
          read_state_ = State::none;
          schedule_read(nullptr);
        }
        ec.clear();
        return count;
      }
      case State::failed: {
        const std::error_code error = std::exchange(read_error_, std::error_code());
        read_state_ = State::none;
        schedule_read(nullptr);
        if (error.value() == ERROR_BROKEN_PIPE) {
          ec.clear();  // the writer is gone: end of stream
          return 0;
        }
        ec = error;
        return 0;
      }
    }
    return 0;
  }

  /// Takes all of `bytes` into the write buffer and starts writing it; would-block while a
  /// previous write is still going. A failure of that earlier write is reported here.
  std::size_t write(std::span<const std::byte> bytes, std::error_code& ec) noexcept {
    const std::lock_guard lock(mutex_);
    if (!token_) {
      ec = std::make_error_code(std::errc::operation_would_block);
      return 0;
    }
    if (write_state_ == State::failed) {
      write_state_ = State::none;
      ec = std::exchange(write_error_, std::error_code());
      return 0;
    }
    if (write_state_ != State::none) {
      ec = std::make_error_code(std::errc::operation_would_block);
      return 0;
    }
    if (write_buffer_.size() < bytes.size()) {
      if (!resize(write_buffer_, bytes.size())) {
        ec = std::make_error_code(std::errc::not_enough_memory);
        return 0;
      }
    }
    std::memcpy(write_buffer_.data(), bytes.data(), bytes.size());
    write_size_ = bytes.size();
    write_position_ = 0;
    const DWORD error = start_write();
    if (error != 0) {
      ec = win32_code(error);
      return 0;
    }
    write_state_ = State::pending;
    ec.clear();
    return bytes.size();
  }

  // ---- Ownership --------------------------------------------------------------------------------

  /// The NamedPipe is going: stop reporting, cancel the read-ahead and a connect in progress, and
  /// let go of the selector. A write in flight is left to finish, so its data reaches the peer.
  /// With `keep_handle` the handle is not closed when the last operation completes.
  void close(bool keep_handle) noexcept {
    std::shared_ptr<SelectorInner> selector;
    {
      const std::lock_guard lock(mutex_);
      token_.reset();
      close_handle_ = !keep_handle;
      if (connecting_.load(std::memory_order_acquire)) {
        ::CancelIoEx(handle_.native_handle(), &connect_.target.overlapped);
      }
      if (read_state_ == State::pending) {
        ::CancelIoEx(handle_.native_handle(), &read_.target.overlapped);
      }
      selector = std::move(selector_);
    }
    // Outside the lock: this may be the last reference to the selector, whose teardown waits
    // for our completions and takes this mutex.
    selector.reset();
  }

 private:
  enum class State : std::uint8_t { none, pending, ready, failed };

  static bool resize(std::vector<std::byte>& buffer, std::size_t size) noexcept {
#if MIOCPP_HAS_EXCEPTIONS
    try {
      buffer.resize(size);
    } catch (...) {
      return false;
    }
#else
    buffer.resize(size);
#endif
    return true;
  }

  bool check_association(const Selector& selector, std::error_code& ec) const noexcept {
    if (!selector_) {
      ec = std::make_error_code(std::errc::no_such_file_or_directory);
      return false;
    }
    if (selector_ != selector.inner()) {
      ec = std::make_error_code(std::errc::file_exists);
      return false;
    }
    ec.clear();
    return true;
  }

  /// An operation or posted event is about to be in flight: it holds a reference, and the
  /// selector counts it for its teardown.
  void start_operation(SelectorInner& selector) noexcept {
    acquire();
    selector.pipe_packet_started();
  }
  /// ...and it failed to start: no completion will come.
  void abandon_operation(SelectorInner& selector) noexcept {
    selector.pipe_packet_abandoned();
    release();
  }

  /// Reports `flags` for the pipe's token: into `collected` inside a completion (the selector
  /// turns it into the event), otherwise by posting an event packet to the port. Lock held.
  void notify(std::uint32_t flags, std::uint32_t* collected) noexcept {
    if (!token_) {
      return;
    }
    if (collected != nullptr) {
      *collected |= flags;
      return;
    }
    if (!selector_) {
      return;
    }
    start_operation(*selector_);
    std::error_code ec;
    selector_->port().post(flags, pipe_completion_key, &event_.target.overlapped, ec);
    if (ec) {
      abandon_operation(*selector_);
    }
  }

  /// Keeps a read in flight. False when the pipe has no client yet (nothing started). Lock held.
  bool schedule_read(std::uint32_t* collected) noexcept {
    if (read_state_ != State::none) {
      return true;
    }
    if (!selector_) {
      return false;
    }
    if (read_buffer_.empty() && !resize(read_buffer_, buffer_size)) {
      read_state_ = State::failed;
      read_error_ = std::make_error_code(std::errc::not_enough_memory);
      notify(afd::poll_receive, collected);
      return true;
    }
    start_operation(*selector_);
    read_.target.overlapped = OVERLAPPED{};
    if (::ReadFile(handle_.native_handle(), read_buffer_.data(),
                   static_cast<DWORD>(read_buffer_.size()), nullptr,
                   &read_.target.overlapped) != 0) {
      read_state_ = State::pending;  // done already; the completion packet still comes
      return true;
    }
    const DWORD error = ::GetLastError();
    if (error == ERROR_IO_PENDING || error == ERROR_MORE_DATA) {
      // ERROR_MORE_DATA (a message larger than the buffer) is a partial success: it completes
      // through the port like a normal read, and the rest of the message is read next.
      read_state_ = State::pending;
      return true;
    }
    abandon_operation(*selector_);
    if (error == ERROR_PIPE_LISTENING) {
      return false;  // no client yet: a connect will start the reading
    }
    read_state_ = State::failed;
    read_error_ = win32_code(error);
    notify(afd::poll_receive, collected);
    return true;
  }

  /// Writes the rest of the write buffer; 0 when started, else the error. Lock held.
  DWORD start_write() noexcept {
    start_operation(*selector_);
    write_.target.overlapped = OVERLAPPED{};
    if (::WriteFile(handle_.native_handle(), write_buffer_.data() + write_position_,
                    static_cast<DWORD>(write_size_ - write_position_), nullptr,
                    &write_.target.overlapped) != 0) {
      return 0;  // done already; the completion packet still comes
    }
    const DWORD error = ::GetLastError();
    if (error == ERROR_IO_PENDING) {
      return 0;
    }
    abandon_operation(*selector_);
    return error;
  }

  /// After a registration or a connect: start reading, and a pipe that can read can write.
  void post_register(std::uint32_t* collected) noexcept {
    const std::lock_guard lock(mutex_);
    post_register_locked(collected);
  }
  void post_register_locked(std::uint32_t* collected) noexcept {
    if (schedule_read(collected) && write_state_ == State::none) {
      notify(afd::poll_send, collected);
    }
  }

  /// The outcome of the operation behind `overlapped`: 0 or its error.
  DWORD result(OVERLAPPED& overlapped) const noexcept {
    DWORD transferred = 0;
    if (::GetOverlappedResult(handle_.native_handle(), &overlapped, &transferred, FALSE) == 0) {
      return ::GetLastError();
    }
    return 0;
  }

  static PipeInner& owner_of(CompletionTarget& target) noexcept {
    // PipeOperation starts with its CompletionTarget.
    return *reinterpret_cast<PipeOperation*>(&target)->owner;  // NOLINT(*-reinterpret-cast)
  }

  /// Runs `body` under the lock and returns what it reports, then drops the reference the
  /// operation held (outside the lock: it may be the last one).
  template <class Body>
  static std::uint32_t complete(CompletionTarget& target, std::uint64_t& token,
                                Body&& body) noexcept {
    PipeInner& pipe = owner_of(target);
    std::uint32_t flags = 0;
    {
      const std::lock_guard lock(pipe.mutex_);
      body(pipe, flags);
      if (pipe.token_) {
        token = *pipe.token_;
      } else {
        flags = 0;
      }
    }
    pipe.release();
    return flags;
  }

  static std::uint32_t connect_done(CompletionTarget& target, const OVERLAPPED_ENTRY& /*entry*/,
                                    bool discard, std::uint64_t& token) noexcept {
    return complete(target, token, [&](PipeInner& pipe, std::uint32_t& flags) {
      pipe.connecting_.store(false, std::memory_order_release);
      const DWORD error = pipe.result(pipe.connect_.target.overlapped);
      if (error != 0) {
        pipe.connect_error_ = win32_code(error);
      }
      if (!discard) {
        pipe.post_register_locked(&flags);
      }
    });
  }

  static std::uint32_t read_done(CompletionTarget& target, const OVERLAPPED_ENTRY& entry,
                                 bool discard, std::uint64_t& token) noexcept {
    return complete(target, token, [&](PipeInner& pipe, std::uint32_t& flags) {
      const DWORD error = pipe.result(pipe.read_.target.overlapped);
      if (error == 0 || error == ERROR_MORE_DATA) {
        pipe.read_state_ = State::ready;
        pipe.read_size_ = entry.dwNumberOfBytesTransferred;
        pipe.read_position_ = 0;
      } else {
        pipe.read_state_ = State::failed;
        pipe.read_error_ = win32_code(error);
      }
      if (!discard) {
        flags |= afd::poll_receive;
      }
    });
  }

  static std::uint32_t write_done(CompletionTarget& target, const OVERLAPPED_ENTRY& entry,
                                  bool discard, std::uint64_t& token) noexcept {
    return complete(target, token, [&](PipeInner& pipe, std::uint32_t& flags) {
      const DWORD error = pipe.result(pipe.write_.target.overlapped);
      if (error != 0) {
        pipe.write_state_ = State::failed;
        pipe.write_error_ = win32_code(error);
        flags |= afd::poll_send;
        return;
      }
      pipe.write_position_ += entry.dwNumberOfBytesTransferred;
      if (pipe.write_position_ < pipe.write_size_ && !discard && pipe.selector_) {
        const DWORD next_error = pipe.start_write();  // the rest of a partial write
        if (next_error == 0) {
          return;
        }
        pipe.write_state_ = State::failed;
        pipe.write_error_ = win32_code(next_error);
      } else {
        pipe.write_state_ = State::none;
      }
      flags |= afd::poll_send;
    });
  }

  static std::uint32_t event_done(CompletionTarget& target, const OVERLAPPED_ENTRY& entry,
                                  bool discard, std::uint64_t& token) noexcept {
    return complete(target, token, [&](PipeInner& /*pipe*/, std::uint32_t& flags) {
      if (!discard) {
        flags = entry.dwNumberOfBytesTransferred;
      }
    });
  }

  Handle handle_;
  PipeOperation connect_;
  PipeOperation read_;
  PipeOperation write_;
  PipeOperation event_;  // the OVERLAPPED of posted events (never given to the kernel)
  std::atomic<int> references_{1};
  std::atomic<bool> connecting_{false};

  std::mutex mutex_;                         // guards everything below
  std::shared_ptr<SelectorInner> selector_;  // the port this handle is associated with
  std::optional<std::uint64_t> token_;       // set while registered
  bool close_handle_ = true;
  std::error_code connect_error_;

  State read_state_ = State::none;
  std::vector<std::byte> read_buffer_;
  std::size_t read_size_ = 0;
  std::size_t read_position_ = 0;
  std::error_code read_error_;

  State write_state_ = State::none;
  std::vector<std::byte> write_buffer_;
  std::size_t write_size_ = 0;
  std::size_t write_position_ = 0;
  std::error_code write_error_;
};

/// An owned pipe handle with its PipeInner: what windows::NamedPipe is built on.
class NamedPipe {
 public:
  using native_handle_type = HANDLE;

  NamedPipe() noexcept = default;

  /// Adopts `handle` (opened with FILE_FLAG_OVERLAPPED); an empty pipe for a null or invalid
  /// handle, or when out of memory (`handle` is then closed).
  explicit NamedPipe(HANDLE handle) noexcept {
    if (handle == nullptr || handle == INVALID_HANDLE_VALUE) {
      return;
    }
    inner_ = new (std::nothrow) PipeInner(handle);
    if (inner_ == nullptr) {
      ::CloseHandle(handle);
    }
  }

  /// The server end of a new pipe instance named `name` (`\\.\pipe\...`): duplex, byte mode,
  /// overlapped, 64 KiB buffers each way. FILE_FLAG_FIRST_PIPE_INSTANCE makes a name already in
  /// use an error (access_denied) instead of joining someone else's pipe.
  static NamedPipe create(std::wstring_view name, std::error_code& ec) noexcept {
    std::wstring terminated;
    if (!copy(name, terminated)) {
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
    NamedPipe pipe(handle);
    ec = pipe.inner_ == nullptr ? std::make_error_code(std::errc::not_enough_memory)
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

  NamedPipe(NamedPipe&& other) noexcept : inner_(std::exchange(other.inner_, nullptr)) {}
  NamedPipe& operator=(NamedPipe&& other) noexcept {
    if (this != &other) {
      reset(false);
      inner_ = std::exchange(other.inner_, nullptr);
    }
    return *this;
  }
  NamedPipe(const NamedPipe&) = delete;
  NamedPipe& operator=(const NamedPipe&) = delete;
  ~NamedPipe() { reset(false); }

  [[nodiscard]] HANDLE native_handle() const noexcept {
    return inner_ == nullptr ? INVALID_HANDLE_VALUE : inner_->native_handle();
  }

  /// Gives the handle up without closing it. Its read-ahead is cancelled and the bytes it had
  /// read and not handed out are lost; a write in flight still completes.
  HANDLE release() noexcept {
    const HANDLE handle = native_handle();
    reset(true);
    return handle;
  }

  [[nodiscard]] PipeInner* get() const noexcept { return inner_; }

 private:
  static bool copy(std::wstring_view from, std::wstring& to) noexcept {
#if MIOCPP_HAS_EXCEPTIONS
    try {
      to.assign(from);
    } catch (...) {
      return false;
    }
#else
    to.assign(from);
#endif
    return true;
  }

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
    if (!copy(std::wstring_view(), result)) {
      ec = std::make_error_code(std::errc::not_enough_memory);
      return false;
    }
#if MIOCPP_HAS_EXCEPTIONS
    try {
      result.resize(static_cast<std::size_t>(needed));
    } catch (...) {
      ec = std::make_error_code(std::errc::not_enough_memory);
      return false;
    }
#else
    result.resize(static_cast<std::size_t>(needed));
#endif
    ::MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, utf8.data(), length, result.data(),
                          needed);
    wide = std::move(result);
    return true;
  }

  void reset(bool keep_handle) noexcept {
    if (inner_ != nullptr) {
      PipeInner* inner = std::exchange(inner_, nullptr);
      inner->close(keep_handle);
      inner->release();
    }
  }

  PipeInner* inner_ = nullptr;
};

}  // namespace miocpp::sys::windows
