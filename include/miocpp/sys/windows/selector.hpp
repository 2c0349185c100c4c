// The Windows selector: an I/O completion port on which every registered socket has one
// IOCTL_AFD_POLL in flight (the technique of wepoll and mio).
//
// AFD polls are one-shot: a completion reports what happened and the poll is over. Edge-triggered
// readiness is built on top, as mio does it: once an event is reported its bits are taken out of
// the socket's interest, and they return only when an I/O call on the socket would block
// (IoSourceState::do_io re-registers) or the user re-registers. Changed sockets wait in an update
// queue and get their new poll at the start of the next select, or at once when another thread is
// blocked in select, so a registration takes effect during that very select.
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
#include <vector>

#include "../../interest.hpp"
#include "../../token.hpp"
#include "afd.hpp"
#include "completion_target.hpp"
#include "error.hpp"
#include "event.hpp"
#include "iocp.hpp"
#include "sock_state.hpp"
#include "windows.hpp"

namespace miocpp::sys::windows {

/// The AFD bits a registration for `interest` watches. A failed connect and a reset are always
/// watched (mio does the same): they end the socket's usefulness whatever was asked for.
inline std::uint32_t afd_events_for(Interest interest) noexcept {
  std::uint32_t events = afd::poll_connect_fail | afd::poll_abort;
  if (interest.is_readable()) {
    events |= afd::readable_events | afd::read_closed_events | afd::error_events;
  }
  if (interest.is_writable()) {
    events |= afd::writable_events | afd::write_closed_events | afd::error_events;
  }
  if (interest.is_priority()) {
    events |= afd::poll_receive_expedited;
  }
  return events;
}

/// The socket AFD knows: below any layered service provider, which SIO_BASE_HANDLE skips. Some
/// LSPs break that ioctl, so the BSP ioctls are tried after it, as mio and wepoll do.
inline SOCKET base_socket(SOCKET socket, std::error_code& ec) noexcept {
  const auto query = [socket](DWORD ioctl, SOCKET& base) {
    DWORD bytes = 0;
    return ::WSAIoctl(socket, ioctl, nullptr, 0, &base, sizeof base, &bytes, nullptr, nullptr) !=
           SOCKET_ERROR;
  };
  SOCKET base = INVALID_SOCKET;
  if (query(static_cast<DWORD>(SIO_BASE_HANDLE), base)) {
    ec.clear();
    return base;
  }
  ec = last_socket_error();
  for (const auto ioctl : {SIO_BSP_HANDLE_SELECT, SIO_BSP_HANDLE_POLL, SIO_BSP_HANDLE}) {
    if (query(static_cast<DWORD>(ioctl), base) && base != socket) {
      ec.clear();
      return base;
    }
  }
  return INVALID_SOCKET;
}

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
    if (interest.is_aio() || interest.is_lio()) {
      ec = std::make_error_code(std::errc::not_supported);
      return nullptr;
    }
    const SOCKET base = base_socket(socket, ec);
    if (ec) {
      return nullptr;
    }
    const std::lock_guard lock(mutex_);
    afd::Helper* helper = acquire_helper(ec);
    if (ec) {
      return nullptr;
    }
    auto* state = new (std::nothrow) SockState;
    if (state == nullptr) {
      ec = std::make_error_code(std::errc::not_enough_memory);
      return nullptr;
    }
    state->helper = helper;
    ++helper->users;
    state->base_socket = base;
    state->references = 1;
    state->next_live = live_;
    if (live_ != nullptr) {
      live_->previous_live = state;
    }
    live_ = state;
    set_interest(*state, token, interest);
    enqueue(*state);
    update_if_polling(ec);
    return state;
  }

  /// New token and interest for a registered socket; every bit of interest is reported again if
  /// still ready (as EPOLL_CTL_MOD does).
  void reregister(SockState& state, Token token, Interest interest, std::error_code& ec) noexcept {
    if (interest.is_aio() || interest.is_lio()) {
      ec = std::make_error_code(std::errc::not_supported);
      return;
    }
    const std::lock_guard lock(mutex_);
    if (state.delete_pending) {
      ec = std::make_error_code(std::errc::bad_file_descriptor);
      return;
    }
    set_interest(state, token, interest);
    enqueue(state);
    update_if_polling(ec);
  }

  /// Stops reporting `state` and drops the caller's reference; an AFD poll in flight is
  /// cancelled and keeps the state alive until its completion is dequeued.
  void deregister(SockState& state) noexcept {
    const std::lock_guard lock(mutex_);
    mark_deleted(state);
    release(state);
  }

  /// Drops the caller's reference but leaves the registration in place: its socket was handed
  /// to another owner (IoSource::release). The state is freed once the socket is closed (AFD
  /// reports the close) or the selector goes.
  void forget(SockState& state) noexcept {
    const std::lock_guard lock(mutex_);
    release(state);
  }

  // ---- Wake-ups ---------------------------------------------------------------------------------

  /// Posts the wake-up packet unless one is already queued: wakes coalesce to one event per
  /// select (mio would deliver one per wake).
  void wake(Token token, std::error_code& ec) noexcept {
    if (wake_posted_.exchange(true, std::memory_order_acq_rel)) {
      ec.clear();
      return;
    }
    port_.post(afd::poll_receive, static_cast<ULONG_PTR>(token.value), nullptr, ec);
    if (ec) {
      wake_posted_.store(false, std::memory_order_release);
    }
  }

  // ---- Named pipes ------------------------------------------------------------------------------

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
      if (count != 0) {
        feed(events, count);
        if (events.size() != 0) {
          return;
        }
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
  afd::Helper* acquire_helper(std::error_code& ec) noexcept {
    if (!helpers_.empty() && helpers_.back()->users < afd::Helper::max_users) {
      ec.clear();
      return helpers_.back().get();
    }
    auto helper =
        std::unique_ptr<afd::Helper>(new (std::nothrow) afd::Helper(port_, afd_completion_key, ec));
    if (helper == nullptr) {
      ec = std::make_error_code(std::errc::not_enough_memory);
      return nullptr;
    }
    if (ec) {
      return nullptr;
    }
    // Keep the one with free room last: acquire only looks there.
    helpers_.insert(helpers_.end(), std::move(helper));
    return helpers_.back().get();
  }

  void set_interest(SockState& state, Token token, Interest interest) noexcept {
    state.user_events = afd_events_for(interest);
    state.token = token.value;
  }

  void enqueue(SockState& state) noexcept {
    if (!state.queued) {
      state.queued = true;
      ++state.references;
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
      if (!state.delete_pending) {
        std::error_code update_ec;
        update(state, update_ec);
        if (update_ec && !ec) {
          ec = update_ec;
        }
      }
      release(state);
    }
  }

  void update(SockState& state, std::error_code& ec) noexcept {
    ec.clear();
    switch (state.status) {
      case PollStatus::pending:
        // A poll that already watches every wanted event may stay; it may complete for an event
        // no longer wanted, and the next poll then gets the new mask. Otherwise it must go:
        // polls cannot be changed, only cancelled, and its completion starts the next one.
        if ((state.user_events & afd::known_events & ~state.pending_events) != 0) {
          cancel(state, ec);
        }
        return;
      case PollStatus::cancelled:
        return;  // its completion will queue the socket again
      case PollStatus::idle:
        break;
    }
    state.poll_info.exclusive = 0;
    state.poll_info.number_of_handles = 1;
    state.poll_info.timeout.QuadPart = INT64_MAX;
    state.poll_info.handles[0].handle = reinterpret_cast<HANDLE>(  // NOLINT(*-reinterpret-cast)
        state.base_socket);
    state.poll_info.handles[0].status = 0;
    state.poll_info.handles[0].events = state.user_events | afd::poll_local_close;
    ++state.references;  // the kernel's, returned by the completion
    state.helper->poll(state.poll_info, state.iosb, &state, ec);
    if (ec) {
      --state.references;
      if (ec.value() == ERROR_INVALID_HANDLE) {
        // The socket is closed already: nothing to watch, nothing to report.
        ec.clear();
        mark_deleted(state);
      }
      return;
    }
    state.status = PollStatus::pending;
    state.pending_events = state.user_events;
  }

  void cancel(SockState& state, std::error_code& ec) noexcept {
    state.helper->cancel(state.iosb, ec);
    if (!ec) {
      state.status = PollStatus::cancelled;
      state.pending_events = 0;
    }
  }

  void mark_deleted(SockState& state) noexcept {
    if (state.delete_pending) {
      return;
    }
    if (state.status == PollStatus::pending) {
      std::error_code ignored;
      cancel(state, ignored);
    }
    state.delete_pending = true;
  }

  void release(SockState& state) noexcept {
    if (--state.references != 0) {
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
    afd::Helper* helper = state.helper;
    delete &state;
    if (--helper->users == 0) {
      std::erase_if(helpers_, [helper](const auto& owned) { return owned.get() == helper; });
    }
  }

  /// The readiness an AFD poll completion reports for its socket; queues the socket for its
  /// next poll and returns the kernel's reference.
  std::uint32_t complete_poll(SockState& state) noexcept {
    state.status = PollStatus::idle;
    state.pending_events = 0;
    std::uint32_t events = 0;
    if (state.delete_pending) {
      // Deregistered or closed while the poll was in flight: this completion only frees it.
    } else if (state.iosb.status == nt::status_cancelled) {
      // Cancelled to change the interest: the next poll is queued below.
    } else if (state.iosb.status < 0) {
      // The request itself failed; treat the socket as broken so the user looks at it.
      events = afd::poll_connect_fail;
    } else if (state.poll_info.number_of_handles < 1) {
      // Completed without reporting the socket (the poll timed out): nothing happened.
    } else if ((state.poll_info.handles[0].events & afd::poll_local_close) != 0) {
      mark_deleted(state);  // our socket handle was closed
    } else {
      events = state.poll_info.handles[0].events;
    }
    events &= state.user_events;
    // Edge-triggered: what was reported is not watched again until an operation would block.
    state.user_events &= ~events;
    if (!state.delete_pending) {
      enqueue(state);
    }
    release(state);
    return events;
  }

  void feed(Events& events, std::size_t count) noexcept {
    OVERLAPPED_ENTRY* entries = events.entries();
    const std::lock_guard lock(mutex_);
    for (std::size_t i = 0; i < count; ++i) {
      const OVERLAPPED_ENTRY& entry = entries[i];
      if (entry.lpOverlapped == nullptr) {
        // A wake-up: the key is the token. Cleared before it is reported, so a wake() from now
        // on posts again and is seen by a later select.
        wake_posted_.store(false, std::memory_order_release);
        events.push(entry.lpCompletionKey, entry.dwNumberOfBytesTransferred);
      } else if (entry.lpCompletionKey == afd_completion_key) {
        auto& state = *reinterpret_cast<SockState*>(  // NOLINT(*-reinterpret-cast)
            entry.lpOverlapped);
        const std::uint64_t token = state.token;
        const std::uint32_t ready = complete_poll(state);
        if (ready != 0) {
          events.push(token, ready);
        }
      } else {
        pipe_packets_.fetch_sub(1, std::memory_order_relaxed);
        CompletionTarget& target = CompletionTarget::from(entry.lpOverlapped);
        std::uint64_t token = 0;
        const std::uint32_t ready = target.handler(target, entry, false, token);
        if (ready != 0) {
          events.push(token, ready);
        }
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
        mark_deleted(*state);
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
      const std::lock_guard lock(mutex_);
      for (std::size_t i = 0; i < count; ++i) {
        const OVERLAPPED_ENTRY& entry = entries[i];
        if (entry.lpOverlapped == nullptr) {
          continue;
        }
        if (entry.lpCompletionKey == afd_completion_key) {
          complete_poll(*reinterpret_cast<SockState*>(  // NOLINT(*-reinterpret-cast)
              entry.lpOverlapped));
        } else {
          pipe_packets_.fetch_sub(1, std::memory_order_relaxed);
          CompletionTarget& target = CompletionTarget::from(entry.lpOverlapped);
          std::uint64_t token = 0;
          target.handler(target, entry, true, token);
        }
      }
    }
  }

  CompletionPort port_;
  std::mutex mutex_;
  SockState* queue_ = nullptr;  // sockets whose poll must be (re)submitted
  SockState* live_ = nullptr;   // every SockState not yet freed
  std::vector<std::unique_ptr<afd::Helper>> helpers_;
  std::atomic<bool> polling_{false};
  std::atomic<bool> wake_posted_{false};
  std::atomic<std::size_t> pipe_packets_{0};
};

/// The sys::Selector of Windows: a shared handle on a SelectorInner (clones share it, as clones
/// of an epoll descriptor share the epoll instance).
class Selector {
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

  Selector(Selector&&) noexcept = default;
  Selector& operator=(Selector&&) noexcept = default;
  Selector(const Selector&) = delete;
  Selector& operator=(const Selector&) = delete;
  ~Selector() = default;

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
