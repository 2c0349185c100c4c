// The record the WASI selector reports: the __wasi_event_t that poll_oneoff wrote, with the
// registration's token as its userdata.
#pragma once

#include <cstddef>
#include <ostream>
#include <system_error>

#include <wasi/api.h>

#include "../../token.hpp"
#include "../common/debug_flags.hpp"
#include "../common/event_buffer.hpp"
#include "error.hpp"

namespace miocpp::sys::wasi {

/// One subscription that fired. An FD_READ subscription reports readable, an FD_WRITE one
/// writable; the HANGUP flag on either closes that direction. A subscription the runtime could
/// not watch comes back with `error` set: then the event is an error event, neither readable nor
/// writable, and debug_details names the error.
struct Event {
  ::__wasi_event_t raw;

  [[nodiscard]] Token token() const noexcept {
    return Token(static_cast<std::size_t>(raw.userdata));
  }
  [[nodiscard]] bool is_readable() const noexcept {
    return raw.type == __WASI_EVENTTYPE_FD_READ && !is_error();
  }
  [[nodiscard]] bool is_writable() const noexcept {
    return raw.type == __WASI_EVENTTYPE_FD_WRITE && !is_error();
  }
  [[nodiscard]] bool is_error() const noexcept { return raw.error != __WASI_ERRNO_SUCCESS; }
  [[nodiscard]] bool is_read_closed() const noexcept {
    return raw.type == __WASI_EVENTTYPE_FD_READ && hung_up();
  }
  [[nodiscard]] bool is_write_closed() const noexcept {
    return raw.type == __WASI_EVENTTYPE_FD_WRITE && hung_up();
  }
  [[nodiscard]] bool is_priority() const noexcept { return false; }
  [[nodiscard]] bool is_aio() const noexcept { return false; }
  [[nodiscard]] bool is_lio() const noexcept { return false; }

  void debug_details(std::ostream& os) const {
    os << "__wasi_event_t { userdata: " << raw.userdata << ", error: " << raw.error;
    if (is_error()) {
      os << " (" << errno_code(raw.error).message() << ')';
    }
    os << ", type: ";
    switch (raw.type) {
      case __WASI_EVENTTYPE_CLOCK:
        os << "CLOCK";
        break;
      case __WASI_EVENTTYPE_FD_READ:
        os << "FD_READ";
        break;
      case __WASI_EVENTTYPE_FD_WRITE:
        os << "FD_WRITE";
        break;
      default:
        os << static_cast<unsigned>(raw.type);
        break;
    }
    // nbytes is a hint that not every runtime fills in (Node leaves it 0).
    os << ", fd_readwrite: { nbytes: " << raw.fd_readwrite.nbytes << ", flags: ";
    common::print_flags(os, raw.fd_readwrite.flags,
                        {{__WASI_EVENTRWFLAGS_FD_READWRITE_HANGUP, "FD_READWRITE_HANGUP"}});
    os << " } }";
  }

 private:
  [[nodiscard]] bool hung_up() const noexcept {
    return (raw.fd_readwrite.flags & __WASI_EVENTRWFLAGS_FD_READWRITE_HANGUP) != 0;
  }
};

using Events = common::EventBuffer<Event>;

}  // namespace miocpp::sys::wasi
