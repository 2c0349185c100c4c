// The echo work of tcp_echo and tcp_echo_threads: one connection, its backlog, and what one event
// does to it (read what arrived, write it back, keep what the socket does not take).
#pragma once

#include <cstddef>
#include <span>
#include <system_error>
#include <utility>
#include <vector>

#include <miocpp/miocpp.hpp>

namespace example {

/// A client of the echo server: its stream, the bytes it sent that the stream has not taken back
/// yet (they wait for the next writable event), and whether it has finished sending.
struct Connection {
  miocpp::net::TcpStream stream;
  std::vector<std::byte> backlog{};
  bool peer_finished = false;  // its end of stream came: close once the backlog is written
};

/// Writes `bytes`, keeping what the socket refuses in the backlog. False on a broken connection.
inline bool send(Connection& connection, std::span<const std::byte> bytes) {
  while (!bytes.empty()) {
    std::error_code ec;
    const std::size_t written = connection.stream.write(bytes, ec);
    if (ec == std::errc::operation_would_block) {
      connection.backlog.insert(connection.backlog.end(), bytes.begin(), bytes.end());
      return true;
    }
    if (ec) {
      return false;
    }
    bytes = bytes.subspan(written);
    if (!bytes.empty()) {  // a short write: the socket is full, and a writable event will come
      connection.backlog.insert(connection.backlog.end(), bytes.begin(), bytes.end());
      return true;
    }
  }
  return true;
}

/// Handles one event for a connection. False when it is finished: broken, or the client has
/// finished sending and every byte it sent has been echoed.
inline bool serve(Connection& connection, const miocpp::Event& event, std::span<std::byte> buffer) {
  if (event.is_writable() && !connection.backlog.empty()) {
    std::vector<std::byte> pending = std::move(connection.backlog);
    connection.backlog.clear();
    if (!send(connection, pending)) {
      return false;
    }
  }
  if (!event.is_readable() || connection.peer_finished) {
    return !(connection.peer_finished && connection.backlog.empty());
  }
  for (;;) {
    std::error_code ec;
    const std::size_t count = connection.stream.read(buffer, ec);
    if (ec == std::errc::operation_would_block) {
      return true;
    }
    if (ec) {
      return false;
    }
    if (count == 0) {  // what was read before the end of stream is echoed before the close
      connection.peer_finished = true;
      return !connection.backlog.empty();
    }
    // Echo in order: behind anything still waiting, else straight from the buffer.
    if (!connection.backlog.empty()) {
      const auto received = buffer.first(count);
      connection.backlog.insert(connection.backlog.end(), received.begin(), received.end());
    } else if (!send(connection, buffer.first(count))) {
      return false;
    }
    // A short read means drained: the next data brings a new event. Unless the client has
    // finished sending: then its end of stream is next, and no event comes for it.
    if (count < buffer.size() && !event.is_read_closed()) {
      return true;
    }
  }
}

}  // namespace example
