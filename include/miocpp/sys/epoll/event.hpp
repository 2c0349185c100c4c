// The record the epoll selector reports: one epoll_event as the kernel wrote it.
#pragma once

#include <sys/epoll.h>

#include <cstddef>
#include <cstdint>
#include <ostream>

#include "../../token.hpp"
#include "../common/debug_flags.hpp"
#include "../common/event_buffer.hpp"

namespace miocpp::sys::epoll {

/// The token lives in `data.u64`.
struct Event {
  ::epoll_event raw;

  [[nodiscard]] Token token() const noexcept {
    return Token(static_cast<std::size_t>(raw.data.u64));
  }

  // The conversions below are mio's: epoll reports a peer's shutdown and a pipe's lost end in
  // several ways, and these are the combinations that mean what the name says.
  [[nodiscard]] bool is_readable() const noexcept { return any(EPOLLIN | EPOLLPRI); }
  [[nodiscard]] bool is_writable() const noexcept { return any(EPOLLOUT); }
  [[nodiscard]] bool is_error() const noexcept { return any(EPOLLERR); }
  [[nodiscard]] bool is_read_closed() const noexcept {
    // Both halves closed, or FIN received / shutdown(SHUT_RD) while readable.
    return any(EPOLLHUP) || (any(EPOLLIN) && any(EPOLLRDHUP));
  }
  [[nodiscard]] bool is_write_closed() const noexcept {
    // Both halves closed, or a pipe's write end whose reader is gone (EPOLLOUT|EPOLLERR, or
    // EPOLLERR alone).
    return any(EPOLLHUP) || (any(EPOLLOUT) && any(EPOLLERR)) || raw.events == EPOLLERR;
  }
  [[nodiscard]] bool is_priority() const noexcept { return any(EPOLLPRI); }
  [[nodiscard]] bool is_aio() const noexcept { return false; }
  [[nodiscard]] bool is_lio() const noexcept { return false; }

  void debug_details(std::ostream& os) const {
    os << "epoll_event { events: ";
    common::print_flags(os, raw.events,
                        {{EPOLLIN, "EPOLLIN"},
                         {EPOLLPRI, "EPOLLPRI"},
                         {EPOLLOUT, "EPOLLOUT"},
                         {EPOLLRDNORM, "EPOLLRDNORM"},
                         {EPOLLRDBAND, "EPOLLRDBAND"},
                         {EPOLLWRNORM, "EPOLLWRNORM"},
                         {EPOLLWRBAND, "EPOLLWRBAND"},
                         {EPOLLMSG, "EPOLLMSG"},
                         {EPOLLERR, "EPOLLERR"},
                         {EPOLLHUP, "EPOLLHUP"},
                         {EPOLLRDHUP, "EPOLLRDHUP"}});
    os << ", u64: " << raw.data.u64 << " }";
  }

 private:
  [[nodiscard]] bool any(std::uint32_t mask) const noexcept { return (raw.events & mask) != 0; }
};

using Events = common::EventBuffer<Event>;

}  // namespace miocpp::sys::epoll
