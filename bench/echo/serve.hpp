// The echo work of the readiness-based servers (hand-written epoll, miocpp, libevent, libev),
// written once so that they differ only in how readiness reaches it.
#pragma once

#include <sys/socket.h>

#include <cerrno>
#include <concepts>
#include <cstddef>
#include <span>

#include "backlog.hpp"

namespace echo {

/// What one read or write did: moved `count` bytes, or would block, or the connection is over
/// (an error, or the peer closed it).
struct Io {
  enum class Status { done, would_block, closed };
  Status status;
  std::size_t count;
};

/// When a loop stops reading or writing: at the first call that would block (mio's rule, and what
/// every readiness library's own documentation asks), or already at a short read or write (fewer
/// bytes than asked: drained, or full), which miocpp guarantees brings the next event all the same
/// and epoll does by itself.
enum class Stop { at_would_block, at_short };

/// Anything that reads and writes a connected socket without blocking.
template <class S>
concept Socket = requires(S& socket, std::span<std::byte> in, std::span<const std::byte> out) {
  { socket.read(in) } -> std::same_as<Io>;
  { socket.write(out) } -> std::same_as<Io>;
};

/// Writes `bytes`; what the socket does not take goes to the backlog. False when closed.
template <Stop stop, Socket S>
bool send(S& socket, std::span<const std::byte> bytes, Backlog& backlog) {
  while (!bytes.empty()) {
    const Io io = socket.write(bytes);
    if (io.status == Io::Status::would_block) {
      backlog.keep(bytes);
      return true;
    }
    if (io.status == Io::Status::closed) {
      return false;
    }
    bytes = bytes.subspan(io.count);
    if (stop == Stop::at_short && !bytes.empty()) {
      backlog.keep(bytes);  // short: the socket is full
      return true;
    }
  }
  return true;
}

/// Handles one readiness event: writes the backlog out first, then (when `readable`, or when the
/// backlog just drained and reading had stopped) reads until `stop`, writing back each read at
/// once. `peer_done` is the event's word that the peer has finished sending: its end of stream is
/// then read even after a short read. Returns false when the connection is over.
template <Stop stop, Socket S>
bool serve(S& socket, Backlog& backlog, std::span<std::byte> buffer, bool readable,
           bool peer_done) {
  if (!backlog.empty()) {
    while (!backlog.empty()) {
      const Io io = socket.write(backlog.rest());
      if (io.status == Io::Status::would_block) {
        return true;
      }
      if (io.status == Io::Status::closed) {
        return false;
      }
      const bool short_write = io.count < backlog.rest().size();
      backlog.consume(io.count);
      if (stop == Stop::at_short && short_write) {
        return true;
      }
    }
    // Reading stopped while the backlog waited; what arrived meanwhile raised no new edge.
    readable = true;
  }
  if (!readable) {
    return true;
  }
  for (;;) {
    const Io io = socket.read(buffer);
    if (io.status == Io::Status::would_block) {
      return true;
    }
    if (io.status == Io::Status::closed || io.count == 0) {
      return false;
    }
    if (!send<stop>(socket, buffer.first(io.count), backlog)) {
      return false;
    }
    if (!backlog.empty()) {
      return true;
    }
    if (stop == Stop::at_short && io.count < buffer.size() && !peer_done) {
      return true;  // short: drained
    }
  }
}

/// A socket descriptor with the system calls a careful hand-written server uses: recv, and send
/// with MSG_NOSIGNAL (no SIGPIPE) -- the same two that miocpp's TcpStream makes.
class RawSocket {
 public:
  explicit RawSocket(int fd) noexcept : fd_(fd) {}
  [[nodiscard]] int fd() const noexcept { return fd_; }

  Io read(std::span<std::byte> buffer) const noexcept {
    return result(::recv(fd_, buffer.data(), buffer.size(), 0));
  }
  Io write(std::span<const std::byte> bytes) const noexcept {
    return result(::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL));
  }

 private:
  static Io result(ssize_t count) noexcept {
    if (count >= 0) {
      return {Io::Status::done, static_cast<std::size_t>(count)};
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      return {Io::Status::would_block, 0};
    }
    return {Io::Status::closed, 0};
  }

  int fd_;
};

}  // namespace echo
