// Portable POSIX waker: a self-pipe whose read end is registered for reading.
#pragma once

#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstddef>
#include <system_error>

#include "../../../interest.hpp"
#include "../../../token.hpp"
#include "../error.hpp"
#include "../pipe.hpp"

namespace miocpp::sys::pipe_waker {

class Waker {
 public:
  Waker() noexcept = default;

  template <class Selector>
  Waker(const Selector& selector, Token token, std::error_code& ec) noexcept
      : ends_(posix::open_pipe(ec)) {
    if (ec) {
      return;
    }
    // A level-triggered selector (poll(2)) keeps the read end armed and empties it after each
    // report (register_waker); an edge-triggered one sees every write as a new edge.
    if constexpr (requires {
                    selector.register_waker(ends_.read_end.native_handle(), token, ec);
                  }) {
      selector.register_waker(ends_.read_end.native_handle(), token, ec);
    } else {
      selector.register_fd(ends_.read_end.native_handle(), token, Interest::readable, ec);
    }
    if (ec) {
      ends_ = {};
    }
  }

  /// Writes one byte. With an edge-triggered selector every write is a new edge, so the bytes are
  /// left unread; when the pipe is full (many wakes that no poll has consumed) the waker drains it
  /// and writes again.
  void wake(std::error_code& ec) const noexcept {
    bool written = write_byte();
    if (!written && errno == EAGAIN) {
      drain();
      written = write_byte();
    }
    if (!written) {
      ec = posix::last_error();
      return;
    }
    ec.clear();
  }

  /// Empties the pipe.
  void drain() const noexcept {
    std::array<std::byte, 4096> sink{};
    while (::read(ends_.read_end.native_handle(), sink.data(), sink.size()) > 0) {
    }
  }

 private:
  [[nodiscard]] bool write_byte() const noexcept {
    const std::byte byte{1};
    return ::write(ends_.write_end.native_handle(), &byte, 1) == 1;
  }

  posix::PipeEnds ends_;
};

}  // namespace miocpp::sys::pipe_waker
