// Watching a child process for its exit on POSIX: a pidfd (Linux 5.3), readable once the child
// has exited, or else a SIGCHLD watcher (signal_watch.hpp), readable when any child changed.
#pragma once

#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>
#include <utility>

#include "../../config.hpp"
#include "../../exit_status.hpp"
#include "error.hpp"
#include "file_descriptor.hpp"
#include "signal_watch.hpp"
#include "wait_child.hpp"

#if MIOCPP_OS_LINUX
#include <sys/syscall.h>
#endif

namespace miocpp::sys::posix {

/// concepts::ChildWatch: the child `pid`, and what makes the descriptor handed out readable when
/// it exits.
class ChildWatch {
 public:
  using process_id = ::pid_t;
  /// What watch() hands out to be registered: a pidfd, or a SIGCHLD watcher's descriptor.
  using wake_type = FileDescriptor;

  ChildWatch() noexcept = default;

  /// Watches the child `pid`. `std::errc::no_child_process` when `pid` is not a child of this
  /// process (or was reaped already); `invalid_argument` for a pid below 1.
  static ChildWatch watch(process_id pid, FileDescriptor& wake, std::error_code& ec) noexcept {
    if (!is_unreaped_child(pid, ec)) {
      return {};
    }
    ChildWatch result;
    result.pid_ = pid;
    if (open_pidfd(pid, wake)) {
      ec.clear();
      return result;
    }
    // No pidfd: a SIGCHLD watcher, woken once now for a child that exited before it existed.
    const int sigchld[] = {SIGCHLD};  // NOLINT(*-avoid-c-arrays): a span's storage
    result.sigchld_ = SignalWatch::watch(sigchld, wake, ec);
    if (ec) {
      return {};
    }
    result.sigchld_.notify();
    result.watches_sigchld_ = true;
    return result;
  }

  /// The child's status, reaping it, once it has exited; `std::errc::operation_would_block`
  /// while it runs. `wake` is the descriptor watch() handed out: a SIGCHLD watcher's is drained
  /// first, so that a SIGCHLD after this look makes it readable again (a pidfd has nothing to
  /// drain: it stays readable once the child has exited).
  ExitStatus try_wait(int wake, std::error_code& ec) noexcept {
    if (pid_ < 1) {
      ec = std::make_error_code(std::errc::bad_file_descriptor);
      return {};
    }
    if (watches_sigchld_) {
      (void)sigchld_.take(wake, ec);  // drains; its counts say nothing about which child changed
    }
    return reap_child(pid_, ec);
  }

 private:
  /// A pidfd for `pid` into `wake`: false where the kernel has none (before Linux 5.3) or the
  /// OS is not Linux.
  static bool open_pidfd([[maybe_unused]] process_id pid,
                         [[maybe_unused]] FileDescriptor& wake) noexcept {
#if MIOCPP_OS_LINUX && defined(SYS_pidfd_open) && !MIOCPP_FORCE_SIGCHLD
    // pidfd_open's descriptor is close-on-exec; it is made non-blocking like every other.
    FileDescriptor pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
    if (!pidfd.is_open()) {
      return false;
    }
    std::error_code ec;
    set_nonblocking(pidfd.native_handle(), true, ec);
    if (ec) {
      return false;
    }
    wake = std::move(pidfd);
    return true;
#else
    return false;
#endif
  }

  process_id pid_ = 0;            // 0 once reaped, or when watching nothing
  SignalWatch sigchld_;           // without a pidfd
  bool watches_sigchld_ = false;  // the descriptor is sigchld_'s, not a pidfd
};

}  // namespace miocpp::sys::posix
