// What a batch that stopped on an error after some datagrams reports. A receive batch keeps the
// error for the next batch (DeferredError), since the datagrams before it must be reported first
// and the OS will not say it again; a send batch drops it (sent_before_error), since sending the
// rest again meets it again.
#pragma once

#include <atomic>
#include <cstddef>
#include <system_error>

namespace miocpp::net::detail {

/// One pending error, safe to defer and take from two threads at once (two threads may receive
/// on one socket). The category is stored before the value and read after it, so a taker that
/// sees a value sees its category; every error of one backend has the same category anyway.
class DeferredError {
 public:
  DeferredError() noexcept = default;
  DeferredError(DeferredError&& other) noexcept
      : value_(other.value_.exchange(0)), category_(other.category_.load()) {}
  DeferredError& operator=(DeferredError&& other) noexcept {
    if (this != &other) {
      category_.store(other.category_.load());
      value_.store(other.value_.exchange(0));
    }
    return *this;
  }
  DeferredError(const DeferredError&) = delete;
  DeferredError& operator=(const DeferredError&) = delete;
  ~DeferredError() = default;

  /// Keeps `ec` (not empty) for the next take.
  void defer(const std::error_code& ec) noexcept {
    category_.store(&ec.category(), std::memory_order_relaxed);
    value_.store(ec.value(), std::memory_order_release);
  }

  /// What a receive batch that filled `done` slots and ended on `ec` reports: `done` and no
  /// error when some came, keeping the error that stopped it for the next batch (would-block
  /// only says the queue was drained); otherwise `ec` itself.
  std::size_t keep_after(std::size_t done, std::error_code& ec) noexcept {
    if (done != 0 && ec) {
      if (ec != std::errc::operation_would_block) {
        defer(ec);
      }
      ec.clear();
    }
    return done;
  }

  /// Moves a kept error into `ec` and returns true; false, leaving `ec` alone, when there is
  /// none. One relaxed load when there is none: the common case.
  bool take(std::error_code& ec) noexcept {
    if (value_.load(std::memory_order_relaxed) == 0) {
      return false;
    }
    const int value = value_.exchange(0, std::memory_order_acquire);
    if (value == 0) {
      return false;
    }
    ec.assign(value, *category_.load(std::memory_order_relaxed));
    return true;
  }

 private:
  std::atomic<int> value_{0};
  std::atomic<const std::error_category*> category_{&std::system_category()};
};

/// What a send batch that sent `done` entries and ended on `ec` reports: `done` and no error when
/// some went, as sendmmsg does (the entry that failed fails again when it is sent again);
/// otherwise `ec`.
inline std::size_t sent_before_error(std::size_t done, std::error_code& ec) noexcept {
  if (done != 0) {
    ec.clear();
  }
  return done;
}

}  // namespace miocpp::net::detail
