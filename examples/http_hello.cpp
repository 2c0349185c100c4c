// A minimal HTTP/1.1 server: answers `GET /` with "Hello, world!", keeps connections alive, and
// handles pipelined requests. Usage: http_hello [address]   (default 127.0.0.1:8080)
//
//   $ curl http://127.0.0.1:8080/
//   Hello, world!
#include <algorithm>
#include <array>
#include <cstddef>
#include <iostream>
#include <string>
#include <string_view>
#include <system_error>
#include <unordered_map>

#include "support.hpp"
#include <miocpp/miocpp.hpp>

namespace {

constexpr miocpp::Token server_token{0};

struct Connection {
  miocpp::net::TcpStream stream;
  std::string incoming;  // bytes of requests not answered yet
  std::string outgoing;  // responses not written yet
  bool close_after_reply = false;
};

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return std::ranges::equal(a, b, [](char x, char y) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    return lower(x) == lower(y);
  });
}

/// The value of header `name` in `head` (the request line and headers), or empty.
std::string_view header(std::string_view head, std::string_view name) {
  for (std::size_t line = head.find("\r\n"); line != std::string_view::npos;) {
    const std::size_t next = head.find("\r\n", line + 2);
    const std::string_view field = head.substr(line + 2, next - line - 2);
    line = next;
    const std::size_t colon = field.find(':');
    if (colon != std::string_view::npos && equals_ignoring_case(field.substr(0, colon), name)) {
      std::string_view value = field.substr(colon + 1);
      value.remove_prefix(std::min(value.find_first_not_of(' '), value.size()));
      return value;
    }
  }
  return {};
}

/// Answers every complete request in `incoming` (requests carry no body here).
void answer_requests(Connection& connection) {
  for (;;) {
    const std::size_t end = connection.incoming.find("\r\n\r\n");
    if (end == std::string::npos) {
      return;
    }
    const std::string_view head(connection.incoming.data(), end);
    const bool found = head.starts_with("GET / ") || head.starts_with("HEAD / ");
    const std::string_view body = found ? "Hello, world!\n" : "Not found\n";
    const bool http10 = head.substr(0, head.find("\r\n")).ends_with("HTTP/1.0");
    const std::string_view connection_header = header(head, "Connection");
    connection.close_after_reply =
        equals_ignoring_case(connection_header, "close") ||
        (http10 && !equals_ignoring_case(connection_header, "keep-alive"));

    connection.outgoing += found ? "HTTP/1.1 200 OK\r\n" : "HTTP/1.1 404 Not Found\r\n";
    connection.outgoing += "Content-Type: text/plain\r\nContent-Length: ";
    connection.outgoing += std::to_string(body.size());
    connection.outgoing +=
        connection.close_after_reply ? "\r\nConnection: close\r\n\r\n" : "\r\n\r\n";
    if (!head.starts_with("HEAD ")) {
      connection.outgoing += body;
    }
    connection.incoming.erase(0, end + 4);
    if (connection.close_after_reply) {
      connection.incoming.clear();
      return;
    }
  }
}

/// Reads and answers what arrived, then writes what it can. False when the connection is done.
/// `peer_done` is what the event said: the client has finished sending.
bool serve(Connection& connection, bool peer_done) {
  std::array<char, 4096> buffer{};
  for (;;) {
    std::error_code ec;
    const std::size_t count = connection.stream.read(std::as_writable_bytes(std::span(buffer)), ec);
    if (ec == std::errc::operation_would_block) {
      break;
    }
    if (ec || count == 0) {
      return false;
    }
    connection.incoming.append(buffer.data(), count);
    if (count < buffer.size() && !peer_done) {
      break;  // a short read: drained, the next request brings a new event
    }
  }
  answer_requests(connection);
  while (!connection.outgoing.empty()) {
    std::error_code ec;
    const std::size_t written =
        connection.stream.write(std::as_bytes(std::span(connection.outgoing)), ec);
    if (ec == std::errc::operation_would_block) {
      return true;  // continue on the next writable event
    }
    if (ec) {
      return false;
    }
    const bool short_write = written < connection.outgoing.size();
    connection.outgoing.erase(0, written);
    if (short_write) {
      return true;  // the socket is full: a writable event will come
    }
  }
  return !connection.close_after_reply;
}

}  // namespace

int main(int argc, char** argv) {
  std::error_code ec;
  miocpp::Poll poll(ec);
  example::check(ec, "poll");
  miocpp::Events events(256);
  auto server =
      miocpp::net::TcpListener::bind(example::address_argument(argc, argv, "127.0.0.1:8080"), ec);
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
        for (;;) {
          auto [stream, peer] = server.accept(ec);
          if (ec) {
            break;  // would block: all accepted (or out of descriptors: try on the next event)
          }
          const miocpp::Token token{next_token++};
          poll.registry().register_source(
              stream, token, miocpp::Interest::readable | miocpp::Interest::writable, ec);
          if (!ec) {
            connections.emplace(token, Connection{std::move(stream), {}, {}, false});
          }
        }
      } else if (const auto found = connections.find(event.token()); found != connections.end()) {
        if (!serve(found->second, event.is_read_closed())) {
          connections.erase(found);
        }
      }
    }
  }
}
