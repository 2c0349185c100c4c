// The kqueue Waker (Apple systems, FreeBSD): an EVFILT_USER event on the selector's own kqueue;
// wake() triggers it. No extra descriptor to read, no pipe to fill. Wakes coalesce: EV_CLEAR resets
// the event when it is delivered, so every wake() until then gives that one event.
#pragma once

#include <cstdint>
#include <system_error>
#include <utility>

#include "../../token.hpp"
#include "../posix/duplicate.hpp"
#include "../posix/error.hpp"
#include "../posix/file_descriptor.hpp"
#include "kevent.hpp"
#include "selector.hpp"

namespace miocpp::sys::kqueue {

class Waker {
 public:
  Waker() noexcept = default;

  /// The Waker keeps its own duplicate of the selector's kqueue, so it can wake (harmlessly) even
  /// after the Poll is gone.
  ///
  /// The user event's ident is that duplicate's number: unique among live descriptors, so it can
  /// never be confused with another Waker's event on the same kqueue.
  Waker(const Selector& selector, Token token, std::error_code& ec) noexcept
      : kq_(posix::duplicate(selector.native_handle(), ec)),
        user_data_(static_cast<std::uintptr_t>(token.value)) {
    if (ec) {
      return;
    }
    KEventChanges changes;
    changes.add(ident(), EVFILT_USER, EV_ADD | EV_CLEAR, user_data_);
    if (!apply(changes, ec)) {
      kq_.reset();
    }
  }

  Waker(Waker&& other) noexcept
      : kq_(std::move(other.kq_)), user_data_(std::exchange(other.user_data_, 0)) {}
  Waker& operator=(Waker&& other) noexcept {
    if (this != &other) {
      remove_event();
      kq_ = std::move(other.kq_);
      user_data_ = std::exchange(other.user_data_, 0);
    }
    return *this;
  }
  Waker(const Waker&) = delete;
  Waker& operator=(const Waker&) = delete;
  /// Deletes the user event, so that no pending trigger outlives the Waker.
  ~Waker() { remove_event(); }

  /// The trigger carries the token again: every change to a kevent, not only EV_ADD, replaces its
  /// udata.
  void wake(std::error_code& ec) const noexcept {
    KEventChanges changes;
    changes.add(ident(), EVFILT_USER, 0, user_data_, NOTE_TRIGGER);
    (void)apply(changes, ec);
  }

 private:
  [[nodiscard]] std::uintptr_t ident() const noexcept {
    return static_cast<std::uintptr_t>(kq_.native_handle());
  }

  bool apply(KEventChanges& changes, std::error_code& ec) const noexcept {
    if (!changes.apply(kq_.native_handle())) {
      ec = posix::last_error();
      return false;
    }
    if (const int error = changes.error(0); error != 0) {
      ec = posix::errno_code(error);
      return false;
    }
    ec.clear();
    return true;
  }

  void remove_event() noexcept {
    if (kq_.is_open()) {
      KEventChanges changes;
      changes.add(ident(), EVFILT_USER, EV_DELETE, 0);
      (void)changes.apply(kq_.native_handle());
      kq_.reset();
    }
  }

  posix::FileDescriptor kq_;
  std::uintptr_t user_data_ = 0;  // the token
};

}  // namespace miocpp::sys::kqueue
