// Signals: watching POSIX signals as an event source, with a Token like any socket.
#pragma once

#include <initializer_list>
#include <span>
#include <system_error>

#include "config.hpp"
#include "detail/throw_error.hpp"
#include "interest.hpp"
#include "registry.hpp"
#include "signal_count.hpp"
#include "sys/sys.hpp"
#include "token.hpp"
#include "watched_source.hpp"

namespace miocpp {

/// A set of signals watched as an event source: register it for Interest::readable; a readable
/// event means one or more of them arrived; receive() then reports each, with how many times it
/// arrived, until `std::errc::operation_would_block`.
///
///     auto signals = miocpp::Signals::watch({SIGINT, SIGTERM});
///     poll.registry().register_source(signals, token, miocpp::Interest::readable);
///     ...  // on its event:
///     for (std::error_code ec;;) {
///       const miocpp::SignalCount received = signals.receive(ec);
///       if (ec) break;  // operation_would_block: all received
///       ...  // received.signal arrived received.count times
///     }
///
/// How: one handler per watched signal, for the whole process, counts the signal for every
/// watcher of it and makes each watcher's descriptor readable (an eventfd, or a self-pipe); it
/// takes no lock and allocates nothing. Several watchers of one signal, in one Poll or several,
/// all see every arrival. The handler that was installed before the first watcher of a signal
/// still runs after ours (the program's own; the default action, such as terminating on SIGINT,
/// is what watching replaces), and comes back when the last watcher of that signal is destroyed.
/// signalfd is not used: it needs the signal blocked in every thread, which a library cannot
/// ensure. Counts are "at least": the OS merges a signal that arrives while it is still pending.
///
/// On Windows the signals are console control events: CTRL_C_EVENT is SIGINT, CTRL_BREAK_EVENT
/// is SIGBREAK, and CTRL_CLOSE_EVENT, CTRL_LOGOFF_EVENT and CTRL_SHUTDOWN_EVENT are SIGTERM;
/// those three are the signals that can be watched there (any other is invalid_argument). One
/// console control routine (SetConsoleCtrlHandler), installed with the first watcher and removed
/// with the last, counts the event for every watcher of its signal and makes each watcher's
/// socket readable (a loopback UDP socket connected to itself). It takes an event some watcher
/// watches, so the routines installed before it and Windows' default (ending the process) do not
/// run, and passes on any other. Windows ends the process once the routine returns from a
/// close, logoff or shutdown event: the routine holds such an event until the last SIGTERM
/// watcher is destroyed (keep it until the loop has shut down) or 10 s have passed; Windows' own
/// limit, 5 s by default, usually comes first.
///
/// WASI and the shell have no signals: there watch() reports `std::errc::not_supported`.
class Signals : public WatchedSource<sys::SignalWatch> {
 public:
  /// Starts watching `signals`. `std::errc::invalid_argument` for an empty list or a signal that
  /// cannot be watched: SIGKILL and SIGSTOP (the OS does not let them be caught), SIGSEGV,
  /// SIGBUS, SIGILL and SIGFPE (a handler that returns from a fault faults again), or a number
  /// out of range. `std::errc::too_many_files_open` with 128 watchers in the process already or
  /// no descriptor left; `not_supported` where there are no POSIX signals.
  static Signals watch(std::span<const int> signals, std::error_code& ec) noexcept {
    Signals result;
    result.start(
        [signals](sys::SignalWatch::wake_type& wake, std::error_code& start_ec) noexcept {
          return sys::SignalWatch::watch(signals, wake, start_ec);
        },
        ec);
    return result;
  }
  /// watch() of a list written in place: `Signals::watch({SIGINT, SIGTERM}, ec)`.
  static Signals watch(std::initializer_list<int> signals, std::error_code& ec) noexcept {
    return watch(std::span<const int>(signals.begin(), signals.size()), ec);
  }

  /// The next watched signal that arrived since it was last received, and how many times (in
  /// signal-number order when several did); `std::errc::operation_would_block` when none did.
  /// Call it until then after each readable event: the next event is guaranteed only after
  /// that.
  SignalCount receive(std::error_code& ec) noexcept {
    return ask([](sys::SignalWatch& watch, auto wake,
                  std::error_code& take_ec) noexcept { return watch.take(wake, take_ec); },
               ec);
  }

#if MIOCPP_HAS_EXCEPTIONS
  /// \name Throwing overloads
  /// Only where exceptions are enabled (MIOCPP_HAS_EXCEPTIONS).
  /// @{

  /// The call of the same name without `ec`: throws `std::system_error` carrying the code that
  /// overload reports (`std::errc::operation_would_block` included).
  static Signals watch(std::span<const int> signals) {
    return detail::or_throw("miocpp::Signals::watch",
                            [&](std::error_code& ec) { return watch(signals, ec); });
  }
  static Signals watch(std::initializer_list<int> signals) {
    return detail::or_throw("miocpp::Signals::watch",
                            [&](std::error_code& ec) { return watch(signals, ec); });
  }
  SignalCount receive() {
    return detail::or_throw("miocpp::Signals::receive",
                            [&](std::error_code& ec) { return receive(ec); });
  }
  /// @}
#endif
};

}  // namespace miocpp
