// The re-arm rule of the selectors that emulate edge triggering over level-triggered readiness
// (poll(2), WASI's poll_oneoff): a registration is armed again when an operation would block. One
// IoSourceState for both.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <system_error>
#include <utility>

#include "../../interest.hpp"
#include "../../token.hpp"
#include "shared_table_selector.hpp"
#include "short_io.hpp"
#include "weak_registration.hpp"

namespace miocpp::sys::common {

/// The per-source half of the edge-triggered emulation: an owned socket or pipe end remembers its
/// registration, so that an operation that would block re-arms it (the readiness it reported has
/// been used up, and only now may the next one be reported), and so that destroying the source
/// removes it before its descriptor is closed and its number reused.
///
/// It holds the selector's table weakly (WeakRegistration): a source does not keep a Poll's
/// descriptors open, and once the Poll and its registries are gone there is nothing left to
/// re-arm or remove.
template <SharedTable Table>
class RearmOnBlock {
 public:
  using Selector = SharedTableSelector<Table>;

  /// Runs one I/O call; if it would block, the registration is armed again.
  template <class Operation>
  decltype(auto) do_io(Operation&& operation, std::error_code& ec) noexcept {
    decltype(auto) result = std::forward<Operation>(operation)(ec);
    if (ec == std::errc::operation_would_block) {
      rearm();
    }
    return result;
  }

  /// Runs one stream read or write of `requested` bytes; if it would block, or moved fewer bytes
  /// than requested (and some), the registration is armed again: a short stream read means the
  /// source is drained and a short write that its buffer is full, so the readiness reported has
  /// been used up as surely as by a would-block, and the next event may come.
  template <class Operation>
  std::size_t do_stream_io(Operation&& operation, std::size_t requested,
                           std::error_code& ec) noexcept {
    const std::size_t done = std::forward<Operation>(operation)(ec);
    if (stream_readiness_used_up(done, requested, ec)) {
      rearm();
    }
    return done;
  }

  void register_source(const Selector& selector, int fd, Token token, Interest interest,
                       std::error_code& ec) noexcept {
    const std::shared_ptr<Table>& table = selector.table();
    if (!table) {
      ec = std::make_error_code(std::errc::bad_file_descriptor);
      return;
    }
    if (registration_.is_live()) {
      ec = std::make_error_code(std::errc::file_exists);
      return;
    }
    const std::uint64_t id = table->add(fd, token, interest, ec);
    if (!ec) {
      registration_.record(table, fd, id);
    }
  }

  void reregister(const Selector& selector, int fd, Token token, Interest interest,
                  std::error_code& ec) noexcept {
    selector.reregister_fd(fd, token, interest, ec);
  }

  void deregister(const Selector& selector, int fd, std::error_code& ec) noexcept {
    selector.deregister_fd(fd, ec);
    forget();
  }

  /// Drops the record without deregistering: the registration stays with the descriptor, whose
  /// new owner takes it over (IoSource::release). From then on only a reregistration re-arms it.
  void forget() noexcept { registration_.forget(); }

 private:
  void rearm() const noexcept {
    registration_.with_state([](Table& table, int fd, std::uint64_t id) { table.rearm(fd, id); });
  }

  struct Removal {
    static void remove(Table& table, int fd, std::uint64_t id) noexcept {
      table.remove_registration(fd, id);
    }
  };

  // The table's id for the registration is its key (0 while not registered).
  WeakRegistration<Table, std::uint64_t, Removal> registration_;
};

}  // namespace miocpp::sys::common
