// The record the poll(2) selector reports: a token and the revents poll(2) wrote for it.
#pragma once

#include <poll.h>

#include <cstddef>
#include <ostream>

#include "../../token.hpp"
#include "../common/debug_flags.hpp"
#include "../common/event_buffer.hpp"

namespace miocpp::sys::poll {

// POLLRDHUP (a peer's shutdown of its writing side) is Linux's; elsewhere it is 0 and a peer's
// shutdown shows as readable end of file.
#if defined(POLLRDHUP)
inline constexpr short pollrdhup = POLLRDHUP;
#else
inline constexpr short pollrdhup = 0;
#endif

/// One ready descriptor. poll(2) fills an array of pollfd, not of events, so the selector copies
/// the token and revents of each ready one here.
struct Event {
  std::size_t token_value;
  short revents;

  [[nodiscard]] Token token() const noexcept { return Token(token_value); }

  // The same readings as mio's poll selector: a hang-up closes both halves, and a pipe's write
  // end whose reader is gone reports POLLERR (with POLLOUT when there is room).
  [[nodiscard]] bool is_readable() const noexcept { return any(POLLIN | POLLPRI); }
  [[nodiscard]] bool is_writable() const noexcept { return any(POLLOUT); }
  [[nodiscard]] bool is_error() const noexcept { return any(POLLERR); }
  [[nodiscard]] bool is_read_closed() const noexcept { return any(POLLHUP | pollrdhup); }
  [[nodiscard]] bool is_write_closed() const noexcept {
    return any(POLLHUP) || (any(POLLOUT) && any(POLLERR)) || revents == POLLERR;
  }
  [[nodiscard]] bool is_priority() const noexcept { return any(POLLPRI); }
  [[nodiscard]] bool is_aio() const noexcept { return false; }
  [[nodiscard]] bool is_lio() const noexcept { return false; }

  void debug_details(std::ostream& os) const {
    os << "pollfd { revents: ";
    common::print_flags(os, static_cast<unsigned short>(revents),
                        {{POLLIN, "POLLIN"},
                         {POLLPRI, "POLLPRI"},
                         {POLLOUT, "POLLOUT"},
                         {POLLRDNORM, "POLLRDNORM"},
                         {POLLRDBAND, "POLLRDBAND"},
                         {POLLWRNORM, "POLLWRNORM"},
                         {POLLWRBAND, "POLLWRBAND"},
                         {POLLERR, "POLLERR"},
                         {POLLHUP, "POLLHUP"},
                         {POLLNVAL, "POLLNVAL"},
                         {static_cast<unsigned short>(pollrdhup), "POLLRDHUP"}});
    os << ", token: " << token_value << " }";
  }

 private:
  [[nodiscard]] bool any(int mask) const noexcept { return (revents & mask) != 0; }
};

using Events = common::EventBuffer<Event>;

}  // namespace miocpp::sys::poll
