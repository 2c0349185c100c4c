// A small HTTP/1.1 server: answers `GET /` (and `HEAD /`) with "Hello, world!" and anything else
// with 404. It is an example of the event loop, not an HTTP library. What it does:
//   - keeps a connection open between requests: an HTTP/1.1 one unless the client sends
//     `Connection: close`, an HTTP/1.0 one only when the client asks with
//     `Connection: keep-alive` (and then the reply says so, as a 1.0 client needs);
//   - answers pipelined requests in order, and when the client half-closes (sends its FIN after
//     its requests) answers every request it read before it closes;
//   - reads and drops a request body announced by Content-Length.
// What it does not do, answered with a clear status instead of a hang:
//   - a request line it cannot parse, or a bad Content-Length: 400 Bad Request, then it closes;
//   - a method other than GET and HEAD: 405 Method Not Allowed, with `Allow: GET, HEAD`;
//   - a chunked body (Transfer-Encoding): 501 Not Implemented, then it closes (it cannot tell
//     where such a body ends);
//   - `Expect: 100-continue`: 417 Expectation Failed, then it closes;
//   - a request head over 8 KiB: 431 Request Header Fields Too Large, then it closes.
// Closing after a reply, it shuts down its sending side and reads until the client closes, so
// that requests still in flight do not turn the close into a reset that loses the reply.
// Usage: http_hello [address]   (default 127.0.0.1:8080)
//
//   $ curl http://127.0.0.1:8080/
//   Hello, world!
#include <algorithm>
#include <array>
#include <charconv>
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
constexpr std::size_t max_head = 8192;

struct Connection {
  miocpp::net::TcpStream stream;
  std::string incoming{};      // bytes of requests not answered yet
  std::string outgoing{};      // replies not written yet
  std::size_t body_left = 0;   // bytes of a request body still to drop
  bool closing = false;        // the last reply is queued: what arrives after it is dropped
  bool shut_down = false;      // the last reply is sent and the sending side shut down
  bool peer_finished = false;  // the client sent its end of stream
};

char lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return std::ranges::equal(a, b, [](char x, char y) { return lower(x) == lower(y); });
}

std::string_view trim(std::string_view text) {
  const std::size_t first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) {
    return {};
  }
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

/// The value of header `name` in `head` (the request line and headers), or empty.
std::string_view header(std::string_view head, std::string_view name) {
  for (std::size_t line = head.find("\r\n"); line != std::string_view::npos;) {
    const std::size_t next = head.find("\r\n", line + 2);
    const std::string_view field = head.substr(line + 2, next - line - 2);
    line = next;
    const std::size_t colon = field.find(':');
    if (colon != std::string_view::npos && equals_ignoring_case(field.substr(0, colon), name)) {
      return trim(field.substr(colon + 1));
    }
  }
  return {};
}

/// Whether the comma-separated `list` (a Connection header) holds `token`.
bool has_token(std::string_view list, std::string_view token) {
  while (!list.empty()) {
    const std::size_t comma = std::min(list.find(','), list.size());
    if (equals_ignoring_case(trim(list.substr(0, comma)), token)) {
      return true;
    }
    list.remove_prefix(std::min(comma + 1, list.size()));
  }
  return false;
}

/// Queues a reply. `headers` are whole header lines; a HEAD request gets no body.
void reply(Connection& connection, std::string_view status, const std::string& headers,
           std::string_view body, bool head_only) {
  connection.outgoing.append("HTTP/1.1 ").append(status).append("\r\n");
  connection.outgoing.append("Content-Type: text/plain\r\nContent-Length: ");
  connection.outgoing.append(std::to_string(body.size())).append("\r\n");
  connection.outgoing.append(headers).append("\r\n");
  if (!head_only) {
    connection.outgoing.append(body);
  }
}

/// Queues an error reply that ends the connection.
void refuse(Connection& connection, std::string_view status) {
  reply(connection, status, "Connection: close\r\n", std::string(status) + "\n", false);
  connection.closing = true;
}

/// Answers the request whose request line and headers are `head`.
void answer(Connection& connection, std::string_view head) {
  // The request line: METHOD SP TARGET SP VERSION.
  const std::string_view line = head.substr(0, head.find("\r\n"));
  const std::size_t first = line.find(' ');
  const std::size_t second = first == std::string_view::npos ? first : line.find(' ', first + 1);
  if (second == std::string_view::npos || first == 0 || second == first + 1) {
    return refuse(connection, "400 Bad Request");
  }
  const std::string_view method = line.substr(0, first);
  const std::string_view target = line.substr(first + 1, second - first - 1);
  const std::string_view version = line.substr(second + 1);
  if (version != "HTTP/1.1" && version != "HTTP/1.0") {
    return refuse(connection, "400 Bad Request");
  }
  if (!header(head, "Transfer-Encoding").empty()) {
    return refuse(connection, "501 Not Implemented");
  }
  if (!header(head, "Expect").empty()) {
    return refuse(connection, "417 Expectation Failed");
  }
  if (const std::string_view length = header(head, "Content-Length"); !length.empty()) {
    const auto [end, error] =
        std::from_chars(length.data(), length.data() + length.size(), connection.body_left);
    if (error != std::errc{} || end != length.data() + length.size()) {
      return refuse(connection, "400 Bad Request");
    }
  }

  const bool http10 = version == "HTTP/1.0";
  const std::string_view asked = header(head, "Connection");
  const bool keep_alive = http10 ? has_token(asked, "keep-alive") : !has_token(asked, "close");
  std::string headers = !keep_alive ? "Connection: close\r\n"
                        : http10    ? "Connection: keep-alive\r\n"
                                    : "";
  const bool head_only = method == "HEAD";
  if (method != "GET" && !head_only) {
    reply(connection, "405 Method Not Allowed", headers + "Allow: GET, HEAD\r\n",
          "Method not allowed\n", false);
  } else if (target == "/") {
    reply(connection, "200 OK", headers, "Hello, world!\n", head_only);
  } else {
    reply(connection, "404 Not Found", headers, "Not found\n", head_only);
  }
  connection.closing = !keep_alive;
}

/// Answers every complete request in `incoming`, dropping request bodies.
void answer_requests(Connection& connection) {
  while (!connection.closing) {
    const std::size_t dropped = std::min(connection.body_left, connection.incoming.size());
    connection.incoming.erase(0, dropped);
    connection.body_left -= dropped;
    if (connection.body_left > 0) {
      return;  // more of the body to come
    }
    const std::size_t end = connection.incoming.find("\r\n\r\n");
    if (end == std::string::npos) {
      if (connection.incoming.size() > max_head) {
        refuse(connection, "431 Request Header Fields Too Large");
      }
      return;
    }
    answer(connection, std::string_view(connection.incoming).substr(0, end));
    connection.incoming.erase(0, end + 4);
  }
  connection.incoming.clear();  // after the last reply nothing more is read
}

/// Writes what it can of `outgoing`. False when the connection is broken.
bool flush(Connection& connection) {
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
  return true;
}

/// Reads and answers what arrived, then writes what it can. False when the connection is done.
/// `peer_done` is what the event said: the client has finished sending.
bool serve(Connection& connection, bool peer_done) {
  std::array<char, 4096> buffer{};
  while (!connection.peer_finished) {
    std::error_code ec;
    const std::size_t count = connection.stream.read(std::as_writable_bytes(std::span(buffer)), ec);
    if (ec == std::errc::operation_would_block) {
      break;
    }
    if (ec) {
      return false;
    }
    if (count == 0) {
      connection.peer_finished = true;  // answer what was read, then close
      break;
    }
    if (!connection.closing) {
      connection.incoming.append(buffer.data(), count);
    }
    if (count < buffer.size() && !peer_done) {
      break;  // a short read: drained, the next request brings a new event
    }
  }
  answer_requests(connection);
  if (!flush(connection)) {
    return false;
  }
  if (!connection.outgoing.empty()) {
    return true;  // the rest goes on the next writable event
  }
  if (connection.closing && !connection.shut_down) {
    std::error_code ec;
    connection.stream.shutdown(miocpp::net::Shutdown::write, ec);
    connection.shut_down = true;
  }
  return !connection.peer_finished;
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
            connections.emplace(token, Connection{.stream = std::move(stream)});
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
