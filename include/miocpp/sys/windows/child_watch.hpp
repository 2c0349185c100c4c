// Watching a process for its exit on Windows: a wait on the process handle in Windows' thread
// pool (RegisterWaitForSingleObject), whose callback sends one byte to a wake socket
// (wake_socket.hpp) that the front end registers like any socket. Nothing process-wide is
// touched, and any process this one holds a handle to can be watched, not only its children.
#pragma once

#include <memory>
#include <new>
#include <system_error>
#include <utility>

#include "../../exit_status.hpp"
#include "error.hpp"
#include "handle.hpp"
#include "socket.hpp"
#include "wake_socket.hpp"
#include "windows.hpp"

namespace miocpp::sys::windows {

/// concepts::ChildWatch over a process handle: a duplicate of the caller's handle, and the wait
/// that makes the socket handed out readable when the process ends.
class ChildWatch {
 public:
  /// A process handle. The caller keeps owning it: the watch waits on a duplicate of its own.
  using process_id = HANDLE;
  /// What watch() hands out to be registered: the wake socket.
  using wake_type = Socket;

  /// Watches nothing: try_wait reports `std::errc::bad_file_descriptor`.
  ChildWatch() noexcept = default;

  /// Watches the process `process`, a handle with SYNCHRONIZE and PROCESS_QUERY_LIMITED_
  /// INFORMATION access (CreateProcess's handle has both). A process that ended already makes
  /// `wake` readable at once. `std::errc::invalid_argument` for a null handle,
  /// INVALID_HANDLE_VALUE (which is also GetCurrentProcess(): a process cannot watch itself) or
  /// a handle to something other than a process; `bad_file_descriptor` for a value that is not
  /// an open handle (Windows' ERROR_INVALID_HANDLE); `permission_denied` for a process handle
  /// without those rights.
  static ChildWatch watch(process_id process, Socket& wake, std::error_code& ec) noexcept {
    Handle duplicate = duplicate_process(process, ec);
    if (ec) {
      return {};
    }
    Socket socket = open_wake_socket(ec);
    if (ec) {
      return {};
    }
    ChildWatch result;
    result.waiting_.reset(new (std::nothrow) Waiting);
    if (!result.waiting_) {
      ec = std::make_error_code(std::errc::not_enough_memory);
      return {};
    }
    result.waiting_->process = std::move(duplicate);
    result.waiting_->wake = socket.native_handle();
    HANDLE wait = nullptr;
    if (::RegisterWaitForSingleObject(&wait, result.waiting_->process.native_handle(), &exited,
                                      result.waiting_.get(), INFINITE, WT_EXECUTEONLYONCE) == 0) {
      ec = last_error();
      return {};
    }
    result.waiting_->wait = wait;
    wake = std::move(socket);
    ec.clear();
    return result;
  }

  /// The process's exit code, once it has ended, as ExitStatus{code, 0}: Windows has no
  /// signals, and a process ended by TerminateProcess(handle, n) reports n like one that exited
  /// with n. The code is the DWORD Windows keeps, cast to int (an NTSTATUS such as 0xC0000005
  /// is negative). The watch is done then: its wait and its duplicate handle are gone, and a
  /// later call reports `std::errc::bad_file_descriptor`. `std::errc::operation_would_block`
  /// while the process runs. `wake` (the socket watch() handed out) is drained first, so that
  /// the exit after this look makes it readable again.
  ExitStatus try_wait(SOCKET wake, std::error_code& ec) noexcept {
    if (!waiting_) {
      ec = std::make_error_code(std::errc::bad_file_descriptor);
      return {};
    }
    drain_wake_socket(wake);
    const HANDLE process = waiting_->process.native_handle();
    switch (::WaitForSingleObject(process, 0)) {
      case WAIT_OBJECT_0:
        break;
      case WAIT_TIMEOUT:
        ec = std::make_error_code(std::errc::operation_would_block);
        return {};
      default:
        ec = last_error();
        return {};
    }
    DWORD code = 0;
    if (::GetExitCodeProcess(process, &code) == 0) {
      ec = last_error();
      return {};
    }
    waiting_.reset();         // waits for a callback still running, which may send once more
    drain_wake_socket(wake);  // ... so no event is left for a watch that is done
    ec.clear();
    return {static_cast<int>(code), 0};
  }

 private:
  /// What the callback shares with the watch, at a fixed address (the watch itself moves).
  struct Waiting {
    Waiting() noexcept = default;
    Waiting(const Waiting&) = delete;
    Waiting& operator=(const Waiting&) = delete;
    /// Ends the wait before anything else: INVALID_HANDLE_VALUE makes UnregisterWaitEx wait for
    /// a callback that is running, so none sends to the socket once this is gone (WatchedSource
    /// destroys the watch before the socket closes).
    ~Waiting() {
      if (wait != nullptr) {
        ::UnregisterWaitEx(wait, INVALID_HANDLE_VALUE);
      }
    }

    Handle process;                // the duplicate
    HANDLE wait = nullptr;         // RegisterWaitForSingleObject's
    SOCKET wake = INVALID_SOCKET;  // not owned
  };

  /// The wait's callback, on a thread-pool thread, once the process has ended.
  static void CALLBACK exited(void* context, BOOLEAN /*timed_out*/) noexcept {
    send_wake(static_cast<Waiting*>(context)->wake);
  }

  /// A duplicate of `process` with the rights the watch needs, after checking that it is a
  /// process handle (see watch for the errors).
  static Handle duplicate_process(process_id process, std::error_code& ec) noexcept {
    if (process == nullptr || process == INVALID_HANDLE_VALUE) {
      ec = std::make_error_code(std::errc::invalid_argument);
      return {};
    }
    const HANDLE self = ::GetCurrentProcess();
    HANDLE duplicate = nullptr;
    if (::DuplicateHandle(self, process, self, &duplicate,
                          SYNCHRONIZE | PROCESS_QUERY_LIMITED_INFORMATION, FALSE, 0) == 0) {
      ec = last_error();
      // Access bits mean something else for other kinds of object: a handle refused them may be
      // no process at all, which GetProcessId tells (ERROR_INVALID_HANDLE for another kind).
      if (ec == std::errc::permission_denied && !is_process(process)) {
        ec = std::make_error_code(std::errc::invalid_argument);
      }
      return {};
    }
    Handle owned(duplicate);
    if (!is_process(duplicate)) {  // a thread handle, say, has those bits too
      ec = std::make_error_code(std::errc::invalid_argument);
      return {};
    }
    ec.clear();
    return owned;
  }

  /// False when `handle` is an open handle of another kind than a process.
  static bool is_process(HANDLE handle) noexcept {
    return ::GetProcessId(handle) != 0 || ::GetLastError() != ERROR_INVALID_HANDLE;
  }

  std::unique_ptr<Waiting> waiting_;  // null once the exit was reported, or when watching nothing
};

}  // namespace miocpp::sys::windows
