// Watching signals on Windows: a watcher in the process's console table (console_table.hpp),
// whose routine turns console control events into SIGINT, SIGBREAK and SIGTERM, and the wake
// socket that routine makes readable, which the front end registers like any socket.
#pragma once

#include <span>
#include <system_error>
#include <utility>

#include "../../signal_count.hpp"
#include "../common/listed_watcher.hpp"
#include "console_table.hpp"
#include "socket.hpp"
#include "wake_socket.hpp"

namespace miocpp::sys::windows {

/// concepts::SignalWatch over the console table. Owns the watcher (published in the table from
/// watch() to destruction); the wake socket is handed to the caller, who must keep it open until
/// this is destroyed.
class SignalWatch {
 public:
  /// What watch() hands out to be registered: the watcher's wake socket.
  using wake_type = Socket;

  /// Watches nothing: take reports `std::errc::bad_file_descriptor`. Moving takes the watcher
  /// over; destroying (or assigning over) one takes it out of the table first.
  SignalWatch() noexcept = default;

  /// Watches `signals` (each one of SIGINT, SIGBREAK, SIGTERM): from now on each console control
  /// event standing for one of them is counted here and makes `wake` readable.
  /// `std::errc::invalid_argument` for an empty list or any other signal; `not_enough_memory`;
  /// `too_many_files_open` when the process has ConsoleTable::capacity watchers; a failure to
  /// make the socket or to install the routine as Windows reports it.
  static SignalWatch watch(std::span<const int> signals, Socket& wake,
                           std::error_code& ec) noexcept {
    SignalWatch result;
    result.watcher_ = Watcher::create(signals, &console_index, ec);
    if (ec) {
      return {};
    }
    Socket socket = open_wake_socket(ec);
    if (ec) {
      return {};
    }
    result.watcher_->wake = socket.native_handle();
    result.watcher_.publish(ec);
    if (ec) {
      return {};
    }
    wake = std::move(socket);
    return result;
  }

  /// The next watched signal that arrived, its count taken (back to 0), in signal-number order;
  /// `std::errc::operation_would_block` when none is pending. `wake` (the socket watch() handed
  /// out) is drained once nothing is pending, before a last look (common::SignalCounts), so that
  /// an event after it makes it readable again: no arrival goes without an event, and a round
  /// of takes reads it once.
  SignalCount take(SOCKET wake, std::error_code& ec) noexcept {
    if (!watcher_) {
      ec = std::make_error_code(std::errc::bad_file_descriptor);
      return {};
    }
    return watcher_->take([wake] { drain_wake_socket(wake); },
                          [](std::size_t slot) { return console_signals[slot]; }, ec);
  }

 private:
  using Watcher = common::ListedWatcher<ConsoleWatcher, console_table>;

  Watcher watcher_;
};

}  // namespace miocpp::sys::windows
