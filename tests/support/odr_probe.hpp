// The functions that tests/odr_a.cpp and tests/odr_b.cpp define, each in its own translation unit
// with the whole library included, so that tests/odr.cpp can check they link and agree.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>

#include <miocpp/miocpp.hpp>

namespace odr {

/// Both ends of a loopback TCP connection: the byte stream the round trips write and read, on
/// every platform.
struct Streams {
  miocpp::net::TcpStream sender;
  miocpp::net::TcpStream receiver;
};

/// Connects a TcpStream to a TcpListener on 127.0.0.1 and accepts it; empty streams and `ec` set
/// on failure. The listener is polled by retrying accept (for up to 5 s), not through a Poll, so
/// that no Poll of the caller's sees it.
inline Streams open_streams(std::error_code& ec) {
  using miocpp::net::TcpListener;
  using miocpp::net::TcpStream;
  TcpListener listener = TcpListener::bind({miocpp::net::Ipv4Addr::localhost(), 0}, ec);
  if (ec) {
    return {};
  }
  const miocpp::net::SocketAddr address = listener.local_addr(ec);
  if (ec) {
    return {};
  }
  Streams streams;
  streams.sender = TcpStream::connect(address, ec);
  if (ec) {
    return {};
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  for (;;) {
    auto accepted = listener.accept(ec);
    if (!ec) {
      // Accepted means the handshake is done: the connecting side is connected too.
      streams.receiver = std::move(accepted.first);
      return streams;
    }
    if (ec != std::errc::operation_would_block || std::chrono::steady_clock::now() > deadline) {
      return {};
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

/// What one round trip (wake + stream write, poll, read) saw.
struct Report {
  std::error_code error;  // the first failure, if any
  std::size_t waker_events = 0;
  std::size_t stream_events = 0;
  std::size_t other_events = 0;
  std::string received;
};

/// Polls up to 20 times (100 ms each) until `report` has seen an event of the waker and of the
/// stream, counting every event; a failed poll ends it with the error in the report.
inline void collect_events(miocpp::Poll& poll, miocpp::Events& events, miocpp::Token waker_token,
                           miocpp::Token stream_token, Report& report) {
  for (int polls = 0; polls < 20 && (report.waker_events == 0 || report.stream_events == 0);
       ++polls) {
    poll.poll(events, std::chrono::milliseconds(100), report.error);
    if (report.error) {
      return;
    }
    for (const miocpp::Event& event : events) {
      if (event.token() == waker_token && event.is_readable()) {
        ++report.waker_events;
      } else if (event.token() == stream_token && event.is_readable()) {
        ++report.stream_events;
      } else {
        ++report.other_events;
      }
    }
  }
}

/// A Waker for `registry`, or none (and `ec` set) when it cannot be made.
inline std::optional<miocpp::Waker> make_waker(const miocpp::Registry& registry,
                                               miocpp::Token token, std::error_code& ec) {
  std::optional<miocpp::Waker> waker(std::in_place, registry, token, ec);
  if (ec) {
    waker.reset();
  }
  return waker;
}

// ---- odr_a.cpp ----
/// Poll, Waker and streams made here: wakes, writes `message`, polls until both events, reads.
Report round_trip_a(miocpp::Token waker_token, miocpp::Token stream_token,
                    std::string_view message);
/// The id of a new Poll made in this translation unit.
std::uint64_t new_poll_id_a();
/// A Poll made in this translation unit.
miocpp::Poll open_poll_a(std::error_code& ec);
/// Creates a Waker for `registry` here.
std::optional<miocpp::Waker> make_waker_a(const miocpp::Registry& registry, miocpp::Token token,
                                          std::error_code& ec);
/// Polls once (up to 1 s) here, counting the events with `token` (and the others).
std::size_t poll_count_a(miocpp::Poll& poll, miocpp::Events& events, miocpp::Token token,
                         std::size_t& others, std::error_code& ec);

// ---- odr_b.cpp ----
/// As round_trip_a, but with a cloned Registry and vectored I/O.
Report round_trip_b(miocpp::Token waker_token, miocpp::Token stream_token,
                    std::string_view message);
std::uint64_t new_poll_id_b();
std::optional<miocpp::Waker> make_waker_b(const miocpp::Registry& registry, miocpp::Token token,
                                          std::error_code& ec);
/// Registers `receiver` for reading here.
void register_receiver_b(const miocpp::Registry& registry, miocpp::net::TcpStream& receiver,
                         miocpp::Token token, std::error_code& ec);
/// Reads everything available here (until would_block).
std::string drain_b(miocpp::net::TcpStream& receiver, std::error_code& ec);

}  // namespace odr
