// The echo server on libev. libev is level-triggered only, so a connection watches for reading,
// and switches to watching for writing while it has a backlog; it still reads until EAGAIN, as
// the others do, so one wakeup does the same work.
#include <ev.h>
#include <unistd.h>

#include <cstddef>
#include <string>
#include <vector>

#include "backlog.hpp"
#include "serve.hpp"
#include "server.hpp"

namespace {

std::vector<std::byte> buffer(echo::buffer_size);

struct Connection {
  ev_io watcher;  // first, so the watcher's address is the connection's
  echo::RawSocket socket;
  echo::Backlog backlog;
};

void on_connection(struct ev_loop* loop, ev_io* watcher, int revents) {
  auto* connection = reinterpret_cast<Connection*>(watcher);  // NOLINT(*-reinterpret-cast)
  const bool was_blocked = !connection->backlog.empty();
  if (!echo::serve<echo::Stop::at_would_block>(connection->socket, connection->backlog, buffer,
                                               (revents & EV_READ) != 0, false)) {
    ev_io_stop(loop, watcher);
    ::close(connection->socket.fd());
    delete connection;  // NOLINT(*-owning-memory): the watcher is how libev hands it back
    return;
  }
  // Level-triggered: watch only for what the connection waits for, or it would spin.
  if (was_blocked != !connection->backlog.empty()) {
    ev_io_stop(loop, watcher);
    ev_io_set(watcher, connection->socket.fd(), connection->backlog.empty() ? EV_READ : EV_WRITE);
    ev_io_start(loop, watcher);
  }
}

void on_listener(struct ev_loop* loop, ev_io* watcher, int /*revents*/) {
  for (int fd; (fd = echo::accept_from(watcher->fd)) >= 0;) {
    auto* connection = new Connection{{}, echo::RawSocket(fd), {}};  // NOLINT(*-owning-memory)
    ev_io_init(&connection->watcher, on_connection, fd, EV_READ);
    ev_io_start(loop, &connection->watcher);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const int listener = echo::listen_on(echo::port_argument(argc, argv));
  struct ev_loop* loop = ev_default_loop(EVBACKEND_EPOLL);
  if (loop == nullptr) {
    echo::fail("ev_default_loop");
  }
  ev_io accepting;
  ev_io_init(&accepting, on_listener, listener, EV_READ);
  ev_io_start(loop, &accepting);
  echo::announce("libev", std::to_string(ev_version_major()) + "." +
                              std::to_string(ev_version_minor()) + " (epoll)");
  ev_run(loop, 0);
}
