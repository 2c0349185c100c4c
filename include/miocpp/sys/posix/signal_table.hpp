// The process-wide half of watching signals on POSIX: one handler for every watched signal, which
// counts the signal for each watcher of it and wakes that watcher through its descriptor, then
// runs the handler that was installed before. Why not signalfd: it needs the signal blocked in
// every thread of the process, which a library cannot promise (a thread it did not start may
// have it unblocked, and then the signal goes there, not to the descriptor).
//
// The handler takes no lock and allocates nothing: it reads a fixed table of atomic pointers,
// adds to atomic counters and write(2)s, all async-signal-safe. Adding and removing watchers take
// a mutex, which the handler never touches; removing one waits until no handler is running, so a
// watcher is never freed under a handler that still reads it (the scheme signal-hook calls a
// half-lock).
#pragma once

#include <signal.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <system_error>
#include <thread>

#include "../common/signal_counts.hpp"
#include "error.hpp"
#include "wake_fd.hpp"

namespace miocpp::sys::posix {

/// Signal numbers run from 1 to signal_limit - 1 (NSIG: 65 on Linux, real-time signals
/// included).
inline constexpr int signal_limit = NSIG;

/// The index of `signal` in the per-signal arrays below (1 to signal_limit - 1, checked by the
/// caller).
constexpr std::size_t at(int signal) noexcept {
  return static_cast<std::size_t>(signal);
}

/// What one watcher shares with the handler: which signals it watches and their counts (a slot
/// per signal number, at(signal)), and wake_fd (a wake descriptor of the native kind,
/// wake_fd.hpp), notified once per signal.
struct SignalWatcher : common::SignalCounts<signal_limit> {
  int wake_fd = -1;
};

/// Signals a watcher may not name: SIGKILL and SIGSTOP cannot be caught, and a handler that
/// returns from SIGSEGV, SIGBUS, SIGILL or SIGFPE raised by a fault runs the faulting instruction
/// again, forever.
inline bool is_watchable_signal(int signal) noexcept {
  return signal > 0 && signal < signal_limit && signal != SIGKILL && signal != SIGSTOP &&
         signal != SIGSEGV && signal != SIGBUS && signal != SIGILL && signal != SIGFPE;
}

/// The table of watchers and the handlers installed for them. One per process (signal_table);
/// constant-initialized, so the handler may use it from the first instant.
class SignalTable {
 public:
  /// Watchers in the process at once: enough for one per event loop and several per program.
  static constexpr std::size_t capacity = 128;

  constexpr SignalTable() noexcept = default;

  /// Publishes `watcher` and installs the handler for each signal it watches that no other
  /// watcher watches yet (keeping the handler it replaces, to chain to and to restore).
  /// `std::errc::too_many_files_open` when the table is full; a failed sigaction is reported as
  /// the OS says, with the handlers this call installed removed again.
  void add(SignalWatcher& watcher, std::error_code& ec) noexcept {
    const std::lock_guard lock(mutex_);
    std::atomic<SignalWatcher*>* free_slot = nullptr;
    for (auto& slot : slots_) {
      if (slot.load() == nullptr) {
        free_slot = &slot;
        break;
      }
    }
    if (free_slot == nullptr) {
      ec = std::make_error_code(std::errc::too_many_files_open);
      return;
    }
    for (int signal = 1; signal < signal_limit; ++signal) {
      if (watcher.watched[at(signal)] && watchers_[at(signal)] == 0 && !install(signal, ec)) {
        for (int undo = 1; undo < signal; ++undo) {
          if (watcher.watched[at(undo)] && watchers_[at(undo)] == 0) {
            restore(undo);
          }
        }
        return;
      }
    }
    for (int signal = 1; signal < signal_limit; ++signal) {
      watchers_[at(signal)] += watcher.watched[at(signal)] ? 1 : 0;
    }
    free_slot->store(&watcher);
    ec.clear();
  }

  /// Unpublishes `watcher`, waits until no handler still runs, and restores the handler a signal
  /// had before once its last watcher is gone. Afterwards `watcher` may be freed.
  void remove(SignalWatcher& watcher) noexcept {
    const std::lock_guard lock(mutex_);
    for (auto& slot : slots_) {
      if (slot.load() == &watcher) {
        slot.store(nullptr);
      }
    }
    wait_for_handlers();
    for (int signal = 1; signal < signal_limit; ++signal) {
      if (watcher.watched[at(signal)] && --watchers_[at(signal)] == 0) {
        restore(signal);
      }
    }
  }

 private:
  static void handle(int signal, ::siginfo_t* info, void* context) noexcept;

  bool install(int signal, std::error_code& ec) noexcept {
    // A handler from an earlier installation may still be reading previous_[at(signal)].
    wait_for_handlers();
    struct ::sigaction action {};
    action.sa_sigaction = &SignalTable::handle;
    // SA_RESTART: the program's blocking calls go on after the signal, as if it were not
    // watched; SA_ONSTACK: a thread with an alternate stack keeps using it.
    action.sa_flags = SA_SIGINFO | SA_RESTART | SA_ONSTACK;
    ::sigemptyset(&action.sa_mask);
    if (::sigaction(signal, &action, &previous_[at(signal)]) < 0) {
      ec = last_error();
      return false;
    }
    return true;
  }

  void restore(int signal) noexcept { ::sigaction(signal, &previous_[at(signal)], nullptr); }

  void wait_for_handlers() const noexcept {
    while (in_flight_.load() != 0) {
      std::this_thread::yield();
    }
  }

  /// Runs the handler that was there before ours, if it was the program's own: the default
  /// action (terminate, for most signals) is what watching a signal replaces, as in libuv.
  static void chain(const struct ::sigaction& previous, int signal, ::siginfo_t* info,
                    void* context) noexcept {
    if ((previous.sa_flags & SA_SIGINFO) != 0) {
      if (previous.sa_sigaction != nullptr) {
        previous.sa_sigaction(signal, info, context);
      }
    } else if (previous.sa_handler != SIG_DFL && previous.sa_handler != SIG_IGN) {
      previous.sa_handler(signal);
    }
  }

  std::mutex mutex_;  // add and remove; never the handler
  std::array<std::atomic<SignalWatcher*>, capacity> slots_{};
  std::atomic<int> in_flight_{0};                            // handlers running now
  std::array<int, signal_limit> watchers_{};                 // per signal, under mutex_
  std::array<struct ::sigaction, signal_limit> previous_{};  // while ours is installed
};

/// The process's table.
inline SignalTable signal_table;

/// Makes `watcher`'s descriptor readable: one write, whose failure (a full pipe or counter,
/// readable already) needs nothing more.
inline void wake_watcher(const SignalWatcher& watcher) noexcept {
  (void)write_wake_unit<native_wake_fd>(watcher.wake_fd);
}

inline void SignalTable::handle(int signal, ::siginfo_t* info, void* context) noexcept {
  const int saved_errno = errno;  // the interrupted code may be about to read it
  SignalTable& table = signal_table;
  table.in_flight_.fetch_add(1);
  if (signal > 0 && signal < signal_limit) {
    for (auto& slot : table.slots_) {
      SignalWatcher* watcher = slot.load();
      if (watcher != nullptr && watcher->watched[at(signal)]) {
        watcher->counts[at(signal)].fetch_add(1);  // before the wake, which the reader drains first
        wake_watcher(*watcher);
      }
    }
    chain(table.previous_[at(signal)], signal, info, context);
  }
  table.in_flight_.fetch_sub(1);
  errno = saved_errno;
}

}  // namespace miocpp::sys::posix
