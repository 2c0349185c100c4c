// How wakes coalesce on Windows: a selector keeps at most one wake-up packet queued on its
// completion port, so any number of wake() calls before a select report one event (mio would
// report one per wake).
#pragma once

#include <atomic>
#include <system_error>

#include "../../token.hpp"
#include "afd/poll.hpp"
#include "iocp.hpp"
#include "windows.hpp"

namespace miocpp::sys::windows {

/// The selector's wake-up packet. It carries the Waker's token as its completion key and no
/// OVERLAPPED, which is how the selector tells it from I/O completions; it reads as readable.
class WakePacket {
 public:
  [[nodiscard]] static bool is_wake(const OVERLAPPED_ENTRY& entry) noexcept {
    return entry.lpOverlapped == nullptr;
  }

  /// Posts the packet for `token` unless one is queued already.
  void post(const CompletionPort& port, Token token, std::error_code& ec) noexcept {
    if (posted_.exchange(true, std::memory_order_acq_rel)) {
      ec.clear();
      return;
    }
    port.post(afd::poll_receive, static_cast<ULONG_PTR>(token.value), nullptr, ec);
    if (ec) {
      posted_.store(false, std::memory_order_release);
    }
  }

  /// The selector dequeued the packet. Called before its event is reported, so a wake() from
  /// then on posts again and is seen by a later select.
  void taken() noexcept { posted_.store(false, std::memory_order_release); }

 private:
  std::atomic<bool> posted_{false};
};

}  // namespace miocpp::sys::windows
