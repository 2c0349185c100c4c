// ChildExit: a child process's exit as an event source, with a Token like any socket.
#pragma once

#include <system_error>

#include "config.hpp"
#include "detail/throw_error.hpp"
#include "exit_status.hpp"
#include "interest.hpp"
#include "registry.hpp"
#include "sys/sys.hpp"
#include "token.hpp"
#include "watched_source.hpp"

namespace miocpp {

/// Watches a child process (started with fork, posix_spawn, ...) for its exit: register it for
/// Interest::readable; on its event, try_wait() reaps the child and reports how it ended.
///
///     auto child = miocpp::ChildExit::watch(pid);
///     poll.registry().register_source(child, token, miocpp::Interest::readable);
///     ...  // on its event:
///     std::error_code ec;
///     const miocpp::ExitStatus status = child.try_wait(ec);  // would block: still running
///
/// How: on Linux 5.3 and later a pidfd, which becomes readable when the child exits, so nothing
/// process-wide is touched. On the kqueue systems (the BSDs, macOS) a kqueue of its own with
/// EVFILT_PROC/NOTE_EXIT for the child, registered like a descriptor: nothing process-wide either.
/// Elsewhere (other POSIX systems, older kernels) a Signals watcher of SIGCHLD, readable when any
/// child changed; try_wait then asks about this child only, so other children are left to
/// whoever waits for them. Either way a child that exited before it was watched is reported at
/// the first poll. Events are hints: try_wait may say would-block (a SIGCHLD for another child),
/// and after it has reported the status one more event may come (newer Linux kernels report the
/// reaping itself on a pidfd), when try_wait says `bad_file_descriptor`.
///
/// On Windows a process is a HANDLE (CreateProcess's), which the caller keeps owning: the watch
/// waits on a duplicate of its own, in Windows' thread pool (RegisterWaitForSingleObject), whose
/// callback makes a loopback socket readable when the process ends. Any process a handle names
/// can be watched, not only children. try_wait reports ExitStatus{exit code, 0}: Windows has no
/// signals, so a process ended by TerminateProcess(handle, n) reports n as if it had exited with
/// n, and the code is the DWORD cast to int (an NTSTATUS such as 0xC0000005 is negative). A null
/// handle, INVALID_HANDLE_VALUE or a handle to anything but a process is `invalid_argument`, a
/// value that is no open handle `bad_file_descriptor`.
///
/// WASI and the shell have no processes to watch: there watch() reports
/// `std::errc::not_supported`.
class ChildExit : public WatchedSource<sys::ChildWatch> {
 public:
  /// The type of a process id: pid_t on POSIX; on Windows a process HANDLE, which the caller
  /// keeps owning (the watch holds a duplicate).
  using process_id = sys::ChildWatch::process_id;

  /// Watches the child `pid`. `std::errc::no_child_process` when it is not a child of this
  /// process (or was reaped already), `invalid_argument` for a pid below 1.
  static ChildExit watch(process_id pid, std::error_code& ec) noexcept {
    ChildExit result;
    result.start(
        [pid](sys::ChildWatch::wake_type& wake, std::error_code& start_ec) noexcept {
          return sys::ChildWatch::watch(pid, wake, start_ec);
        },
        ec);
    return result;
  }

  /// How the child ended, once it has: it is reaped (its pid may be reused from then on), and
  /// a later call reports `std::errc::bad_file_descriptor`. `std::errc::operation_would_block`
  /// while it runs: wait for the next readable event.
  ExitStatus try_wait(std::error_code& ec) noexcept {
    return ask([](sys::ChildWatch& watch, auto wake,
                  std::error_code& wait_ec) noexcept { return watch.try_wait(wake, wait_ec); },
               ec);
  }

#if MIOCPP_HAS_EXCEPTIONS
  /// \name Throwing overloads
  /// Only where exceptions are enabled (MIOCPP_HAS_EXCEPTIONS).
  /// @{

  /// The call of the same name without `ec`: throws `std::system_error` carrying the code that
  /// overload reports (`std::errc::operation_would_block` included).
  static ChildExit watch(process_id pid) {
    return detail::or_throw("miocpp::ChildExit::watch",
                            [&](std::error_code& ec) { return watch(pid, ec); });
  }
  ExitStatus try_wait() {
    return detail::or_throw("miocpp::ChildExit::try_wait",
                            [&](std::error_code& ec) { return try_wait(ec); });
  }
  /// @}
#endif
};

}  // namespace miocpp
