// The floor: an echo server on epoll directly. Edge-triggered, each connection registered once for
// reading and writing, read into one 64 KiB buffer, each read written back at once. Built twice:
// echo_epoll reads until EAGAIN (mio's rule), echo_epoll-short (ECHO_STOP_AT_SHORT) stops at a
// short read as epoll allows -- the floor miocpp's server, which does the same, is measured
// against.
#include <sys/epoll.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "backlog.hpp"
#include "serve.hpp"
#include "server.hpp"
#include "slab.hpp"

namespace {

struct Connection {
  echo::RawSocket socket;
  echo::Backlog backlog;
};

constexpr std::uint64_t listener_token = 0;

#if defined(ECHO_STOP_AT_SHORT)
constexpr echo::Stop stop = echo::Stop::at_short;
constexpr const char* server_name = "epoll-short";
#else
constexpr echo::Stop stop = echo::Stop::at_would_block;
constexpr const char* server_name = "epoll";
#endif

void add(int epoll, int fd, std::uint32_t events, std::uint64_t token) {
  ::epoll_event registration{};
  registration.events = events;
  registration.data.u64 = token;
  if (::epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &registration) < 0) {
    echo::fail("epoll_ctl");
  }
}

std::string kernel_release() {
  ::utsname name{};
  ::uname(&name);
  return std::string("Linux ") + name.release;
}

}  // namespace

int main(int argc, char** argv) {
  const int listener = echo::listen_on(echo::port_argument(argc, argv));
  const int epoll = ::epoll_create1(EPOLL_CLOEXEC);
  if (epoll < 0) {
    echo::fail("epoll_create1");
  }
  add(epoll, listener, EPOLLIN | EPOLLET, listener_token);
  echo::announce(server_name, kernel_release());

  echo::Slab<Connection> connections;
  std::vector<std::byte> buffer(echo::buffer_size);
  std::array<::epoll_event, 1024> events{};
  for (;;) {
    const int count = ::epoll_wait(epoll, events.data(), static_cast<int>(events.size()), -1);
    for (int i = 0; i < count; ++i) {
      const ::epoll_event& event = events[static_cast<std::size_t>(i)];
      if (event.data.u64 == listener_token) {
        for (int fd; (fd = echo::accept_from(listener)) >= 0;) {
          const std::size_t index = connections.insert(Connection{echo::RawSocket(fd), {}});
          // EPOLLRDHUP as miocpp asks for it with every readable interest.
          add(epoll, fd, EPOLLIN | EPOLLRDHUP | EPOLLOUT | EPOLLET, index + 1);
        }
        continue;
      }
      const std::size_t index = event.data.u64 - 1;
      Connection* connection = connections.find(index);
      if (connection == nullptr) {
        continue;
      }
      const bool readable = (event.events & (EPOLLIN | EPOLLERR | EPOLLHUP)) != 0;
      const bool peer_done = (event.events & (EPOLLRDHUP | EPOLLHUP)) != 0;
      if (!echo::serve<stop>(connection->socket, connection->backlog, buffer, readable,
                             peer_done)) {
        ::close(connection->socket.fd());  // closing also removes it from the epoll set
        connections.erase(index);
      }
    }
  }
}
