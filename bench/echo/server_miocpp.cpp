// The echo server on miocpp: the same loop as server_epoll.cpp through Poll, TcpListener and
// TcpStream. Each connection is registered once, readable and writable (edge-triggered, as every
// miocpp registration), and read until it would block into one 64 KiB buffer.
#include <cstddef>
#include <span>
#include <string>
#include <system_error>
#include <vector>

#include "backlog.hpp"
#include "serve.hpp"
#include "server.hpp"
#include "slab.hpp"
#include <miocpp/miocpp.hpp>

namespace {

/// A TcpStream as echo::serve wants it.
class Stream {
 public:
  explicit Stream(miocpp::net::TcpStream stream) noexcept : stream_(std::move(stream)) {}
  miocpp::net::TcpStream& get() noexcept { return stream_; }

  echo::Io read(std::span<std::byte> buffer) {
    std::error_code ec;
    const std::size_t count = stream_.read(buffer, ec);
    return result(count, ec);
  }
  echo::Io write(std::span<const std::byte> bytes) {
    std::error_code ec;
    const std::size_t count = stream_.write(bytes, ec);
    return result(count, ec);
  }

 private:
  static echo::Io result(std::size_t count, const std::error_code& ec) noexcept {
    if (!ec) {
      return {echo::Io::Status::done, count};
    }
    if (ec == std::errc::operation_would_block) {
      return {echo::Io::Status::would_block, 0};
    }
    return {echo::Io::Status::closed, 0};
  }

  miocpp::net::TcpStream stream_;
};

struct Connection {
  Stream stream;
  echo::Backlog backlog;
};

constexpr miocpp::Token listener_token{0};

void check(const std::error_code& ec, const char* what) {
  if (ec) {
    errno = ec.value();
    echo::fail(what);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const std::uint16_t port = echo::port_argument(argc, argv);
  std::error_code ec;
  miocpp::Poll poll(ec);
  check(ec, "poll");
  auto listener = miocpp::net::TcpListener::bind(
      miocpp::net::SocketAddr(miocpp::net::Ipv4Addr::localhost(), port), ec);
  check(ec, "bind");
  poll.registry().register_source(listener, listener_token, miocpp::Interest::readable, ec);
  check(ec, "register");
  echo::announce("miocpp", std::to_string(MIOCPP_VERSION_MAJOR) + "." +
                               std::to_string(MIOCPP_VERSION_MINOR) + "." +
                               std::to_string(MIOCPP_VERSION_PATCH));

  echo::Slab<Connection> connections;
  std::vector<std::byte> buffer(echo::buffer_size);
  miocpp::Events events(1024);
  for (;;) {
    poll.poll(events, std::nullopt, ec);
    if (ec == std::errc::interrupted) {
      continue;
    }
    check(ec, "poll");
    for (const miocpp::Event& event : events) {
      if (event.token() == listener_token) {
        for (;;) {
          auto [stream, peer] = listener.accept(ec);
          if (ec) {
            break;  // would block: every waiting connection is in
          }
          stream.set_nodelay(true, ec);
          const std::size_t index = connections.insert(Connection{Stream(std::move(stream)), {}});
          poll.registry().register_source(
              connections.at(index).stream.get(), miocpp::Token{index + 1},
              miocpp::Interest::readable | miocpp::Interest::writable, ec);
          check(ec, "register");
        }
        continue;
      }
      const std::size_t index = event.token().value - 1;
      Connection* connection = connections.find(index);
      if (connection == nullptr) {
        continue;
      }
      const bool readable = event.is_readable() || event.is_error() || event.is_read_closed();
      // A short read means drained, on every backend: the loop stops there (echo::Stop::at_short)
      // unless the event says the client has finished, whose end of stream is then read next.
      if (!echo::serve<echo::Stop::at_short>(connection->stream, connection->backlog, buffer,
                                             readable, event.is_read_closed())) {
        connections.erase(index);  // the TcpStream closes, which also ends its registration
      }
    }
  }
}
