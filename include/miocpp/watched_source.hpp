// WatchedSource: what Signals and ChildExit share -- a backend watch (sys::SignalWatch,
// sys::ChildWatch) and the handle it makes readable, registered like any source.
#pragma once

#include <system_error>
#include <utility>

#include "io_source.hpp"
#include "owned_source.hpp"

namespace miocpp {

/// The base of Signals and ChildExit: an owning source whose handle is made readable by `Watch`,
/// a backend watch meeting sys::concepts::SignalWatch or ChildWatch. The watch writes to the
/// handle, so it must stop before the handle closes: it is destroyed (and, on move assignment,
/// replaced) first, and the handle cannot be released. Applications use the two classes, never
/// this one.
template <class Watch>
class WatchedSource : public OwnedSource<typename Watch::wake_type> {
  using Base = OwnedSource<typename Watch::wake_type>;

 public:
  /// Watches nothing.
  WatchedSource() noexcept = default;
  /// Takes over what `other` watched; `other` watches nothing.
  WatchedSource(WatchedSource&& other) noexcept = default;
  /// Stops watching what this watched (ending its registration), then takes `other`'s.
  WatchedSource& operator=(WatchedSource&& other) noexcept {
    if (this != &other) {
      watch_ = std::move(other.watch_);  // first: the old watch must not write to a closed handle
      Base::operator=(std::move(other));
    }
    return *this;
  }
  WatchedSource(const WatchedSource&) = delete;
  WatchedSource& operator=(const WatchedSource&) = delete;
  /// Stops watching, then closes the handle.
  ~WatchedSource() = default;

 protected:
  /// Starts watching: `start(wake, ec)` is the backend watch's factory (Watch::watch with its
  /// arguments bound), which hands the handle to register back in `wake`. Leaves this empty on
  /// error.
  template <class Start>
  void start(Start&& start, std::error_code& ec) noexcept {
    typename Watch::wake_type wake;
    Watch watch = std::forward<Start>(start)(wake, ec);
    if (ec) {
      return;
    }
    watch_ = std::move(watch);
    this->source_ = IoSource<typename Watch::wake_type>(std::move(wake));
  }

  /// Runs `call(watch, handle, ec)` -- one of the watch's calls, which consumes the handle's
  /// readiness and answers -- through do_io, so that a backend that re-arms on would-block does.
  template <class Call>
  decltype(auto) ask(Call&& call, std::error_code& ec) noexcept {
    return this->do_io(
        [&](auto handle, std::error_code& op_ec) noexcept {
          return std::forward<Call>(call)(watch_, handle, op_ec);
        },
        ec);
  }

 private:
  // Giving the handle away would leave the watch writing to a handle it does not own.
  using Base::release;

  Watch watch_;  // declared after the base: destroyed before the handle closes
};

}  // namespace miocpp
