// The Windows selector: an I/O completion port on which every registered socket has one
// IOCTL_AFD_POLL in flight (the technique of wepoll and mio). Each socket's poll life cycle is
// its SockState's (sock_state.hpp); the driver handles they share are afd/poll_group.hpp's.
//
// Changed sockets wait in an update queue and get their new poll at the start of the next select,
// or at once when another thread is blocked in select, so a registration takes effect during that
// very select.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <system_error>

#include "../../interest.hpp"
#include "../../token.hpp"
#include "../common/move_only.hpp"
#include "../unsupported/refuse.hpp"
#include "afd/poll_group.hpp"
#include "completion_target.hpp"
#include "error.hpp"
#include "event.hpp"
#include "iocp.hpp"
#include "sock_state.hpp"
#include "socket.hpp"
#include "wake_packet.hpp"
#include "windows.hpp"

namespace miocpp::sys::windows {

/// What every clone of a Selector, its Waker and its registered sources share. Lives until the
/// last of them is gone; then it cancels the polls still in flight and waits for their
/// completions, so no SockState outlives it in the kernel's hands.
class SelectorInner {
 public:
  explicit SelectorInner(std::error_code& ec) noexcept : port_(ec) {}

  SelectorInner(const SelectorInner&) = delete;
  SelectorInner& operator=(const SelectorInner&) = delete;
  SelectorInner(SelectorInner&&) = delete;
  SelectorInner& operator=(SelectorInner&&) = delete;

  ~SelectorInner() { shut_down(); }

  [[nodiscard]] const CompletionPort& port() const noexcept { return port_; }

  // ---- Sockets ----------------------------------------------------------------------------------

  /// A new SockState for `socket`, holding one reference for the caller; nullptr on error.
  SockState* register_socket(SOCKET socket, Token token, Interest interest,
                             std::error_code& ec) noexcept {
    if (!accepts(interest, ec)) {
      return nullptr;
    }
    const SOCKET base = base_socket(socket, ec);
    if (ec) {
      return nullptr;
    }
    const std::lock_guard lock(mutex_);
    afd::PollGroup* group = groups_.join(port_, afd_completion_key, ec);
    if (group == nullptr) {
      return nullptr;
    }
    auto* state = new (std::nothrow) SockState(*group, base);
    if (state == nullptr) {
      groups_.leave(*group);
      ec = std::make_error_code(std::errc::not_enough_memory);
      return nullptr;
    }
    state->acquire();
    state->next_live = live_;
    if (live_ != nullptr) {
      live_->previous_live = state;
    }
    live_ = state;
    state->set_interest(token, interest);
    enqueue(*state);
    update_if_polling(ec);
    return state;
  }

  /// New token and interest for a registered socket; every bit of interest is reported again if
  /// still ready (as EPOLL_CTL_MOD does).
  void reregister_socket(SockState& state, Token token, Interest interest,
                         std::error_code& ec) noexcept {
    if (!accepts(interest, ec)) {
      return;
    }
    const std::lock_guard lock(mutex_);
    if (state.delete_pending()) {
      ec = std::make_error_code(std::errc::bad_file_descriptor);
      return;
    }
    state.set_interest(token, interest);
    enqueue(state);
    update_if_polling(ec);
  }

  /// Stops reporting `state` and drops the caller's reference; a poll in flight is cancelled and
  /// keeps the state alive until its completion is dequeued.
  void deregister_socket(SockState& state) noexcept {
    const std::lock_guard lock(mutex_);
    state.mark_deleted();
    release(state);
  }

  /// Drops the caller's reference but leaves the registration in place: its socket was handed
  /// to another owner (IoSource::release). The state is freed once the socket is closed (AFD
  /// reports the close) or the selector goes.
  void forget_socket(SockState& state) noexcept {
    const std::lock_guard lock(mutex_);
    release(state);
  }

  // ---- Wake-ups and named pipes -----------------------------------------------------------------

  void wake(Token token, std::error_code& ec) noexcept { wake_.post(port_, token, ec); }

  /// Named pipes count the completions they have coming (I/O in flight, posted events), so that
  /// the teardown knows how many to wait for.
  void pipe_packet_started() noexcept { pipe_packets_.fetch_add(1, std::memory_order_relaxed); }
  void pipe_packet_abandoned() noexcept { pipe_packets_.fetch_sub(1, std::memory_order_relaxed); }

  // ---- Select -----------------------------------------------------------------------------------

  void select(Events& events, std::optional<std::chrono::nanoseconds> timeout,
              std::error_code& ec) noexcept {
    events.clear();
    // The clock is read only when a finite wait may have to be resumed (a completion that
    // reports nothing, or a wait the OS ended early).
    using clock = std::chrono::steady_clock;
    const bool finite = timeout.has_value() && timeout->count() > 0;
    const clock::time_point deadline = finite ? clock::now() + *timeout : clock::time_point();
    std::optional<std::chrono::nanoseconds> remaining = timeout;
    for (;;) {
      polling_.store(true, std::memory_order_seq_cst);
      {
        const std::lock_guard lock(mutex_);
        update_queued(ec);
      }
      if (ec) {
        polling_.store(false, std::memory_order_relaxed);
        return;
      }
      const std::size_t count =
          port_.get_many(events.entries(), events.capacity(), wait_milliseconds(remaining), ec);
      polling_.store(false, std::memory_order_relaxed);
      if (ec) {
        return;
      }
      dispatch(events.entries(), count, &events);
      if (events.size() != 0) {
        return;
      }
      if (timeout && !finite) {
        return;  // a zero timeout only collects what is there
      }
      if (finite) {
        const auto now = clock::now();
        if (now >= deadline) {
          return;
        }
        remaining = deadline - now;
      }
    }
  }

 private:
  static bool accepts(Interest interest, std::error_code& ec) noexcept {
    if (interest.is_aio() || interest.is_lio()) {
      ec = std::make_error_code(std::errc::not_supported);
      return false;
    }
    return true;
  }

  void enqueue(SockState& state) noexcept {
    if (!state.queued) {
      state.queued = true;
      state.acquire();
      state.next_queued = queue_;
      queue_ = &state;
    }
  }

  void update_if_polling(std::error_code& ec) noexcept {
    ec.clear();
    if (polling_.load(std::memory_order_seq_cst)) {
      update_queued(ec);
    }
  }

  /// Gives every queued socket the poll its interest needs. Keeps going after a failure and
  /// reports the first one.
  void update_queued(std::error_code& ec) noexcept {
    ec.clear();
    while (queue_ != nullptr) {
      SockState& state = *queue_;
      queue_ = state.next_queued;
      state.next_queued = nullptr;
      state.queued = false;
      if (!state.delete_pending()) {
        std::error_code update_ec;
        state.update(update_ec);
        if (update_ec && !ec) {
          ec = update_ec;
        }
      }
      release(state);
    }
  }

  void release(SockState& state) noexcept {
    if (!state.release()) {
      return;
    }
    if (state.previous_live != nullptr) {
      state.previous_live->next_live = state.next_live;
    } else {
      live_ = state.next_live;
    }
    if (state.next_live != nullptr) {
      state.next_live->previous_live = state.previous_live;
    }
    afd::PollGroup& group = state.group();
    delete &state;
    groups_.leave(group);
  }

  /// Makes sense of `count` dequeued completions: wake-ups, AFD polls and named-pipe I/O. Their
  /// events go to `events`; without it (the selector is closing) only what the operations held is
  /// given back.
  void dispatch(const OVERLAPPED_ENTRY* entries, std::size_t count, Events* events) noexcept {
    if (count == 0) {
      return;
    }
    const std::lock_guard lock(mutex_);
    for (std::size_t i = 0; i < count; ++i) {
      const OVERLAPPED_ENTRY& entry = entries[i];
      std::uint64_t token = entry.lpCompletionKey;
      std::uint32_t ready = 0;
      if (WakePacket::is_wake(entry)) {
        wake_.taken();
        ready = entry.dwNumberOfBytesTransferred;
      } else if (entry.lpCompletionKey == afd_completion_key) {
        SockState& state = SockState::of(entry.lpOverlapped);
        token = state.token();
        ready = state.complete();
        if (!state.delete_pending()) {
          enqueue(state);  // for its next poll
        }
        release(state);  // the kernel's reference
      } else {
        pipe_packets_.fetch_sub(1, std::memory_order_relaxed);
        CompletionTarget& target = CompletionTarget::from(entry.lpOverlapped);
        ready = target.handler(target, entry, events == nullptr, token);
      }
      if (events != nullptr && ready != 0) {
        events->push(token, ready);
      }
    }
  }

  /// Cancels every poll still in flight and waits for the completions, which free the states.
  /// Named-pipe writes are not cancelled (their data should still reach the peer); if the peer
  /// never reads, their completions are given up on after a while and those pipes are leaked.
  void shut_down() noexcept {
    {
      const std::lock_guard lock(mutex_);
      for (SockState* state = live_; state != nullptr; state = state->next_live) {
        state->mark_deleted();
      }
      std::error_code ignored;
      update_queued(ignored);  // skips deleted states: only drops the queue's references
    }
    if (!port_.native_handle()) {
      return;
    }
    constexpr std::size_t batch = 64;
    OVERLAPPED_ENTRY entries[batch];  // NOLINT(*-avoid-c-arrays)
    int idle_rounds = 0;
    while ((live_ != nullptr || pipe_packets_.load(std::memory_order_relaxed) != 0) &&
           idle_rounds < 20) {
      std::error_code ec;
      const std::size_t count = port_.get_many(entries, batch, 100, ec);
      if (ec) {
        break;
      }
      idle_rounds = count == 0 ? idle_rounds + 1 : 0;
      dispatch(entries, count, nullptr);
    }
  }

  CompletionPort port_;
  std::mutex mutex_;
  SockState* queue_ = nullptr;  // sockets whose poll must be (re)submitted
  SockState* live_ = nullptr;   // every SockState not yet freed
  afd::PollGroups groups_;
  std::atomic<bool> polling_{false};
  WakePacket wake_;
  std::atomic<std::size_t> pipe_packets_{0};
};

/// The sys::Selector of Windows: a shared handle on a SelectorInner (clones share it, as clones
/// of an epoll descriptor share the epoll instance). Move-only: a clone is made on purpose, with
/// try_clone.
class Selector : common::MoveOnly {
 public:
  /// An empty selector: every call on it fails with bad_file_descriptor.
  Selector() noexcept = default;

  explicit Selector(std::error_code& ec) noexcept {
    auto* inner = new (std::nothrow) SelectorInner(ec);
    if (inner == nullptr) {
      ec = std::make_error_code(std::errc::not_enough_memory);
      return;
    }
    if (ec) {
      delete inner;
      return;
    }
    inner_.reset(inner);
  }

  [[nodiscard]] Selector try_clone(std::error_code& ec) const noexcept {
    if (!inner_) {
      ec = std::make_error_code(std::errc::bad_file_descriptor);
      return Selector();
    }
    Selector clone;
    clone.inner_ = inner_;
    ec.clear();
    return clone;
  }

  void select(Events& events, std::optional<std::chrono::nanoseconds> timeout,
              std::error_code& ec) const noexcept {
    if (!inner_) {
      events.clear();
      ec = std::make_error_code(std::errc::bad_file_descriptor);
      return;
    }
    inner_->select(events, timeout, ec);
  }

  // Windows has no POSIX descriptors to register: sockets register through IoSourceState, named
  // pipes through NamedPipe.
  void register_fd(int, Token, Interest, std::error_code& ec) const noexcept {
    unsupported::refuse(ec);
  }
  void reregister_fd(int, Token, Interest, std::error_code& ec) const noexcept {
    unsupported::refuse(ec);
  }
  void deregister_fd(int, std::error_code& ec) const noexcept { unsupported::refuse(ec); }

  /// The shared state, for sources and wakers that must keep it alive.
  [[nodiscard]] const std::shared_ptr<SelectorInner>& inner() const noexcept { return inner_; }

  /// The completion port (for code that associates its own handles with it).
  [[nodiscard]] HANDLE native_handle() const noexcept {
    return inner_ ? inner_->port().native_handle() : nullptr;
  }

 private:
  std::shared_ptr<SelectorInner> inner_;
};

}  // namespace miocpp::sys::windows
