// posix::SourceFd: register any raw descriptor.
#pragma once

#include <system_error>

#include "../interest.hpp"
#include "../registry.hpp"
#include "../token.hpp"

namespace miocpp::posix {

/// A non-owning adapter that registers a raw file descriptor: `SourceFd{fd}`. The caller keeps
/// ownership, makes the descriptor non-blocking, and must deregister (or close) it before the
/// descriptor is reused. Registration goes straight to the selector, so the selector's own rules
/// apply: a second registration gives `std::errc::file_exists`, and reregistering or deregistering
/// an unregistered descriptor gives `std::errc::no_such_file_or_directory`.
///
/// On the poll(2) backend (MIOCPP_SELECTOR_POLL) a raw descriptor reports each readiness once and
/// then stays quiet until it is reregistered: the owned sources re-arm themselves when an
/// operation would block, but the I/O on a raw descriptor does not go through miocpp, so its
/// owner must call Registry::reregister after draining it. Reregistering after every drain is
/// correct on every backend. There, too, deregister before closing: the selector forgets a closed
/// descriptor only at its next poll, and until then registering a new descriptor that reuses the
/// number gives `std::errc::file_exists`.
///
/// On Windows, which has no such descriptors, registering reports `std::errc::not_supported`. On
/// WASI it registers descriptors the runtime handed in.
class SourceFd {
 public:
  /// Refers to `fd`, which stays the caller's.
  constexpr explicit SourceFd(int fd) noexcept : fd_(fd) {}

  /// The descriptor.
  [[nodiscard]] constexpr int fd() const noexcept { return fd_; }

  /// Registers the descriptor with the selector (see Registry::register_source).
  void register_source(const Registry& registry, Token token, Interest interest,
                       std::error_code& ec) const noexcept {
    registry.selector().register_fd(fd_, token, interest, ec);
  }
  /// Replaces token and interest, and re-arms the descriptor (see Registry::reregister).
  void reregister(const Registry& registry, Token token, Interest interest,
                  std::error_code& ec) const noexcept {
    registry.selector().reregister_fd(fd_, token, interest, ec);
  }
  /// Removes the registration (see Registry::deregister).
  void deregister(const Registry& registry, std::error_code& ec) const noexcept {
    registry.selector().deregister_fd(fd_, ec);
  }

 private:
  int fd_;
};

}  // namespace miocpp::posix
