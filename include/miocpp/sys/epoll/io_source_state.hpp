// Per-source state of the epoll selector: where its registration lives, so that destroying the
// source ends the registration even while its open file lives on elsewhere.
#pragma once

#include <system_error>

#include "../../interest.hpp"
#include "../../token.hpp"
#include "../common/plain_io.hpp"
#include "../common/weak_registration.hpp"
#include "selector.hpp"

namespace miocpp::sys::epoll {

/// epoll keeps edge-triggered registrations (EPOLLET) armed by itself, so I/O needs no
/// bookkeeping. But epoll keys a registration to the open file, not to the descriptor: once the
/// socket is shared (a dup, a fork()ed child, a descriptor sent over SCM_RIGHTS), closing this
/// descriptor leaves the registration in place, and the Poll would go on reporting the token of a
/// source that no longer exists. So a registered source remembers its queue, weakly (a source does
/// not keep a Poll alive), and deletes its registration before its descriptor is closed: one
/// epoll_ctl per close of a registered source, as libuv does. Nothing is added to I/O.
class IoSourceState : public common::PlainIo {
 public:
  void register_source(const Selector& selector, int fd, Token token, Interest interest,
                       std::error_code& ec) noexcept {
    selector.register_fd(fd, token, interest, ec);
    if (!ec) {
      registration_.record(selector.queue(), fd, {});
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
  /// new owner takes it over (IoSource::release).
  void forget() noexcept { registration_.forget(); }

 private:
  // epoll names a registration by its descriptor alone: no key.
  struct NoKey {};
  struct Removal {
    static void remove(const posix::FileDescriptor& queue, int fd, NoKey /*key*/) noexcept {
      std::error_code ignored;  // the descriptor may have left the set already: nothing to do
      Selector::remove(queue.native_handle(), fd, ignored);
    }
  };

  common::WeakRegistration<const posix::FileDescriptor, NoKey, Removal> registration_;
};

}  // namespace miocpp::sys::epoll
