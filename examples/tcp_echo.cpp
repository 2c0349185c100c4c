// A TCP echo server built for load tests: one thread, one 64 KiB buffer, connections in a slab
// indexed by token, and nothing printed per message. Usage: tcp_echo [address]
// (default 127.0.0.1:9001). Bytes that the socket cannot take at once wait in a per-connection
// backlog until the next writable event.
#include <array>
#include <cstddef>
#include <iostream>
#include <span>
#include <system_error>
#include <vector>

#include "support.hpp"
#include <miocpp/miocpp.hpp>

namespace {

constexpr miocpp::Token server_token{0};

struct Connection {
  miocpp::net::TcpStream stream;
  std::vector<std::byte> backlog;
};

/// Connections by token - 1; closed slots are reused.
class Slab {
 public:
  std::size_t insert(Connection connection) {
    if (free_.empty()) {
      slots_.push_back(std::move(connection));
      return slots_.size() - 1;
    }
    const std::size_t index = free_.back();
    free_.pop_back();
    slots_[index] = std::move(connection);
    return index;
  }
  Connection& at(std::size_t index) { return slots_[index]; }
  Connection* find(std::size_t index) {
    return index < slots_.size() && slots_[index].stream.native_handle() >= 0 ? &slots_[index]
                                                                              : nullptr;
  }
  void erase(std::size_t index) {
    slots_[index] = Connection{};
    free_.push_back(index);
  }

 private:
  std::vector<Connection> slots_;
  std::vector<std::size_t> free_;
};

/// Writes `bytes`, keeping what the socket refuses in the backlog. False on a broken connection.
bool send(Connection& connection, std::span<const std::byte> bytes) {
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
bool serve(Connection& connection, const miocpp::Event& event, std::span<std::byte> buffer) {
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

}  // namespace

int main(int argc, char** argv) {
  std::error_code ec;
  miocpp::Poll poll(ec);
  example::check(ec, "poll");
  miocpp::Events events(1024);
  auto server =
      miocpp::net::TcpListener::bind(example::address_argument(argc, argv, "127.0.0.1:9001"), ec);
  example::check(ec, "bind");
  poll.registry().register_source(server, server_token, miocpp::Interest::readable, ec);
  example::check(ec, "register");
  std::cout << "listening on " << server.local_addr(ec) << std::endl;

  Slab connections;
  std::vector<std::byte> buffer(64 * 1024);
  for (;;) {
    poll.poll(events, std::nullopt, ec);
    if (ec == std::errc::interrupted) {
      continue;
    }
    example::check(ec, "poll");
    for (const miocpp::Event& event : events) {
      if (event.token() == server_token) {
        for (;;) {
          auto [stream, peer] = server.accept(ec);
          if (ec) {
            break;  // would block: all accepted (or out of descriptors: retry on the next event)
          }
          stream.set_nodelay(true, ec);
          const std::size_t index = connections.insert(Connection{std::move(stream), {}});
          Connection& added = connections.at(index);
          poll.registry().register_source(added.stream, miocpp::Token{index + 1},
                                          miocpp::Interest::readable | miocpp::Interest::writable,
                                          ec);
          if (ec) {
            connections.erase(index);
          }
        }
        continue;
      }
      const std::size_t index = event.token().value - 1;
      if (Connection* connection = connections.find(index)) {
        if (!serve(*connection, event, buffer)) {
          connections.erase(index);
        }
      }
    }
  }
}
