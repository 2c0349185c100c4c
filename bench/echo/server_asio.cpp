// The echo server on standalone Asio, in its own (completion) model: async_read_some, then
// async_write of what was read, then the next read. Asio's reactor reads and writes speculatively
// (the next read is tried at once and waits for epoll only on EAGAIN), so a message costs the
// same system calls as reading until EAGAIN. The model forces one difference: a read completes
// into its buffer before its handler runs, so each connection has its own 64 KiB buffer rather
// than sharing one.
#include <array>
#include <cstddef>
#include <memory>
#include <string>

#include <asio.hpp>

#include "server.hpp"

namespace {

using asio::ip::tcp;

class Session : public std::enable_shared_from_this<Session> {
 public:
  explicit Session(tcp::socket socket) : socket_(std::move(socket)) {}

  void read() {
    socket_.async_read_some(asio::buffer(buffer_),
                            [self = shared_from_this()](std::error_code ec, std::size_t count) {
                              if (!ec) {
                                self->write(count);
                              }
                            });
  }

 private:
  void write(std::size_t count) {
    // Reading waits until the echo is written: the same backpressure as the other servers.
    asio::async_write(socket_, asio::buffer(buffer_, count),
                      [self = shared_from_this()](std::error_code ec, std::size_t /*count*/) {
                        if (!ec) {
                          self->read();
                        }
                      });
  }

  tcp::socket socket_;
  std::array<std::byte, echo::buffer_size> buffer_;
};

void accept(tcp::acceptor& acceptor) {
  acceptor.async_accept([&acceptor](std::error_code ec, tcp::socket socket) {
    if (!ec) {
      socket.set_option(tcp::no_delay(true), ec);
      std::make_shared<Session>(std::move(socket))->read();
    }
    accept(acceptor);
  });
}

}  // namespace

int main(int argc, char** argv) {
  const std::uint16_t port = echo::port_argument(argc, argv);
  // One thread runs the context: the hint lets Asio skip work meant for several.
  asio::io_context context(1);
  tcp::acceptor acceptor(context, tcp::endpoint(asio::ip::address_v4::loopback(), port));
  accept(acceptor);
  echo::announce("asio", std::to_string(ASIO_VERSION / 100000) + "." +
                             std::to_string(ASIO_VERSION / 100 % 1000) + "." +
                             std::to_string(ASIO_VERSION % 100));
  context.run();
}
