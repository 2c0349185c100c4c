// The echo server on libevent: raw events (not bufferevents, which would add a copy into their own
// buffers), edge-triggered (EV_ET) and persistent, each connection's event added once for reading
// and writing -- the same registration as server_epoll.cpp, through libevent's epoll backend.
#include <unistd.h>

#include <cstddef>
#include <vector>

#include <event2/event.h>

#include "backlog.hpp"
#include "serve.hpp"
#include "server.hpp"

namespace {

struct Server {
  event_base* base;
  int listener;
  std::vector<std::byte> buffer = std::vector<std::byte>(echo::buffer_size);
};

struct Connection {
  Server* server;
  echo::RawSocket socket;
  echo::Backlog backlog;
  event* watcher = nullptr;
};

void on_connection(evutil_socket_t /*fd*/, short what, void* argument) {
  auto* connection = static_cast<Connection*>(argument);
  if (!echo::serve<echo::Stop::at_would_block>(connection->socket, connection->backlog,
                                               connection->server->buffer, (what & EV_READ) != 0,
                                               false)) {
    event_free(connection->watcher);
    ::close(connection->socket.fd());
    delete connection;  // NOLINT(*-owning-memory): libevent hands back a raw pointer
  }
}

void on_listener(evutil_socket_t /*fd*/, short /*what*/, void* argument) {
  auto* server = static_cast<Server*>(argument);
  for (int fd; (fd = echo::accept_from(server->listener)) >= 0;) {
    auto* connection = new Connection{server, echo::RawSocket(fd), {}};  // NOLINT(*-owning-memory)
    connection->watcher = event_new(server->base, fd, EV_READ | EV_WRITE | EV_PERSIST | EV_ET,
                                    on_connection, connection);
    if (connection->watcher == nullptr || event_add(connection->watcher, nullptr) < 0) {
      echo::fail("event_add");
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  Server server{event_base_new(), echo::listen_on(echo::port_argument(argc, argv))};
  if (server.base == nullptr) {
    echo::fail("event_base_new");
  }
  event* accepting =
      event_new(server.base, server.listener, EV_READ | EV_PERSIST | EV_ET, on_listener, &server);
  if (accepting == nullptr || event_add(accepting, nullptr) < 0) {
    echo::fail("event_add");
  }
  echo::announce("libevent", std::string(event_get_version()) + " (" +
                                 event_base_get_method(server.base) + ")");
  event_base_dispatch(server.base);
}
