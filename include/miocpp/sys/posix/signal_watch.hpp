// Watching signals on POSIX: a watcher in the process's signal table (signal_table.hpp) and the
// descriptor its handler makes readable, which the front end registers like any source.
#pragma once

#include <span>
#include <system_error>
#include <utility>

#include "../../signal_count.hpp"
#include "../common/listed_watcher.hpp"
#include "error.hpp"
#include "file_descriptor.hpp"
#include "signal_table.hpp"
#include "wake_fd.hpp"

namespace miocpp::sys::posix {

/// concepts::SignalWatch over the signal table. Owns the watcher (published in the table from
/// watch() to destruction) and, with a self-pipe, the pipe's write end; the descriptor to
/// register is handed to the caller, who must keep it open until this is destroyed.
class SignalWatch {
 public:
  /// What watch() hands out to be registered: an eventfd, or a self-pipe's read end.
  using wake_type = FileDescriptor;

  /// Watches nothing: take reports `std::errc::bad_file_descriptor`.
  SignalWatch() noexcept = default;
  /// Takes the watcher and its pipe over; `other` watches nothing from then on.
  SignalWatch(SignalWatch&& other) noexcept = default;
  /// Stops watching (out of the table before the pipe closes), then takes `other`'s watcher.
  SignalWatch& operator=(SignalWatch&& other) noexcept {
    if (this != &other) {
      watcher_ = std::move(other.watcher_);
      write_end_ = std::move(other.write_end_);
    }
    return *this;
  }
  SignalWatch(const SignalWatch&) = delete;
  SignalWatch& operator=(const SignalWatch&) = delete;
  /// Out of the table before the pipe closes: no handler writes to a closed descriptor.
  ~SignalWatch() { watcher_.reset(); }

  /// Watches `signals`: from now on each of them is counted here and makes `wake` readable.
  /// `std::errc::invalid_argument` for an empty list or a signal that cannot be watched (see
  /// is_watchable_signal); `not_enough_memory`; `too_many_files_open` when the process has
  /// SignalTable::capacity watchers, or no descriptor is left.
  static SignalWatch watch(std::span<const int> signals, FileDescriptor& wake,
                           std::error_code& ec) noexcept {
    SignalWatch result;
    result.watcher_ = Watcher::create(
        signals,
        [](int signal) { return is_watchable_signal(signal) ? at(signal) : at(signal_limit); }, ec);
    if (ec) {
      return {};
    }
    FileDescriptor read_end = result.open_wake(ec);
    if (ec) {
      return {};
    }
    result.watcher_.publish(ec);
    if (ec) {
      return {};
    }
    wake = std::move(read_end);
    return result;
  }

  /// Makes the wake descriptor readable as a signal would, without one (so that a watcher can
  /// look once at what happened before it existed).
  void notify() const noexcept {
    if (watcher_) {
      wake_watcher(*watcher_);
    }
  }

  /// The next watched signal that arrived, its count taken (back to 0), in signal-number order;
  /// `std::errc::operation_would_block` when none is pending. `wake` (the descriptor watch()
  /// handed out) is drained once nothing is pending, before a last look (common::SignalCounts),
  /// so that a signal arriving after it makes it readable again: no arrival goes without an
  /// event, and a round of takes reads it once.
  SignalCount take(int wake, std::error_code& ec) noexcept {
    if (!watcher_) {
      ec = std::make_error_code(std::errc::bad_file_descriptor);
      return {};
    }
    return watcher_->take([wake] { drain_readable(wake); },
                          [](std::size_t slot) { return static_cast<int>(slot); }, ec);
  }

 private:
  /// The wake descriptor: an eventfd where there is one (one descriptor), else a self-pipe,
  /// whose write end stays here. Returns the end to read.
  FileDescriptor open_wake(std::error_code& ec) noexcept {
    WakeEnds ends = open_wake_ends<native_wake_fd>(ec);
    if (ec) {
      return {};
    }
    watcher_->wake_fd = ends.write_fd();
    write_end_ = std::move(ends.write_end);
    return std::move(ends.read_end);
  }

  using Watcher = common::ListedWatcher<SignalWatcher, signal_table>;

  Watcher watcher_;           // in the table while set
  FileDescriptor write_end_;  // the self-pipe's; empty with an eventfd
};

}  // namespace miocpp::sys::posix
