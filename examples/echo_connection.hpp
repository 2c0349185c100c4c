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

/// A client of the echo server: its stream, and the bytes it sent that the stream has not taken
/// back yet (they wait for the next writable event).
struct Connection {
  miocpp::net::TcpStream stream;
  std::vector<std::byte> backlog;
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

/// Handles one event for a connection. False when it is finished.
inline bool serve(Connection& connection, const miocpp::Event& event, std::span<std::byte> buffer) {
  if (event.is_writable() && !connection.backlog.empty()) {
    std::vector<std::byte> pending = std::move(connection.backlog);
    connection.backlog.clear();
    if (!send(connection, pending)) {
      return false;
    }
  }
  if (!event.is_readable()) {
    return true;
  }
  for (;;) {
    std::error_code ec;
    const std::size_t count = connection.stream.read(buffer, ec);
    if (ec == std::errc::operation_would_block) {
      return true;
    }
    if (ec || count == 0) {
      return false;
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
