// One registered socket and the life cycle of its AFD poll: started, cancelled when the interest
// grows, completed, and freed only once the kernel has let go of it.
//
// AFD polls are one-shot: a completion reports what happened and the poll is over. Edge-triggered
// readiness is built on top, as mio does it: once an event is reported its bits are taken out of
// the socket's interest, and they return only when an I/O call on the socket would block
// (IoSourceState::do_io re-registers) or the user re-registers.
#pragma once

#include <cstdint>
#include <system_error>

#include "../../interest.hpp"
#include "../../token.hpp"
#include "afd/ntdll.hpp"
#include "afd/poll.hpp"
#include "afd/poll_group.hpp"
#include "windows.hpp"

namespace miocpp::sys::windows {

/// The record an AFD poll writes into and the bookkeeping around it. The kernel owns the status
/// block and the poll record while a poll is in flight, so a SockState lives until that poll's
/// completion has been dequeued, even if its socket was closed and deregistered long before: it
/// is reference counted (the IoSourceState, the selector's update queue and the poll in flight
/// each hold one). Guarded by the selector's lock, as are the selector's links below.
class SockState {
 public:
  SockState(afd::PollGroup& group, SOCKET base_socket) noexcept
      : group_(&group), base_socket_(base_socket) {}

  SockState(const SockState&) = delete;
  SockState& operator=(const SockState&) = delete;
  SockState(SockState&&) = delete;
  SockState& operator=(SockState&&) = delete;
  ~SockState() = default;

  /// The state a completion is about: its polls carry the state as their OVERLAPPED pointer.
  static SockState& of(OVERLAPPED* overlapped) noexcept {
    return *reinterpret_cast<SockState*>(overlapped);  // NOLINT(*-reinterpret-cast)
  }

  [[nodiscard]] afd::PollGroup& group() const noexcept { return *group_; }
  [[nodiscard]] std::uint64_t token() const noexcept { return token_; }
  /// Deregistered or closed: nothing more is reported, and no new poll is started.
  [[nodiscard]] bool delete_pending() const noexcept { return delete_pending_; }

  void set_interest(Token token, Interest interest) noexcept {
    user_events_ = afd::events_for(interest);
    token_ = token.value;
  }

  /// Makes the poll in flight watch what the registration wants: starts one when there is none,
  /// cancels one that misses a wanted event (polls cannot be changed, only cancelled, and the
  /// cancelled poll's completion queues the next one).
  void update(std::error_code& ec) noexcept {
    ec.clear();
    switch (status_) {
      case Status::pending:
        // A poll that already watches every wanted event may stay; it may complete for an event
        // no longer wanted, and the next poll then gets the new mask.
        if ((user_events_ & afd::known_events & ~pending_events_) != 0) {
          cancel(ec);
        }
        return;
      case Status::cancelled:
        return;  // its completion will queue the socket again
      case Status::idle:
        break;
    }
    poll_info_.exclusive = 0;
    poll_info_.number_of_handles = 1;
    poll_info_.timeout.QuadPart = INT64_MAX;
    poll_info_.handles[0].handle = reinterpret_cast<HANDLE>(  // NOLINT(*-reinterpret-cast)
        base_socket_);
    poll_info_.handles[0].status = 0;
    poll_info_.handles[0].events = user_events_ | afd::poll_local_close;
    acquire();  // the kernel's, returned by the completion
    group_->device().poll(poll_info_, iosb_, this, ec);
    if (ec) {
      --references_;
      if (ec.value() == ERROR_INVALID_HANDLE) {
        // The socket is closed already: nothing to watch, nothing to report.
        ec.clear();
        mark_deleted();
      }
      return;
    }
    status_ = Status::pending;
    pending_events_ = user_events_;
  }

  /// Stops reporting; a poll in flight is cancelled, and its completion still comes.
  void mark_deleted() noexcept {
    if (delete_pending_) {
      return;
    }
    if (status_ == Status::pending) {
      std::error_code ignored;
      cancel(ignored);
    }
    delete_pending_ = true;
  }

  /// Reads the completion of the poll in flight: the readiness to report (0 for none). The poll
  /// is over; the kernel's reference is the caller's to drop.
  std::uint32_t complete() noexcept {
    status_ = Status::idle;
    pending_events_ = 0;
    std::uint32_t events = 0;
    if (delete_pending_) {
      // Deregistered or closed while the poll was in flight: this completion only frees it.
    } else if (iosb_.status == afd::status_cancelled) {
      // Cancelled to change the interest: the caller queues the next poll.
    } else if (iosb_.status < 0) {
      // The request itself failed; treat the socket as broken so the user looks at it.
      events = afd::poll_connect_fail;
    } else if (poll_info_.number_of_handles < 1) {
      // Completed without reporting the socket (the poll timed out): nothing happened.
    } else if ((poll_info_.handles[0].events & afd::poll_local_close) != 0) {
      mark_deleted();  // our socket handle was closed
    } else {
      events = poll_info_.handles[0].events;
    }
    events &= user_events_;
    // Edge-triggered: what was reported is not watched again until an operation would block.
    user_events_ &= ~events;
    return events;
  }

  void acquire() noexcept { ++references_; }
  /// Drops a reference; true when it was the last (the caller then frees the state).
  [[nodiscard]] bool release() noexcept { return --references_ == 0; }

  // The selector's intrusive lists, so queuing and tracking never allocate.
  SockState* next_queued = nullptr;  // the update queue
  bool queued = false;
  SockState* previous_live = nullptr;  // every state not yet freed, for the selector's teardown
  SockState* next_live = nullptr;

 private:
  enum class Status : std::uint8_t {
    idle,       // no poll in flight
    pending,    // a poll is in flight, watching `pending_events_`
    cancelled,  // a poll is in flight and asked to finish; its completion has not arrived yet
  };

  void cancel(std::error_code& ec) noexcept {
    group_->device().cancel(iosb_, ec);
    if (!ec) {
      status_ = Status::cancelled;
      pending_events_ = 0;
    }
  }

  afd::IoStatusBlock iosb_{};
  afd::PollInfo poll_info_{};
  afd::PollGroup* group_;
  SOCKET base_socket_;

  std::uint32_t user_events_ = 0;     // what the registration wants reported (minus what was)
  std::uint32_t pending_events_ = 0;  // what the poll in flight watches
  std::uint64_t token_ = 0;

  Status status_ = Status::idle;
  bool delete_pending_ = false;
  int references_ = 0;
};

}  // namespace miocpp::sys::windows
