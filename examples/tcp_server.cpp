// A TCP server that greets every client and echoes back whatever it sends, with many clients at
// once on one thread. Usage: tcp_server [address]   (default 127.0.0.1:9000)
//
//   $ socat - TCP:127.0.0.1:9000
//   Hello world!
//   ping          <- typed
//   ping          <- echoed
#include <array>
#include <cstddef>
#include <iostream>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <vector>

#include "support.hpp"
#include <miocpp/miocpp.hpp>

namespace {

constexpr miocpp::Token server_token{0};
constexpr std::string_view greeting = "Hello world!\n";

struct Connection {
  miocpp::net::TcpStream stream;
  miocpp::net::SocketAddr peer;
  std::vector<std::byte> outgoing;  // written as soon as the socket takes it
  bool peer_finished = false;       // the client sent end-of-stream: close once flushed
};

/// Writes what is queued until done or the socket is full. False when the connection is broken.
bool flush(Connection& connection) {
  while (!connection.outgoing.empty()) {
    std::error_code ec;
    const std::size_t written = connection.stream.write(connection.outgoing, ec);
    if (ec == std::errc::operation_would_block) {
      return true;  // a writable event will say when to go on
    }
    if (ec == std::errc::interrupted) {
      continue;
    }
    if (ec) {
      return false;
    }
    const bool short_write = written < connection.outgoing.size();
    connection.outgoing.erase(connection.outgoing.begin(),
                              connection.outgoing.begin() + static_cast<std::ptrdiff_t>(written));
    if (short_write) {
      return true;  // the socket is full: a writable event will come, no need to try again
    }
  }
  return true;
}

/// Reads what has arrived and queues it to be echoed. False when the connection is broken.
/// `peer_done` is what the event said: the client has finished sending.
bool read_available(Connection& connection, bool peer_done) {
  std::array<std::byte, 4096> buffer{};
  for (;;) {
    std::error_code ec;
    const std::size_t count = connection.stream.read(buffer, ec);
    if (ec == std::errc::operation_would_block) {
      return true;  // drained: the next readable event will come with new data
    }
    if (ec == std::errc::interrupted) {
      continue;
    }
    if (ec) {
      return false;
    }
    if (count == 0) {
      connection.peer_finished = true;
      return true;
    }
    connection.outgoing.insert(connection.outgoing.end(), buffer.begin(), buffer.begin() + count);
    // A short read means drained: the next data brings a new event, so there is no need for the
    // read that would block. But if the client has finished, its end of stream is next.
    if (count < buffer.size() && !peer_done) {
      return true;
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::error_code ec;
  miocpp::Poll poll(ec);
  example::check(ec, "poll");
  miocpp::Events events(128);

  auto server =
      miocpp::net::TcpListener::bind(example::address_argument(argc, argv, "127.0.0.1:9000"), ec);
  example::check(ec, "bind");
  poll.registry().register_source(server, server_token, miocpp::Interest::readable, ec);
  example::check(ec, "register");
  std::cout << "listening on " << server.local_addr(ec) << std::endl;

  std::unordered_map<miocpp::Token, Connection> connections;
  std::size_t next_token = server_token.value + 1;

  for (;;) {
    poll.poll(events, std::nullopt, ec);
    if (ec == std::errc::interrupted) {
      continue;
    }
    example::check(ec, "poll");

    for (const miocpp::Event& event : events) {
      if (event.token() == server_token) {
        // Accept every pending connection: the listener reports again only once drained.
        for (;;) {
          auto [stream, peer] = server.accept(ec);
          if (ec == std::errc::operation_would_block) {
            break;
          }
          if (ec) {
            std::cerr << "accept: " << ec.message() << '\n';
            break;
          }
          const miocpp::Token token{next_token++};
          poll.registry().register_source(
              stream, token, miocpp::Interest::readable | miocpp::Interest::writable, ec);
          example::check(ec, "register");
          std::cout << "accepted " << peer << std::endl;
          const auto bytes = std::as_bytes(std::span(greeting));
          connections.emplace(token,
                              Connection{std::move(stream), peer, {bytes.begin(), bytes.end()}});
        }
        continue;
      }

      const auto found = connections.find(event.token());
      if (found == connections.end()) {
        continue;  // a spurious event for a connection already closed
      }
      Connection& connection = found->second;
      bool open = true;
      if (event.is_readable()) {
        open = read_available(connection, event.is_read_closed());
      }
      if (open && (event.is_writable() || !connection.outgoing.empty())) {
        open = flush(connection);
      }
      if (!open || (connection.peer_finished && connection.outgoing.empty())) {
        std::cout << "closed " << connection.peer << std::endl;
        connections.erase(found);  // closing the socket also removes it from the Poll
      }
    }
  }
}
