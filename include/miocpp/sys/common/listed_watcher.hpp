// The ownership of a signal watcher that a process-wide table lists for its handler (POSIX's
// SignalTable, Windows' ConsoleTable): written once, because getting it wrong lets a handler
// read a freed watcher.
#pragma once

#include <memory>
#include <new>
#include <span>
#include <system_error>
#include <utility>

namespace miocpp::sys::common {

/// Owns one `Watcher` (a SignalCounts with the OS's wake handle) and, once publish() succeeded,
/// its place in `table`; reset(), destruction and move assignment take it out of the table before
/// freeing it (Table::remove waits for a running handler).
template <class Watcher, auto& table>
class ListedWatcher {
 public:
  ListedWatcher() noexcept = default;
  ListedWatcher(ListedWatcher&& other) noexcept
      : watcher_(std::move(other.watcher_)), listed_(std::exchange(other.listed_, false)) {}
  ListedWatcher& operator=(ListedWatcher&& other) noexcept {
    if (this != &other) {
      reset();
      watcher_ = std::move(other.watcher_);
      listed_ = std::exchange(other.listed_, false);
    }
    return *this;
  }
  ListedWatcher(const ListedWatcher&) = delete;
  ListedWatcher& operator=(const ListedWatcher&) = delete;
  ~ListedWatcher() { reset(); }

  /// A new watcher of `signals`, not listed yet; `slot_of` as for SignalCounts::watch.
  /// `std::errc::not_enough_memory`, or invalid_argument for a signal it cannot watch.
  template <class SlotOf>
  static ListedWatcher create(std::span<const int> signals, SlotOf slot_of,
                              std::error_code& ec) noexcept {
    ListedWatcher result;
    result.watcher_.reset(new (std::nothrow) Watcher);
    if (!result.watcher_) {
      ec = std::make_error_code(std::errc::not_enough_memory);
      return {};
    }
    result.watcher_->watch(signals, slot_of, ec);
    if (ec) {
      return {};
    }
    return result;
  }

  /// Lists the watcher (its wake handle set) in the table, for the handler to count and wake. On
  /// error it is not listed.
  void publish(std::error_code& ec) noexcept {
    table.add(*watcher_, ec);
    listed_ = !ec;
  }

  /// Takes the watcher out of the table (if it is listed) and frees it.
  void reset() noexcept {
    if (listed_ && watcher_) {  // listed_ implies watcher_; said for the optimiser's sake
      table.remove(*watcher_);
      listed_ = false;
    }
    watcher_.reset();
  }

  [[nodiscard]] explicit operator bool() const noexcept { return watcher_ != nullptr; }
  Watcher* operator->() const noexcept { return watcher_.get(); }
  Watcher& operator*() const noexcept { return *watcher_; }

 private:
  std::unique_ptr<Watcher> watcher_;
  bool listed_ = false;  // publish() succeeded: the table may read *watcher_
};

}  // namespace miocpp::sys::common
