// A UDP echo server: every datagram goes back to its sender. Usage: udp_echo [address]
// (default 127.0.0.1:9002).
//
//   $ echo ping | socat -t1 - UDP:127.0.0.1:9002
//   ping
#include <array>
#include <cstddef>
#include <iostream>
#include <system_error>

#include "support.hpp"
#include <miocpp/miocpp.hpp>

int main(int argc, char** argv) {
  std::error_code ec;
  miocpp::Poll poll(ec);
  example::check(ec, "poll");
  miocpp::Events events(16);
  auto socket =
      miocpp::net::UdpSocket::bind(example::address_argument(argc, argv, "127.0.0.1:9002"), ec);
  example::check(ec, "bind");
  constexpr miocpp::Token token{0};
  poll.registry().register_source(socket, token, miocpp::Interest::readable, ec);
  example::check(ec, "register");
  std::cout << "listening on " << socket.local_addr(ec) << std::endl;

  std::array<std::byte, 65536> buffer{};  // the largest datagram UDP can carry
  for (;;) {
    poll.poll(events, std::nullopt, ec);
    if (ec == std::errc::interrupted) {
      continue;
    }
    example::check(ec, "poll");
    for (const miocpp::Event& event : events) {
      if (event.token() != token) {
        continue;
      }
      // Drain every queued datagram; the socket reports readable again only after would-block.
      for (;;) {
        const auto [size, sender] = socket.recv_from(buffer, ec);
        if (ec == std::errc::operation_would_block) {
          break;
        }
        if (ec) {
          std::cerr << "recv_from: " << ec.message() << '\n';  // e.g. an ICMP error: go on
          continue;
        }
        std::cout << "echoing " << size << " bytes to " << sender << std::endl;
        // A full send buffer drops the echo, as UDP may: there is no backlog to keep.
        socket.send_to(std::span(buffer).first(size), sender, ec);
      }
    }
  }
}
