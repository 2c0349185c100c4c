// An event loop with a pipe and a Waker: a worker thread writes three messages into a pipe and
// then wakes the loop to tell it to stop. The loop prints every event it handles.
//
// Written with the std::error_code overloads, so it also builds with -fno-exceptions.
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdlib>
#include <iostream>
#include <string_view>
#include <system_error>
#include <thread>

#include <miocpp/miocpp.hpp>

namespace {

constexpr miocpp::Token pipe_token{0};
constexpr miocpp::Token waker_token{1};

void check(const std::error_code& ec, std::string_view what) {
  if (ec) {
    std::cerr << what << ": " << ec.message() << '\n';
    std::exit(EXIT_FAILURE);
  }
}

/// Reads everything the pipe holds right now: edge-triggered readiness means "drain it".
void drain(miocpp::posix::pipe::Receiver& receiver) {
  std::array<std::byte, 256> buffer{};
  for (;;) {
    std::error_code ec;
    const std::size_t count = receiver.read(buffer, ec);
    if (ec == std::errc::operation_would_block) {
      return;  // drained; the next write produces a new event
    }
    check(ec, "read");
    if (count == 0) {
      std::cout << "  pipe closed by the writer\n";
      return;
    }
    const std::string_view text(reinterpret_cast<const char*>(buffer.data()), count);
    std::cout << "  read " << count << " bytes: \"" << text << "\"\n";
  }
}

}  // namespace

int main() {
  std::error_code ec;
  miocpp::Poll poll(ec);
  check(ec, "poll");
  miocpp::Events events(16);
  const miocpp::Waker waker(poll.registry(), waker_token, ec);
  check(ec, "waker");

  auto [sender, receiver] = miocpp::posix::pipe::create(ec);
  check(ec, "pipe");
  poll.registry().register_source(receiver, pipe_token, miocpp::Interest::readable, ec);
  check(ec, "register");

  std::thread worker([&sender = sender, &waker] {
    std::error_code worker_ec;
    for (const std::string_view message : {"hello", "from", "another thread"}) {
      sender.write(std::as_bytes(std::span(message)), worker_ec);
      check(worker_ec, "write");
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    waker.wake(worker_ec);
    check(worker_ec, "wake");
  });

  for (bool running = true; running;) {
    poll.poll(events, std::nullopt, ec);
    check(ec, "poll");
    for (const miocpp::Event& event : events) {
      std::cout << event << '\n';
      if (event.token() == pipe_token) {
        drain(receiver);
      } else if (event.token() == waker_token) {
        std::cout << "  woken: stopping\n";
        running = false;
      }
    }
  }
  worker.join();
  return 0;
}
