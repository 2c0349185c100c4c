// The state of a named pipe on IOCP: completion-based I/O presented as readiness (mio's approach).
//
// A pipe cannot be polled for readiness, so the pipe itself reads ahead and writes behind
// (pipe_buffers.hpp). The completions of those operations arrive on the selector's completion
// port and become readable / writable events, as does a finished ConnectNamedPipe.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <system_error>
#include <utility>

#include "../../token.hpp"
#include "afd/poll.hpp"
#include "completion_target.hpp"
#include "error.hpp"
#include "handle.hpp"
#include "pipe_buffers.hpp"
#include "selector.hpp"
#include "windows.hpp"

namespace miocpp::sys::windows {

/// What a NamedPipe and its operations in flight share. Reference counted: the NamedPipe holds
/// one reference and every operation in flight (and every event posted) one more, because the
/// kernel writes into its buffers and OVERLAPPEDs until the completion is dequeued.
class PipeState {
 public:
  explicit PipeState(HANDLE handle) noexcept : handle_(handle) {
    for (PipeOperation* operation : {&connect_, &read_.operation, &write_.operation, &event_}) {
      operation->owner = this;
      operation->target.handler = &PipeState::completed;
    }
  }

  PipeState(const PipeState&) = delete;
  PipeState& operator=(const PipeState&) = delete;
  PipeState(PipeState&&) = delete;
  PipeState& operator=(PipeState&&) = delete;

  ~PipeState() {
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

  void register_source(const Selector& selector, Token token, std::error_code& ec) noexcept {
    {
      const std::lock_guard lock(mutex_);
      if (!selector.inner()) {
        ec = std::make_error_code(std::errc::bad_file_descriptor);
        return;
      }
      if ((selector_ && selector_ != selector.inner()) || token_) {
        // A handle joins one completion port for good: it cannot move to another Poll.
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
    if (::ConnectNamedPipe(handle_.native_handle(), connect_.fresh()) != 0) {
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

  std::size_t read(std::span<std::byte> buffer, std::error_code& ec) noexcept {
    const std::lock_guard lock(mutex_);
    if (!token_ || read_.state == PipeIo::none || read_.state == PipeIo::pending) {
      ec = std::make_error_code(std::errc::operation_would_block);
      return 0;
    }
    if (read_.state == PipeIo::ready) {
      const std::size_t count = read_.take(buffer);
      schedule_read(nullptr);  // once all is handed out
      ec.clear();
      return count;
    }
    ec = read_.take_failure();
    schedule_read(nullptr);
    return 0;
  }

  /// Takes all of `bytes` into the write buffer and starts writing it; would-block while a
  /// previous write is still going. A failure of that earlier write is reported here.
  std::size_t write(std::span<const std::byte> bytes, std::error_code& ec) noexcept {
    const std::lock_guard lock(mutex_);
    if (!token_ || write_.state == PipeIo::pending || write_.state == PipeIo::ready) {
      ec = std::make_error_code(std::errc::operation_would_block);
      return 0;
    }
    if (write_.state == PipeIo::failed) {
      ec = write_.take_failure();
      return 0;
    }
    if (!write_.fill(bytes)) {
      ec = std::make_error_code(std::errc::not_enough_memory);
      return 0;
    }
    const DWORD error = start_write();
    if (error != 0) {
      ec = win32_code(error);
      return 0;
    }
    write_.state = PipeIo::pending;
    ec.clear();
    return bytes.size();
  }

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
      if (read_.state == PipeIo::pending) {
        ::CancelIoEx(handle_.native_handle(), &read_.operation.target.overlapped);
      }
      selector = std::move(selector_);
    }
    // Outside the lock: this may be the last reference to the selector, whose teardown waits
    // for our completions and takes this mutex.
    selector.reset();
  }

 private:
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
    if (read_.state != PipeIo::none) {
      return true;
    }
    if (!selector_) {
      return false;
    }
    if (!read_.allocate()) {
      read_.fail(std::make_error_code(std::errc::not_enough_memory));
      notify(afd::poll_receive, collected);
      return true;
    }
    start_operation(*selector_);
    const DWORD error = read_.start(handle_.native_handle());
    if (error == 0) {
      return true;
    }
    abandon_operation(*selector_);
    if (error == ERROR_PIPE_LISTENING) {
      return false;  // no client yet: a connect will start the reading
    }
    read_.fail(win32_code(error));
    notify(afd::poll_receive, collected);
    return true;
  }

  /// Writes the rest of the write buffer; 0 when started, else the error. Lock held.
  DWORD start_write() noexcept {
    start_operation(*selector_);
    const DWORD error = write_.start(handle_.native_handle());
    if (error != 0) {
      abandon_operation(*selector_);
    }
    return error;
  }

  /// After a registration or a connect: start reading, and a pipe that can read can write.
  void post_register(std::uint32_t* collected) noexcept {
    const std::lock_guard lock(mutex_);
    post_register_locked(collected);
  }
  void post_register_locked(std::uint32_t* collected) noexcept {
    if (schedule_read(collected) && write_.state == PipeIo::none) {
      notify(afd::poll_send, collected);
    }
  }

  /// The CompletionTarget handler of every operation of a pipe: what the completion of `target`
  /// reports. The reference the operation held is dropped last, outside the lock: it may be the
  /// last one.
  static std::uint32_t completed(CompletionTarget& target, const OVERLAPPED_ENTRY& entry,
                                 bool discard, std::uint64_t& token) noexcept {
    PipeState& pipe = PipeOperation::owner_of(target);
    std::uint32_t flags = 0;
    {
      const std::lock_guard lock(pipe.mutex_);
      if (&target == &pipe.connect_.target) {
        pipe.connect_done(discard, flags);
      } else if (&target == &pipe.read_.operation.target) {
        pipe.read_.finished(pipe.read_.operation.result(pipe.native_handle()),
                            entry.dwNumberOfBytesTransferred);
        flags = discard ? 0 : afd::poll_receive;
      } else if (&target == &pipe.write_.operation.target) {
        flags = pipe.write_done(entry, discard);
      } else {
        flags = discard ? 0 : entry.dwNumberOfBytesTransferred;  // a posted event
      }
      if (pipe.token_) {
        token = *pipe.token_;
      } else {
        flags = 0;
      }
    }
    pipe.release();
    return flags;
  }

  void connect_done(bool discard, std::uint32_t& flags) noexcept {
    connecting_.store(false, std::memory_order_release);
    const DWORD error = connect_.result(native_handle());
    if (error != 0) {
      connect_error_ = win32_code(error);
    }
    if (!discard) {
      post_register_locked(&flags);
    }
  }

  std::uint32_t write_done(const OVERLAPPED_ENTRY& entry, bool discard) noexcept {
    if (write_.finished(write_.operation.result(native_handle()),
                        entry.dwNumberOfBytesTransferred)) {
      if (discard || !selector_) {
        write_.state = PipeIo::none;
      } else if (const DWORD error = start_write(); error == 0) {
        return 0;  // the rest of a partial write is in flight
      } else {
        write_.fail(win32_code(error));
      }
    }
    return afd::poll_send;
  }

  Handle handle_;
  PipeOperation connect_;
  PipeOperation event_;  // the OVERLAPPED of posted events (never given to the kernel)
  std::atomic<int> references_{1};
  std::atomic<bool> connecting_{false};

  std::mutex mutex_;                         // guards everything below
  std::shared_ptr<SelectorInner> selector_;  // the port this handle is associated with
  std::optional<std::uint64_t> token_;       // set while registered
  bool close_handle_ = true;
  std::error_code connect_error_;
  ReadAhead read_;
  WriteBehind write_;
};

}  // namespace miocpp::sys::windows
