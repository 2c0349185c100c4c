// What a Poll shares with every clone of its Registry, its Waker and the sources registered with
// it.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <new>
#include <system_error>
#include <utility>

namespace miocpp::detail {

/// A reference-counted handle on the state of one Poll: a unique id (so a source can tell which
/// Poll it is registered with), whether any Registry of that Poll still exists, and whether it has
/// a Waker. Copying is one atomic increment; nothing on the poll or I/O path touches it.
class PollIdentity {
 public:
  /// An empty handle: id() is 0.
  PollIdentity() noexcept = default;

  static PollIdentity create(std::error_code& ec) noexcept {
    static std::atomic<std::uint64_t> next_id{1};
    PollIdentity identity;
    identity.state_ = new (std::nothrow) State{next_id.fetch_add(1, std::memory_order_relaxed)};
    if (identity.state_ == nullptr) {
      ec = std::make_error_code(std::errc::not_enough_memory);
    } else {
      ec.clear();
    }
    return identity;
  }

  PollIdentity(const PollIdentity& other) noexcept : state_(other.state_) {
    if (state_ != nullptr) {
      state_->references.fetch_add(1, std::memory_order_relaxed);
    }
  }
  PollIdentity(PollIdentity&& other) noexcept : state_(std::exchange(other.state_, nullptr)) {}
  PollIdentity& operator=(PollIdentity other) noexcept {
    std::swap(state_, other.state_);
    return *this;
  }
  ~PollIdentity() {
    if (state_ != nullptr && state_->references.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      delete state_;
    }
  }

  /// Never reused by another Poll of this process; 0 for an empty handle.
  [[nodiscard]] std::uint64_t id() const noexcept { return state_ == nullptr ? 0 : state_->id; }

  /// Whether a Registry of this Poll (the Poll's own or a clone) still exists.
  [[nodiscard]] bool is_open() const noexcept {
    return state_ != nullptr && state_->registries.load(std::memory_order_acquire) != 0;
  }

  /// Claims the Poll's single Waker slot; false when a Waker already holds it (or empty handle).
  [[nodiscard]] bool claim_waker() const noexcept {
    return state_ != nullptr && !state_->has_waker.exchange(true, std::memory_order_acq_rel);
  }
  void release_waker() const noexcept {
    if (state_ != nullptr) {
      state_->has_waker.store(false, std::memory_order_release);
      state_->wake_pending.store(false, std::memory_order_release);
    }
  }

  /// Records a wake; true when one was pending already, so that the Poll will report the Waker's
  /// event (or has it collected, not yet returned) and this wake needs no system call.
  ///
  /// A pending wake is only read, never written again: the waking threads do not fight over the
  /// flag's cache line while it is set. The fence pairs with clear_wake_pending's: of a wake that
  /// finds the flag still set and a poll that has just cleared it, at least one sees the other's
  /// earlier writes, so either the wake makes its system call or the poller, after returning,
  /// sees what the waking thread did before the wake.
  [[nodiscard]] bool mark_wake_pending() const noexcept {
    if (state_ == nullptr) {
      return false;
    }
    std::atomic_thread_fence(std::memory_order_seq_cst);
    return state_->wake_pending.load(std::memory_order_relaxed) ||
           state_->wake_pending.exchange(true, std::memory_order_acq_rel);
  }
  /// Forgets a wake whose system call failed: the next wake tries again.
  void unmark_wake_pending() const noexcept {
    if (state_ != nullptr) {
      state_->wake_pending.store(false, std::memory_order_release);
    }
  }
  /// Called by Poll::poll once the OS wait has returned: every wake recorded so far either made
  /// the system call whose event this poll collected (or the next one will), or happened before
  /// this point, so the caller, handling the Waker's event after poll returns, covers it. From
  /// here on a wake makes its system call again. A poll with no wake pending pays one plain load;
  /// the OS wait orders it after the system call of the wake whose event it collected.
  void clear_wake_pending() const noexcept {
    if (state_ != nullptr && state_->wake_pending.load(std::memory_order_acquire)) {
      state_->wake_pending.store(false, std::memory_order_relaxed);
      std::atomic_thread_fence(std::memory_order_seq_cst);
    }
  }

 private:
  friend class RegistryIdentity;

  struct State {
    std::uint64_t id;
    std::atomic<std::size_t> references{1};
    std::atomic<std::size_t> registries{0};
    std::atomic<bool> has_waker{false};
    // A wake has made its system call and the Poll has not yet returned since: further wakes
    // coalesce into it without a system call, as libuv's uv_async_send does.
    std::atomic<bool> wake_pending{false};
  };

  State* state_ = nullptr;
};

/// The PollIdentity held by a Registry: while one exists, the Poll counts as open.
class RegistryIdentity {
 public:
  RegistryIdentity() noexcept = default;
  explicit RegistryIdentity(PollIdentity identity) noexcept : identity_(std::move(identity)) {
    count(+1);
  }
  RegistryIdentity(const RegistryIdentity& other) noexcept : identity_(other.identity_) {
    count(+1);
  }
  RegistryIdentity(RegistryIdentity&& other) noexcept = default;
  RegistryIdentity& operator=(RegistryIdentity other) noexcept {
    std::swap(identity_.state_, other.identity_.state_);
    return *this;
  }
  ~RegistryIdentity() { count(-1); }

  [[nodiscard]] const PollIdentity& get() const noexcept { return identity_; }

 private:
  void count(int delta) const noexcept {
    if (identity_.state_ != nullptr) {
      if (delta > 0) {
        identity_.state_->registries.fetch_add(1, std::memory_order_acq_rel);
      } else {
        identity_.state_->registries.fetch_sub(1, std::memory_order_acq_rel);
      }
    }
  }

  PollIdentity identity_;
};

}  // namespace miocpp::detail
