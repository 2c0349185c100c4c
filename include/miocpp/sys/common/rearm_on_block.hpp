// The re-arm rule of the selectors that emulate edge triggering over level-triggered readiness
// (poll(2), WASI's poll_oneoff): a registration is armed again when an operation would block. One
// IoSourceState for both.
#pragma once

#include <cstdint>
#include <memory>
#include <system_error>
#include <utility>

#include "../../interest.hpp"
#include "../../token.hpp"
#include "shared_table_selector.hpp"

namespace miocpp::sys::common {

/// The per-source half of the edge-triggered emulation: an owned socket or pipe end remembers its
/// registration, so that an operation that would block re-arms it (the readiness it reported has
/// been used up, and only now may the next one be reported), and so that destroying the source
/// removes it before its descriptor is closed and its number reused.
///
/// It holds the selector's table weakly: a source does not keep a Poll's descriptors open, and once
/// the Poll and its registries are gone there is nothing left to re-arm or remove.
template <SharedTable Table>
class RearmOnBlock {
 public:
  using Selector = SharedTableSelector<Table>;

  RearmOnBlock() noexcept = default;
  RearmOnBlock(RearmOnBlock&& other) noexcept
      : table_(std::move(other.table_)),
        fd_(std::exchange(other.fd_, -1)),
        registration_(std::exchange(other.registration_, 0)) {}
  RearmOnBlock& operator=(RearmOnBlock&& other) noexcept {
    if (this != &other) {
      remove();
      table_ = std::move(other.table_);
      fd_ = std::exchange(other.fd_, -1);
      registration_ = std::exchange(other.registration_, 0);
    }
    return *this;
  }
  RearmOnBlock(const RearmOnBlock&) = delete;
  RearmOnBlock& operator=(const RearmOnBlock&) = delete;
  ~RearmOnBlock() { remove(); }

  /// Runs one I/O call; if it would block, the registration is armed again.
  template <class Operation>
  decltype(auto) do_io(Operation&& operation, std::error_code& ec) noexcept {
    decltype(auto) result = std::forward<Operation>(operation)(ec);
    if (ec == std::errc::operation_would_block) {
      rearm();
    }
    return result;
  }

  void register_source(const Selector& selector, int fd, Token token, Interest interest,
                       std::error_code& ec) noexcept {
    const std::shared_ptr<Table>& table = selector.table();
    if (!table) {
      ec = std::make_error_code(std::errc::bad_file_descriptor);
      return;
    }
    if (registration_ != 0 && !table_.expired()) {
      ec = std::make_error_code(std::errc::file_exists);
      return;
    }
    const std::uint64_t registration = table->add(fd, token, interest, ec);
    if (ec) {
      return;
    }
    table_ = table;
    fd_ = fd;
    registration_ = registration;
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
  void forget() noexcept {
    table_.reset();
    fd_ = -1;
    registration_ = 0;
  }

 private:
  void rearm() const noexcept {
    if (registration_ != 0) {
      if (const std::shared_ptr<Table> table = table_.lock()) {
        table->rearm(fd_, registration_);
      }
    }
  }

  void remove() noexcept {
    if (registration_ != 0) {
      if (const std::shared_ptr<Table> table = table_.lock()) {
        table->remove_registration(fd_, registration_);
      }
    }
    forget();
  }

  std::weak_ptr<Table> table_;
  int fd_ = -1;
  std::uint64_t registration_ = 0;  // the table's id for it; 0 while not registered
};

}  // namespace miocpp::sys::common
