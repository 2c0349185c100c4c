// struct kevent, the same way on every kqueue system: the field types differ (NetBSD's filter and
// flags are uint32_t and, before NetBSD 10, its udata is an intptr_t; elsewhere they are short,
// unsigned short and void*), so the kqueue selector and waker build and read records through these
// helpers instead of EV_SET and raw comparisons.
#pragma once

// <sys/types.h> first: older BSD <sys/event.h> headers use its types without including it.
// clang-format off
#include <sys/types.h>
#include <sys/event.h>
// clang-format on

#include <array>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <type_traits>
#include <utility>

#include "../../config.hpp"

namespace miocpp::sys::kqueue {

/// The record type. `kevent` names both it and the system call, and in C++ the function hides the
/// struct, so the type is only reachable through an elaborated name.
using KEvent = struct ::kevent;

using KEventFilter = decltype(std::declval<KEvent&>().filter);
using KEventFlags = decltype(std::declval<KEvent&>().flags);

/// The change and event counts kevent(2) takes: size_t on NetBSD, int elsewhere.
#if MIOCPP_OS_NETBSD
using KEventCount = std::size_t;
#else
using KEventCount = int;
#endif

/// The filters of Interest::aio and Interest::lio, where the system has them.
#if defined(EVFILT_AIO)
inline constexpr std::optional<long long> aio_filter = EVFILT_AIO;
#else
inline constexpr std::optional<long long> aio_filter;
#endif
#if defined(EVFILT_LIO)
inline constexpr std::optional<long long> lio_filter = EVFILT_LIO;
#else
inline constexpr std::optional<long long> lio_filter;
#endif

/// An EVFILT_* constant in the type of kevent::filter (negative ints on most systems, unsigned on
/// NetBSD).
constexpr KEventFilter kevent_filter(long long filter) noexcept {
  return static_cast<KEventFilter>(filter);
}

/// EV_* bits in the type of kevent::flags.
constexpr KEventFlags kevent_flags(unsigned long long flags) noexcept {
  return static_cast<KEventFlags>(flags);
}

constexpr bool has_kevent_flags(const KEvent& record, unsigned long long flags) noexcept {
  return (static_cast<unsigned long long>(record.flags) & flags) != 0;
}

constexpr bool is_kevent_filter(const KEvent& record, long long filter) noexcept {
  return record.filter == kevent_filter(filter);
}

/// The token stored in udata, whether udata is a pointer or an integer. (A template so that the
/// branch that does not apply is discarded.)
template <class Record>
std::uintptr_t kevent_user_data(const Record& record) noexcept {
  if constexpr (std::is_pointer_v<decltype(record.udata)>) {
    return reinterpret_cast<std::uintptr_t>(record.udata);
  } else {
    return static_cast<std::uintptr_t>(record.udata);
  }
}

template <class Record>
void set_kevent_user_data(Record& record, std::uintptr_t value) noexcept {
  using UserData = decltype(record.udata);
  if constexpr (std::is_pointer_v<UserData>) {
    // NOLINTNEXTLINE(performance-no-int-to-ptr): udata is an opaque word the kernel hands back
    record.udata = reinterpret_cast<UserData>(value);
  } else {
    record.udata = static_cast<UserData>(value);
  }
}

/// One change record; every field the caller does not name is zero (value-initialised, which also
/// clears FreeBSD's and NetBSD's ext[] words).
inline KEvent make_kevent(std::uintptr_t ident, long long filter, unsigned long long flags,
                          std::uintptr_t user_data, unsigned fflags = 0) noexcept {
  KEvent record{};
  record.ident = ident;
  record.filter = kevent_filter(filter);
  record.flags = kevent_flags(flags);
  record.fflags = static_cast<decltype(record.fflags)>(fflags);
  set_kevent_user_data(record, user_data);
  return record;
}

/// The errno an EV_RECEIPT (or failed) change entry carries: 0 when the change was applied.
inline int kevent_receipt_error(const KEvent& receipt) noexcept {
  return has_kevent_flags(receipt, EV_ERROR) ? static_cast<int>(receipt.data) : 0;
}

/// A handful of changes for one kevent call, each with EV_RECEIPT so that the kernel answers every
/// one of them at once (0 or an errno) instead of waiting for events. Lives on the stack: at most
/// one change per filter a registration can use.
class KEventChanges {
 public:
  static constexpr std::size_t capacity = 4;

  void add(std::uintptr_t ident, long long filter, unsigned long long flags,
           std::uintptr_t user_data, unsigned fflags = 0) noexcept {
    records_[count_] = make_kevent(ident, filter, flags | EV_RECEIPT, user_data, fflags);
    errors_[count_] = 0;
    ++count_;
  }

  [[nodiscard]] std::size_t size() const noexcept { return count_; }
  [[nodiscard]] const KEvent& operator[](std::size_t i) const noexcept { return records_[i]; }
  /// The errno the kernel reported for change `i` (0 = applied), after apply().
  [[nodiscard]] int error(std::size_t i) const noexcept { return errors_[i]; }

  /// One kevent call for all the changes. False, with errno set, when the call itself failed.
  ///
  /// EINTR counts as success: FreeBSD's kevent(2) says that a call failing with EINTR has applied
  /// every change (and with receipts filling the event list it never waits, so it hardly happens).
  bool apply(int kq) noexcept {
    std::array<KEvent, capacity> receipts{};
    const int received = ::kevent(kq, records_.data(), static_cast<KEventCount>(count_),
                                  receipts.data(), static_cast<KEventCount>(count_), nullptr);
    if (received < 0) {
      return errno == EINTR;
    }
    // Each receipt is a copy of its change with EV_ERROR set and the errno in data. They come back
    // in order, but matching them by filter does not depend on that (one change per filter).
    for (std::size_t r = 0; r < static_cast<std::size_t>(received) && r < count_; ++r) {
      for (std::size_t i = 0; i < count_; ++i) {
        if (records_[i].filter == receipts[r].filter && records_[i].ident == receipts[r].ident) {
          errors_[i] = kevent_receipt_error(receipts[r]);
          break;
        }
      }
    }
    return true;
  }

 private:
  std::array<KEvent, capacity> records_{};
  std::array<int, capacity> errors_{};
  std::size_t count_ = 0;
};

}  // namespace miocpp::sys::kqueue
