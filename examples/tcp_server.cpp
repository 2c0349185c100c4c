// A TCP server that greets every client and echoes back whatever it sends, with many clients at
// once on one thread. A client silent for the idle timeout is closed (a Timers timer per
// connection), and SIGINT or SIGTERM shut the server down cleanly (a Signals watcher), all in
// the one event loop. Usage: tcp_server [address] [idle seconds]   (default 127.0.0.1:9000, 60)
//
//   $ socat - TCP:127.0.0.1:9000
//   Hello world!
//   ping          <- typed
//   ping          <- echoed
#include <array>
#include <chrono>
#include <csignal>
#include <cstddef>
#include <cstdlib>
#include <iostream>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <vector>

#include "support.hpp"
#include <miocpp/miocpp.hpp>

namespace {

constexpr miocpp::Token server_token{0};
constexpr miocpp::Token signals_token{1};
constexpr std::string_view greeting = "Hello world!\n";

struct Connection {
  miocpp::net::TcpStream stream;
  miocpp::net::SocketAddr peer;
  std::vector<std::byte> outgoing;  // written as soon as the socket takes it
  bool peer_finished = false;       // the client sent end-of-stream: close once flushed
  miocpp::TimerId idle_timer;       // fires when the client has been silent too long
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
  const std::chrono::seconds idle_timeout(argc > 2 ? std::atoi(argv[2]) : 60);

  // SIGINT (Ctrl-C) and SIGTERM end the loop instead of the process. Where there are no POSIX
  // signals (Windows), the server runs without.
  miocpp::Signals signals = miocpp::Signals::watch({SIGINT, SIGTERM}, ec);
  if (!ec) {
    poll.registry().register_source(signals, signals_token, miocpp::Interest::readable, ec);
    example::check(ec, "register signals");
  } else if (ec != std::errc::not_supported) {
    example::check(ec, "signals");
  }
  std::cout << "listening on " << server.local_addr(ec) << std::endl;

  std::unordered_map<miocpp::Token, Connection> connections;
  std::size_t next_token = signals_token.value + 1;
  miocpp::Timers timers;
  std::array<miocpp::Timers::Expired, 64> expired;

  for (bool running = true; running;) {
    poll.poll(events, timers.timeout(miocpp::Timers::clock::now()), ec);
    if (ec == std::errc::interrupted) {
      continue;
    }
    example::check(ec, "poll");

    // Clients silent for the idle timeout: each timer carries its connection's token.
    const std::size_t due = timers.expire(miocpp::Timers::clock::now(), expired);
    for (const miocpp::Timers::Expired& timer : std::span(expired).first(due)) {
      if (const auto found = connections.find(timer.token); found != connections.end()) {
        std::cout << "closed idle " << found->second.peer << std::endl;
        connections.erase(found);
      }
    }

    for (const miocpp::Event& event : events) {
      if (event.token() == signals_token) {
        for (;;) {
          const miocpp::SignalCount received = signals.receive(ec);
          if (ec) {
            break;  // would block: every signal is in
          }
          std::cout << "signal " << received.signal << ": shutting down" << std::endl;
          running = false;
        }
        continue;
      }
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
          const miocpp::TimerId idle_timer = timers.start_after(token, idle_timeout, ec);
          example::check(ec, "timer");
          connections.emplace(
              token,
              Connection{std::move(stream), peer, {bytes.begin(), bytes.end()}, false, idle_timer});
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
        timers.reset_after(connection.idle_timer, idle_timeout);  // it spoke: not idle
      }
      if (open && (event.is_writable() || !connection.outgoing.empty())) {
        open = flush(connection);
      }
      if (!open || (connection.peer_finished && connection.outgoing.empty())) {
        std::cout << "closed " << connection.peer << std::endl;
        timers.cancel(connection.idle_timer);
        connections.erase(found);  // closing the socket also removes it from the Poll
      }
    }
  }
  // Shutting down: the listener and every connection close as they go out of scope.
  std::cout << "closing " << connections.size() << " connections" << std::endl;
}
