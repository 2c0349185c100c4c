// WeakRegistration: what an owned source remembers of its registration with a selector whose state
// the Poll and its registries share, so that destroying the source removes the registration
// before its descriptor is closed.
#pragma once

#include <memory>
#include <utility>

namespace miocpp::sys::common {

/// The selector's shared `State` (held weakly: a source does not keep a Poll alive), the
/// registered descriptor and the selector's `Key` for the registration. Destroying it, or
/// assigning another over it, removes the registration through
/// `Removal::remove(State&, fd, key)` while any registry of the Poll still exists: after that the
/// registration is gone with the Poll, and there is nothing left to remove.
template <class State, class Key, class Removal>
class WeakRegistration {
 public:
  WeakRegistration() noexcept = default;
  WeakRegistration(WeakRegistration&& other) noexcept
      : state_(std::move(other.state_)),
        fd_(std::exchange(other.fd_, -1)),
        key_(std::exchange(other.key_, Key{})) {}
  /// Removes this registration first: its descriptor is about to be closed or replaced.
  WeakRegistration& operator=(WeakRegistration&& other) noexcept {
    if (this != &other) {
      remove();
      state_ = std::move(other.state_);
      fd_ = std::exchange(other.fd_, -1);
      key_ = std::exchange(other.key_, Key{});
    }
    return *this;
  }
  WeakRegistration(const WeakRegistration&) = delete;
  WeakRegistration& operator=(const WeakRegistration&) = delete;
  ~WeakRegistration() { remove(); }

  /// Remembers a registration just made.
  void record(const std::shared_ptr<State>& state, int fd, Key key) noexcept {
    state_ = state;
    fd_ = fd;
    key_ = key;
  }

  /// Whether a registration is remembered and its Poll still exists.
  [[nodiscard]] bool is_live() const noexcept { return fd_ >= 0 && !state_.expired(); }

  /// Calls `action(state, fd, key)` while holding the state, if the registration is live.
  template <class Action>
  void with_state(Action&& action) const noexcept {
    if (fd_ >= 0) {
      if (const std::shared_ptr<State> state = state_.lock()) {
        std::forward<Action>(action)(*state, fd_, key_);
      }
    }
  }

  /// Drops the record without removing the registration (it was removed already, or it stays
  /// with the descriptor for a new owner: IoSource::release).
  void forget() noexcept {
    state_.reset();
    fd_ = -1;
    key_ = Key{};
  }

 private:
  void remove() noexcept {
    with_state([](State& state, int fd, Key key) { Removal::remove(state, fd, key); });
    forget();
  }

  std::weak_ptr<State> state_;
  int fd_ = -1;
  Key key_{};
};

}  // namespace miocpp::sys::common
