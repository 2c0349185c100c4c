// Asking about one child process without blocking: whether it is still ours to wait for, and
// reaping it once it has exited. Every way of being told that a child exited (a pidfd, SIGCHLD,
// kqueue's EVFILT_PROC) ends here, so all of them report the same status and the same errors.
#pragma once

#include <sys/types.h>
#include <sys/wait.h>

#include <system_error>

#include "../../exit_status.hpp"
#include "error.hpp"

namespace miocpp::sys::posix {

/// Whether `pid` is a child of this process that has not been reaped: true, clearing `ec`; else
/// false with `std::errc::no_child_process` (not ours, or reaped already) or `invalid_argument`
/// (a pid below 1). WNOWAIT leaves the status of a child that has exited to be taken later.
inline bool is_unreaped_child(::pid_t pid, std::error_code& ec) noexcept {
  if (pid < 1) {
    ec = std::make_error_code(std::errc::invalid_argument);
    return false;
  }
  ::siginfo_t info{};
  if (::waitid(P_PID, static_cast<::id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) < 0) {
    ec = last_error();
    return false;
  }
  ec.clear();
  return true;
}

/// The status of the child `pid`, reaping it, once it has exited; `pid` becomes 0 then, as the
/// number may be given to another process from that moment. `std::errc::operation_would_block`
/// while it runs; `bad_file_descriptor` for a `pid` of 0 (reaped already, or never watched).
inline ExitStatus reap_child(::pid_t& pid, std::error_code& ec) noexcept {
  if (pid < 1) {
    ec = std::make_error_code(std::errc::bad_file_descriptor);
    return {};
  }
  ::siginfo_t info{};
  if (::waitid(P_PID, static_cast<::id_t>(pid), &info, WEXITED | WNOHANG) < 0) {
    ec = last_error();
    return {};
  }
  if (info.si_pid == 0) {
    ec = std::make_error_code(std::errc::operation_would_block);
    return {};
  }
  pid = 0;
  ec.clear();
  if (info.si_code == CLD_EXITED) {
    return {info.si_status, 0};
  }
  return {-1, info.si_status};  // CLD_KILLED or CLD_DUMPED: si_status is the signal
}

}  // namespace miocpp::sys::posix
