// PlainIo: the I/O half of the per-source state of a backend whose kernel keeps registrations
// edge-triggered by itself (epoll, kqueue), or that has nothing to re-arm (unsupported): every
// operation is just the call.
#pragma once

#include <cstddef>
#include <system_error>
#include <utility>

namespace miocpp::sys::common {

/// do_io and do_stream_io as plain calls. On epoll (EPOLLET) and kqueue (EV_CLEAR) every new
/// arrival of data or of room is a new edge, whether or not the last operation would block, so a
/// short stream read or write needs nothing more from miocpp for the next event to come.
struct PlainIo {
  template <class Operation>
  decltype(auto) do_io(Operation&& operation, std::error_code& ec) noexcept {
    return std::forward<Operation>(operation)(ec);
  }

  template <class Operation>
  std::size_t do_stream_io(Operation&& operation, std::size_t /*requested*/,
                           std::error_code& ec) noexcept {
    return std::forward<Operation>(operation)(ec);
  }
};

}  // namespace miocpp::sys::common
