// The Selector of the backends that keep their own registration table and hand it to a stateless
// wait (poll(2), WASI's poll_oneoff): a handle on that table, shared by every clone.
#pragma once

#include <chrono>
#include <concepts>
#include <cstdint>
#include <memory>
#include <optional>
#include <system_error>
#include <type_traits>
#include <utility>

#include "../../config.hpp"
#include "../../interest.hpp"
#include "../../token.hpp"
#include "move_only.hpp"
#include "try_make_shared.hpp"

namespace miocpp::sys::common {

/// What such a backend's table offers. add answers the registration's id, which the per-source
/// state (RearmOnBlock) names later to re-arm the registration or to remove it.
template <class T>
concept SharedTable = std::is_constructible_v<T, std::error_code&> &&
    requires(T& table, typename T::Events& events, std::optional<std::chrono::nanoseconds> timeout,
             int fd, Token token, Interest interest, std::uint64_t id, std::error_code& ec) {
  { table.add(fd, token, interest, ec) }
  noexcept->std::same_as<std::uint64_t>;
  { table.modify(fd, token, interest, ec) }
  noexcept->std::same_as<void>;
  { table.remove(fd, ec) }
  noexcept->std::same_as<void>;
  { table.rearm(fd, id) }
  noexcept->std::same_as<void>;
  { table.remove_registration(fd, id) }
  noexcept->std::same_as<void>;
  { table.select(events, timeout, ec) }
  noexcept->std::same_as<void>;
};

/// A table that can watch a Waker's descriptor (poll(2)'s; WASI has no Waker).
template <class T>
concept WakerTable = requires(T& table, int fd, Token token, std::error_code& ec) {
  { table.register_waker(fd, token, ec) }
  noexcept->std::same_as<void>;
};

/// concepts::Selector over a `Table`; clones share it (try_clone copies the pointer, no
/// descriptor). Move-only: a clone is made on purpose, with try_clone.
template <SharedTable Table>
class SharedTableSelector : MoveOnly {
 public:
  using Events = typename Table::Events;

  /// An empty selector: every call on it fails with EBADF.
  SharedTableSelector() noexcept = default;

  explicit SharedTableSelector(std::error_code& ec) noexcept {
    // The table reports a failure to set itself up through the same `ec`.
    auto table = try_make_shared<Table>(ec, ec);
    if (!ec) {
      table_ = std::move(table);
    }
  }

  /// Another handle on the same registrations.
  [[nodiscard]] SharedTableSelector try_clone(std::error_code& ec) const noexcept {
    SharedTableSelector clone;
    if (usable(ec)) {
      clone.table_ = table_;
      ec.clear();
    }
    return clone;
  }

  void select(Events& events, std::optional<std::chrono::nanoseconds> timeout,
              std::error_code& ec) const noexcept {
    if (!usable(ec)) {
      events.clear();
      return;
    }
    table_->select(events, timeout, ec);
  }

  /// Registers a raw descriptor (posix::SourceFd). Nothing re-arms it after an event but a
  /// reregistration: its owner does its own I/O.
  void register_fd(int fd, Token token, Interest interest, std::error_code& ec) const noexcept {
    if (usable(ec)) {
      (void)table_->add(fd, token, interest, ec);
    }
  }

  void reregister_fd(int fd, Token token, Interest interest, std::error_code& ec) const noexcept {
    if (usable(ec)) {
      table_->modify(fd, token, interest, ec);
    }
  }

  void deregister_fd(int fd, std::error_code& ec) const noexcept {
    if (usable(ec)) {
      table_->remove(fd, ec);
    }
  }

  /// Watches a Waker's descriptor `fd` as the table sees fit (poll(2): always armed, drained by
  /// the selector whenever it reports it).
  void register_waker(int fd, Token token,
                      std::error_code& ec) const noexcept requires WakerTable<Table> {
    if (usable(ec)) {
      table_->register_waker(fd, token, ec);
    }
  }

  /// The table, for the per-source state that re-arms and removes its registration in it; null
  /// for an empty selector.
  [[nodiscard]] const std::shared_ptr<Table>& table() const noexcept { return table_; }

 private:
  bool usable(std::error_code& ec) const noexcept {
    if (!table_) {
      ec = std::make_error_code(std::errc::bad_file_descriptor);
      return false;
    }
    return true;
  }

  std::shared_ptr<Table> table_;
};

}  // namespace miocpp::sys::common
