// EVFILT_PROC's process side, over Linux pidfds: attaching to a process (FreeBSD's
// filt_procattach) and looking at whether it has exited (filt_proc on NOTE_EXIT). A pidfd is
// readable once its process has exited, so the queue puts it in its epoll set like any watched
// descriptor.
#include <poll.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>

#include "emulation.hpp"
#include "kqueue_emulation.h"

namespace kqemu {
namespace {

#if defined(SYS_pidfd_open)
constexpr long pidfd_open_number = SYS_pidfd_open;
#else
constexpr long pidfd_open_number = 434;  // the same number on every Linux architecture
#endif

// WCOREFLAG: the bit of a wait status that says a core was dumped, as FreeBSD's KW_EXITCODE
// builds it for a process that dumped core.
constexpr int core_dumped_bit = 0x80;

std::atomic<bool> zombie_is_esrch{false};

bool has_exited(int pidfd) noexcept {
  ::pollfd probe{pidfd, POLLIN, 0};
  int polled = 0;
  do {
    polled = ::poll(&probe, 1, 0);
  } while (polled < 0 && errno == EINTR);
  return polled > 0 && (static_cast<unsigned>(probe.revents) & POLLIN) != 0U;
}

}  // namespace

int open_process(pid_t pid, int& error) noexcept {
  if (pid < 1) {
    error = ESRCH;
    return -1;
  }
  // Close-on-exec, as every pidfd is.
  const int pidfd = static_cast<int>(::syscall(pidfd_open_number, pid, 0));
  if (pidfd < 0) {
    error = errno;
    return -1;
  }
  if (zombie_is_esrch.load(std::memory_order_relaxed) && has_exited(pidfd)) {
    __real_close(pidfd);
    error = ESRCH;
    return -1;
  }
  error = 0;
  return pidfd;
}

bool process_exited(int pidfd, pid_t pid, struct kevent& out) noexcept {
  if (!has_exited(pidfd)) {
    return false;
  }
  // The wait status, for a child that nobody has reaped yet (WNOWAIT leaves it to its owner).
  // Linux tells no other process's status.
  out.data = 0;
  ::siginfo_t info{};
  if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
      info.si_pid == pid) {
    switch (info.si_code) {
      case CLD_EXITED:
        out.data = (info.si_status & 0xff) << 8;
        break;
      case CLD_KILLED:
        out.data = info.si_status;
        break;
      case CLD_DUMPED:
        out.data = info.si_status | core_dumped_bit;
        break;
      default:
        break;
    }
  }
  return true;
}

}  // namespace kqemu

extern "C" void kqemu_set_zombie_proc_esrch(int refuse) {
  kqemu::zombie_is_esrch.store(refuse != 0, std::memory_order_relaxed);
}
