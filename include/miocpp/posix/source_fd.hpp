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
class SourceFd {
 public:
  constexpr explicit SourceFd(int fd) noexcept : fd_(fd) {}

  [[nodiscard]] constexpr int fd() const noexcept { return fd_; }

  void register_source(const Registry& registry, Token token, Interest interest,
                       std::error_code& ec) const noexcept {
    registry.selector().register_fd(fd_, token, interest, ec);
  }
  void reregister(const Registry& registry, Token token, Interest interest,
                  std::error_code& ec) const noexcept {
    registry.selector().reregister_fd(fd_, token, interest, ec);
  }
  void deregister(const Registry& registry, std::error_code& ec) const noexcept {
    registry.selector().deregister_fd(fd_, ec);
  }

 private:
  int fd_;
};

}  // namespace miocpp::posix
