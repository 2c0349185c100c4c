// The process-wide half of watching signals on Windows, where "signals" are console control
// events: one console control routine, installed with SetConsoleCtrlHandler while some watcher
// exists, counts the signal an event stands for (CTRL_C_EVENT: SIGINT, CTRL_BREAK_EVENT:
// SIGBREAK, CTRL_CLOSE_EVENT, CTRL_LOGOFF_EVENT and CTRL_SHUTDOWN_EVENT: SIGTERM) for each
// watcher of it and wakes that watcher through its wake socket (wake_socket.hpp).
//
// Windows runs the routine on a thread of its own, not in signal context, so unlike the POSIX
// handler it may take a lock: the routine and add/remove share one, which is how removing a
// watcher waits for a routine that still reads it. Windows calls the routines of a process while
// it holds a lock of its own, which SetConsoleCtrlHandler takes too; so add and remove call
// SetConsoleCtrlHandler under a second lock, never under the one the routine takes, or a routine
// and a removal could each wait for the other.
//
// Routines run newest first, and a routine that returns TRUE ends the event: ours returns TRUE
// when some watcher watches the event's signal, so neither the routines installed before it nor
// Windows' default (ExitProcess) run; otherwise FALSE, and the next routine in the chain runs.
//
// When the routine returns from CTRL_CLOSE_EVENT (and LOGOFF, SHUTDOWN) Windows ends the process.
// So, with a SIGTERM watcher, the routine holds that event until the last SIGTERM watcher is
// destroyed -- the loop has seen the event and shut down -- or close_grace has passed, whichever
// comes first. The hold is bounded, and never blocks a removal: it waits with the lock released.
#pragma once

#include <signal.h>

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <system_error>

#include "../common/signal_counts.hpp"
#include "error.hpp"
#include "wake_socket.hpp"
#include "windows.hpp"

namespace miocpp::sys::windows {

/// The signals a watcher may name on Windows, in number order (2, 15, 21): the three that
/// console control events stand for.
inline constexpr std::array<int, 3> console_signals{SIGINT, SIGTERM, SIGBREAK};
static_assert(SIGINT < SIGTERM && SIGTERM < SIGBREAK, "take() reports in signal-number order");

/// The index of `signal` in console_signals; console_signals.size() when it is none of them.
constexpr std::size_t console_index(int signal) noexcept {
  std::size_t index = 0;
  while (index < console_signals.size() && console_signals[index] != signal) {
    ++index;
  }
  return index;
}

/// The signal a console control event stands for; 0 for an event that stands for none.
constexpr int console_event_signal(DWORD event) noexcept {
  switch (event) {
    case CTRL_C_EVENT:
      return SIGINT;
    case CTRL_BREAK_EVENT:
      return SIGBREAK;
    case CTRL_CLOSE_EVENT:
    case CTRL_LOGOFF_EVENT:
    case CTRL_SHUTDOWN_EVENT:
      return SIGTERM;
    default:
      return 0;
  }
}

/// What one watcher shares with the routine. Which signals it watches is set before it is
/// published in the table and never changes after; the counts are what the routine adds to and
/// the watcher takes; `wake` is the watcher's wake socket, sent one byte per event.
struct ConsoleWatcher : common::SignalCounts<console_signals.size()> {
  SOCKET wake = INVALID_SOCKET;
};

/// The table of watchers and the console control routine installed for them. One per process
/// (console_table).
class ConsoleTable {
 public:
  /// Watchers in the process at once, as on POSIX.
  static constexpr std::size_t capacity = 128;
  /// The longest a CTRL_CLOSE_EVENT (LOGOFF, SHUTDOWN) is held for the loop to shut down. Longer
  /// than the 5 s Windows grants by default before it ends the process anyway, so Windows' limit
  /// is the one that counts; bounded if that limit is raised.
  static constexpr DWORD close_grace_ms = 10'000;

  constexpr ConsoleTable() noexcept = default;

  /// Publishes `watcher`, installing the routine if it is the first. `std::errc::too_many_files_
  /// open` when the table is full; a failed SetConsoleCtrlHandler is reported as Windows says.
  void add(ConsoleWatcher& watcher, std::error_code& ec) noexcept {
    ::AcquireSRWLockExclusive(&changing_);
    if (count_ == capacity) {
      ec = std::make_error_code(std::errc::too_many_files_open);
    } else if (count_ == 0 && ::SetConsoleCtrlHandler(&routine, TRUE) == 0) {
      ec = last_error();
    } else {
      ::AcquireSRWLockExclusive(&lock_);
      for (auto& slot : slots_) {
        if (slot == nullptr) {
          slot = &watcher;
          break;
        }
      }
      count(watcher, 1);
      ::ReleaseSRWLockExclusive(&lock_);
      ec.clear();
    }
    ::ReleaseSRWLockExclusive(&changing_);
  }

  /// Unpublishes `watcher`, which no routine reads from then on (a running one is waited for),
  /// and removes the routine with the last watcher. Afterwards `watcher` may be freed.
  void remove(ConsoleWatcher& watcher) noexcept {
    ::AcquireSRWLockExclusive(&changing_);
    ::AcquireSRWLockExclusive(&lock_);
    for (auto& slot : slots_) {
      if (slot == &watcher) {
        slot = nullptr;
        count(watcher, -1);
      }
    }
    if (watchers_[console_index(SIGTERM)] == 0) {
      ::WakeAllConditionVariable(&no_sigterm_watcher_);  // a held CTRL_CLOSE_EVENT may return
    }
    ::ReleaseSRWLockExclusive(&lock_);
    if (count_ == 0) {
      // Waits (in Windows) for a routine still running: outside lock_, which that routine takes.
      ::SetConsoleCtrlHandler(&routine, FALSE);
    }
    ::ReleaseSRWLockExclusive(&changing_);
  }

  /// What the routine does with `event`: TRUE when some watcher watches its signal (each one was
  /// counted and woken), FALSE to pass it on. Public so that a program (or a test) may hand it an
  /// event Windows cannot be made to send, as Windows would.
  BOOL handle(DWORD event) noexcept {
    const int signal = console_event_signal(event);
    if (signal == 0) {
      return FALSE;
    }
    const std::size_t index = console_index(signal);
    ::AcquireSRWLockExclusive(&lock_);
    bool handled = false;
    for (ConsoleWatcher* watcher : slots_) {
      if (watcher != nullptr && watcher->watched[index]) {
        watcher->counts[index].fetch_add(1);  // before the wake, which the reader drains first
        send_wake(watcher->wake);
        handled = true;
      }
    }
    if (handled && signal == SIGTERM) {  // Windows ends the process when this returns
      hold_until_released();
    }
    ::ReleaseSRWLockExclusive(&lock_);
    return handled ? TRUE : FALSE;
  }

 private:
  static BOOL WINAPI routine(DWORD event) noexcept;

  /// Adds `delta` to the per-signal watcher counts of `watcher`'s signals, and to count_.
  void count(const ConsoleWatcher& watcher, int delta) noexcept {
    for (std::size_t index = 0; index < console_signals.size(); ++index) {
      watchers_[index] += watcher.watched[index] ? delta : 0;
    }
    count_ = static_cast<std::size_t>(static_cast<int>(count_) + delta);
  }

  /// With lock_ held: waits, with it released, until no watcher of SIGTERM is left or
  /// close_grace_ms has passed.
  void hold_until_released() noexcept {
    const ULONGLONG deadline = ::GetTickCount64() + close_grace_ms;
    for (ULONGLONG now = ::GetTickCount64();
         watchers_[console_index(SIGTERM)] != 0 && now < deadline; now = ::GetTickCount64()) {
      (void)::SleepConditionVariableSRW(&no_sigterm_watcher_, &lock_,
                                        static_cast<DWORD>(deadline - now), 0);
    }
  }

  SRWLOCK changing_ = SRWLOCK_INIT;  // add and remove, around SetConsoleCtrlHandler
  SRWLOCK lock_ = SRWLOCK_INIT;      // the members below; taken by the routine
  CONDITION_VARIABLE no_sigterm_watcher_ = CONDITION_VARIABLE_INIT;
  std::array<ConsoleWatcher*, capacity> slots_{};
  std::array<int, console_signals.size()> watchers_{};  // per signal
  std::size_t count_ = 0;  // watchers in slots_; changed under both locks, read under either
};

/// The process's table: constant-initialized, so the routine may use it from the first instant,
/// and trivially destroyed, so a routine running during static destruction finds it intact.
inline constinit ConsoleTable console_table;

inline BOOL WINAPI ConsoleTable::routine(DWORD event) noexcept {
  return console_table.handle(event);
}

}  // namespace miocpp::sys::windows
