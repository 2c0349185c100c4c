// An echo server with one event loop per core: each thread has its own Poll and serves the
// connections registered with it, from the first byte to the close, as tcp_echo does.
//
// Usage: tcp_echo_threads [address] [threads] [--no-reuse-port] [--exit-after N]
// (default 127.0.0.1:9001 and one thread per core), then e.g.
//   printf 'ping\n' | socat -t1 - TCP:127.0.0.1:9001
//
// Where the OS has SO_REUSEPORT, every thread listens on the same address with a listener of its
// own and the kernel spreads the incoming connections over them (Linux and FreeBSD balance; other
// BSDs and Apple systems share the port without balancing: use --no-reuse-port there). Where it
// has not (Windows: set_reuse_port reports std::errc::not_supported), or with --no-reuse-port,
// thread 0 alone listens and deals the connections it accepts round-robin to every thread, itself
// included, through a queue per thread and that thread's Waker: the thread that owns a connection
// is the one that registers it. With --exit-after N the server stops once N connections have been
// served and closed, and prints how many each thread served.
#include <algorithm>
#include <atomic>
#include <charconv>
#include <cstddef>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <memory>
#include <mutex>
#include <span>
#include <string_view>
#include <system_error>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "echo_connection.hpp"
#include "support.hpp"
#include <miocpp/miocpp.hpp>

namespace {

constexpr miocpp::Token listener_token{0};
constexpr miocpp::Token waker_token{1};
constexpr std::size_t first_connection_token = 2;

/// One thread's event loop, and the connections other threads hand it.
struct Worker {
  // A Poll that failed to open fails its Waker too, and `ec` says so.
  explicit Worker(std::error_code& ec) noexcept
      : poll(ec), waker(poll.registry(), waker_token, ec) {}

  /// Called by the accepting thread: queues `stream` for this worker and wakes it.
  void hand(miocpp::net::TcpStream stream) {
    {
      const std::lock_guard lock(mutex);
      handed.push_back(std::move(stream));
    }
    std::error_code ec;
    waker.wake(ec);
    example::check(ec, "wake");
  }

  /// Called by this worker on its Waker's event: the connections handed to it since the last call.
  std::vector<miocpp::net::TcpStream> take_handed() {
    const std::lock_guard lock(mutex);
    return std::exchange(handed, {});
  }

  miocpp::Poll poll;
  miocpp::Waker waker;
  miocpp::net::TcpListener listener;  // empty in the threads that do not accept
  std::mutex mutex;
  std::vector<miocpp::net::TcpStream> handed;  // guarded by mutex
  std::size_t served = 0;                      // this thread's own count
};

/// What the threads share.
struct Server {
  std::vector<std::unique_ptr<Worker>> workers;
  bool deal = false;           // thread 0 accepts for all (no SO_REUSEPORT, or --no-reuse-port)
  std::size_t exit_after = 0;  // 0: serve forever
  std::atomic<std::size_t> closed{0};

  [[nodiscard]] bool finished() const { return exit_after != 0 && closed.load() >= exit_after; }

  /// Counts a closed connection; the one that reaches --exit-after wakes every loop to stop.
  void count_closed() {
    if (closed.fetch_add(1) + 1 == exit_after) {
      for (const auto& worker : workers) {
        std::error_code ec;
        worker->waker.wake(ec);
        example::check(ec, "wake");
      }
    }
  }
};

/// One thread's event loop, until --exit-after is reached (or forever).
void run(Server& server, Worker& self) {
  miocpp::Events events(1024);
  std::vector<std::byte> buffer(64 * 1024);
  std::unordered_map<std::size_t, example::Connection> connections;  // by token value
  std::size_t next_token = first_connection_token;
  std::size_t next_worker = 0;  // round-robin, when this thread deals
  std::error_code ec;

  auto close = [&](std::size_t token) {
    connections.erase(token);
    ++self.served;
    server.count_closed();
  };
  auto add = [&](miocpp::net::TcpStream stream) {
    std::error_code add_ec;
    stream.set_nodelay(true, add_ec);
    const std::size_t token = next_token++;
    example::Connection& connection = connections[token];
    connection.stream = std::move(stream);
    self.poll.registry().register_source(connection.stream, miocpp::Token{token},
                                         miocpp::Interest::readable | miocpp::Interest::writable,
                                         add_ec);
    if (add_ec) {
      close(token);
    }
  };

  while (!server.finished()) {
    self.poll.poll(events, std::nullopt, ec);
    if (ec == std::errc::interrupted) {
      continue;
    }
    example::check(ec, "poll");
    for (const miocpp::Event& event : events) {
      if (event.token() == listener_token) {
        for (;;) {
          auto [stream, peer] = self.listener.accept(ec);
          if (ec) {
            break;  // would block: all accepted (or out of descriptors: retry on the next event)
          }
          Worker& owner =
              server.deal ? *server.workers[next_worker++ % server.workers.size()] : self;
          if (&owner == &self) {
            add(std::move(stream));
          } else {
            owner.hand(std::move(stream));
          }
        }
      } else if (event.token() == waker_token) {
        for (miocpp::net::TcpStream& stream : self.take_handed()) {
          add(std::move(stream));
        }
      } else if (auto found = connections.find(event.token().value); found != connections.end()) {
        if (!example::serve(found->second, event, buffer)) {
          close(found->first);
        }
      }
    }
  }
}

/// A listener on `address` that other sockets may bind too, so that the kernel balances the
/// connections over them. std::errc::not_supported where the OS has no SO_REUSEPORT.
miocpp::net::TcpListener shared_listener(const miocpp::net::SocketAddr& address,
                                         std::error_code& ec) {
  auto socket = miocpp::net::TcpSocket::for_address(address, ec);
  if (!ec) {
    socket.set_reuse_port(true, ec);  // on every socket sharing the port, before bind
  }
  if (!ec) {
    socket.bind(address, ec);
  }
  return ec ? miocpp::net::TcpListener() : socket.listen(1024, ec);
}

[[noreturn]] void usage() {
  std::cerr << "usage: tcp_echo_threads [address] [threads] [--no-reuse-port] [--exit-after N]\n";
  std::exit(EXIT_FAILURE);
}

std::size_t positive_number(std::string_view text) {
  std::size_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size() || value == 0) {
    usage();
  }
  return value;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<char*> positional{argv[0]};  // argv without the options, for address_argument
  std::size_t exit_after = 0;
  bool reuse_port = true;
  for (int i = 1; i < argc; ++i) {
    const std::string_view argument = argv[i];
    if (argument == "--no-reuse-port") {
      reuse_port = false;
    } else if (argument == "--exit-after" && i + 1 < argc) {
      exit_after = positive_number(argv[++i]);
    } else if (argument.starts_with("--") || positional.size() == 3) {
      usage();
    } else {
      positional.push_back(argv[i]);
    }
  }
  auto address = example::address_argument(static_cast<int>(positional.size()), positional.data(),
                                           "127.0.0.1:9001");
  const std::size_t threads = positional.size() > 2
                                  ? positive_number(positional[2])
                                  : std::max(1U, std::thread::hardware_concurrency());

  Server server;
  server.exit_after = exit_after;
  std::error_code ec;
  for (std::size_t i = 0; i < threads; ++i) {
    server.workers.push_back(std::make_unique<Worker>(ec));
    example::check(ec, "poll");
  }
  // One listener per thread on the same address. The first one binds the address as given; with
  // port 0 the OS picks a port, and the others bind that one.
  if (reuse_port) {
    for (const auto& worker : server.workers) {
      worker->listener = shared_listener(address, ec);
      if (ec == std::errc::not_supported) {  // no SO_REUSEPORT (Windows): thread 0 deals
        reuse_port = false;
        break;
      }
      example::check(ec, "listen");
      address = worker->listener.local_addr(ec);
      example::check(ec, "local address");
    }
  }
  server.deal = !reuse_port;
  if (server.deal) {
    Worker& first = *server.workers.front();
    first.listener = miocpp::net::TcpListener::bind(address, ec);
    example::check(ec, "listen");
    address = first.listener.local_addr(ec);
    example::check(ec, "local address");
  }
  for (std::size_t i = 0; i < (server.deal ? 1 : threads); ++i) {
    Worker& worker = *server.workers[i];
    worker.poll.registry().register_source(worker.listener, listener_token,
                                           miocpp::Interest::readable, ec);
    example::check(ec, "register");
  }
  std::cout << threads << " threads, "
            << (server.deal ? "thread 0 accepts for all" : "one listener each (SO_REUSEPORT)")
            << '\n'
            << "listening on " << address << std::endl;

  std::vector<std::thread> running;
  for (const auto& worker : server.workers) {
    running.emplace_back(run, std::ref(server), std::ref(*worker));
  }
  for (std::thread& thread : running) {
    thread.join();
  }
  for (std::size_t i = 0; i < threads; ++i) {
    std::cout << "thread " << i << " served " << server.workers[i]->served << " connections\n";
  }
}
