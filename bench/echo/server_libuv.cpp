// The echo server on libuv. libuv owns the reading: it asks for a buffer (the alloc callback,
// answered with the one 64 KiB buffer every server uses), reads, and hands the bytes to the read
// callback; it reads again only while reads fill the buffer, on level-triggered epoll, rather
// than until EAGAIN. Writing tries uv_try_write first, as the others write at once; what the
// socket refuses is copied and queued with uv_write, and reading stops until it is written.
#include <uv.h>

#include <cstddef>
#include <cstdlib>
#include <vector>

#include "backlog.hpp"
#include "server.hpp"

namespace {

std::vector<std::byte> buffer(echo::buffer_size);

struct Connection {
  uv_tcp_t handle;  // first, so the handle's address is the connection's
  uv_write_t write;
  echo::Backlog backlog;
};

Connection* connection_of(void* handle) {
  return static_cast<Connection*>(handle);
}

void on_closed(uv_handle_t* handle) {
  delete connection_of(handle);  // NOLINT(*-owning-memory)
}

void close(Connection* connection) {
  uv_close(reinterpret_cast<uv_handle_t*>(&connection->handle), on_closed);
}

void on_alloc(uv_handle_t* /*handle*/, std::size_t /*suggested*/, uv_buf_t* out) {
  *out =
      uv_buf_init(reinterpret_cast<char*>(buffer.data()), static_cast<unsigned int>(buffer.size()));
}

void on_read(uv_stream_t* stream, ssize_t count, const uv_buf_t* read);

void on_written(uv_write_t* request, int status) {
  auto* connection = connection_of(request->handle);
  if (status < 0) {
    // A write cancelled by the close of its handle must not close it again.
    if (uv_is_closing(reinterpret_cast<uv_handle_t*>(request->handle)) == 0) {
      close(connection);
    }
    return;
  }
  connection->backlog.consume(connection->backlog.rest().size());
  uv_read_start(request->handle, on_alloc, on_read);
}

void on_read(uv_stream_t* stream, ssize_t count, const uv_buf_t* read) {
  auto* connection = connection_of(stream);
  if (count < 0) {
    close(connection);
    return;
  }
  if (count == 0) {
    return;  // libuv's way of saying EAGAIN
  }
  uv_buf_t rest = uv_buf_init(read->base, static_cast<unsigned int>(count));
  const int written = uv_try_write(stream, &rest, 1);
  if (written == count) {
    return;
  }
  if (written < 0 && written != UV_EAGAIN) {
    close(connection);
    return;
  }
  const auto done = static_cast<std::size_t>(written < 0 ? 0 : written);
  connection->backlog.keep(
      std::span(reinterpret_cast<const std::byte*>(read->base), static_cast<std::size_t>(count))
          .subspan(done));
  const std::span<const std::byte> pending = connection->backlog.rest();
  rest = uv_buf_init(const_cast<char*>(reinterpret_cast<const char*>(pending.data())),
                     static_cast<unsigned int>(pending.size()));
  uv_read_stop(stream);
  if (uv_write(&connection->write, stream, &rest, 1, on_written) < 0) {
    close(connection);
  }
}

void on_connection(uv_stream_t* server, int status) {
  if (status < 0) {
    return;
  }
  auto* connection = new Connection{};  // NOLINT(*-owning-memory): freed in on_closed
  uv_tcp_init(server->loop, &connection->handle);
  auto* stream = reinterpret_cast<uv_stream_t*>(&connection->handle);
  if (uv_accept(server, stream) < 0) {
    close(connection);
    return;
  }
  uv_tcp_nodelay(&connection->handle, 1);
  uv_read_start(stream, on_alloc, on_read);
}

}  // namespace

int main(int argc, char** argv) {
  const std::uint16_t port = echo::port_argument(argc, argv);
  uv_loop_t* loop = uv_default_loop();
  uv_tcp_t server;
  uv_tcp_init(loop, &server);
  sockaddr_in address{};
  uv_ip4_addr("127.0.0.1", port, &address);
  if (uv_tcp_bind(&server, reinterpret_cast<const sockaddr*>(&address), 0) < 0 ||
      uv_listen(reinterpret_cast<uv_stream_t*>(&server), SOMAXCONN, on_connection) < 0) {
    echo::fail("listen");
  }
  echo::announce("libuv", uv_version_string());
  return uv_run(loop, UV_RUN_DEFAULT);
}
