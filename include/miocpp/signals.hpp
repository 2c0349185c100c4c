// Signals: watching POSIX signals as an event source, with a Token like any socket.
#pragma once

#include <array>
#include <cstddef>
#include <initializer_list>
#include <span>
#include <system_error>
#include <utility>

#include "config.hpp"
#include "detail/throw_error.hpp"
#include "interest.hpp"
#include "io_source.hpp"
#include "owned_source.hpp"
#include "registry.hpp"
#include "signal_count.hpp"
#include "sys/sys.hpp"
#include "token.hpp"

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
/// POSIX only for now: on Windows, WASI and the shell watch() reports `std::errc::not_supported`.
class Signals : public OwnedSource<sys::FileDescriptor> {
 public:
  /// Watches nothing.
  Signals() noexcept = default;
  /// Takes over what `other` watched; `other` watches nothing.
  Signals(Signals&& other) noexcept = default;
  /// Stops watching what this watched (ending its registration), then takes `other`'s.
  Signals& operator=(Signals&& other) noexcept {
    if (this != &other) {
      watch_ = std::move(other.watch_);  // first: the handler must not write to a closed descriptor
      OwnedSource::operator=(std::move(other));
    }
    return *this;
  }
  Signals(const Signals&) = delete;
  Signals& operator=(const Signals&) = delete;
  /// Stops watching; a signal's earlier handler is back once its last watcher is gone.
  ~Signals() = default;

  /// Starts watching `signals`. `std::errc::invalid_argument` for an empty list or a signal that
  /// cannot be watched: SIGKILL and SIGSTOP (the OS does not let them be caught), SIGSEGV,
  /// SIGBUS, SIGILL and SIGFPE (a handler that returns from a fault faults again), or a number
  /// out of range. `std::errc::too_many_files_open` with 128 watchers in the process already or
  /// no descriptor left; `not_supported` where there are no POSIX signals.
  static Signals watch(std::span<const int> signals, std::error_code& ec) noexcept {
    Signals result;
    sys::FileDescriptor wake;
    result.watch_ = sys::SignalWatch::watch(signals, wake, ec);
    if (ec) {
      return {};
    }
    result.source_ = IoSource<sys::FileDescriptor>(std::move(wake));  // OwnedSource's
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
    // The descriptor first: a signal that arrives after it is drained is either in a count read
    // below or makes it readable again, so no arrival goes without an event.
    std::error_code drain_ec;
    do {
      std::array<std::byte, 64> sink{};
      source_.do_io(
          [&sink](sys::FileDescriptor& wake, std::error_code& op_ec) noexcept {
            return sys::Pipes::read(wake.native_handle(), sink, op_ec);
          },
          drain_ec);
    } while (!drain_ec);
    if (drain_ec != std::errc::operation_would_block) {
      ec = drain_ec;
      return {};
    }
    return watch_.take(ec);
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

 private:
  // Giving the descriptor away would leave the watcher writing to a descriptor it does not own.
  using OwnedSource::release;

  // Destroyed before the base's descriptor: the watcher stops writing to it before it closes.
  sys::SignalWatch watch_;
};

}  // namespace miocpp
