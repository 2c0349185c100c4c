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

#include "echo_connection.hpp"
#include "support.hpp"
#include <miocpp/miocpp.hpp>

namespace {

constexpr miocpp::Token server_token{0};

/// Connections by token - 1; closed slots are reused.
class Slab {
 public:
  std::size_t insert(example::Connection connection) {
    if (free_.empty()) {
      slots_.push_back(std::move(connection));
      return slots_.size() - 1;
    }
    const std::size_t index = free_.back();
    free_.pop_back();
    slots_[index] = std::move(connection);
    return index;
  }
  example::Connection& at(std::size_t index) { return slots_[index]; }
  example::Connection* find(std::size_t index) {
    return index < slots_.size() && slots_[index].stream.native_handle() >= 0 ? &slots_[index]
                                                                              : nullptr;
  }
  void erase(std::size_t index) {
    slots_[index] = example::Connection{};
    free_.push_back(index);
  }

 private:
  std::vector<example::Connection> slots_;
  std::vector<std::size_t> free_;
};

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
          const std::size_t index =
              connections.insert(example::Connection{.stream = std::move(stream)});
          example::Connection& added = connections.at(index);
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
      if (example::Connection* connection = connections.find(index)) {
        if (!example::serve(*connection, event, buffer)) {
          connections.erase(index);
        }
      }
    }
  }
}
