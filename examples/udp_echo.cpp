// A UDP echo server: every datagram goes back to its sender. Usage: udp_echo [address] [--batch]
// (default 127.0.0.1:9002). With --batch it takes up to 32 datagrams per system call
// (UdpSocket::recv_batch: recvmmsg on Linux) and sends their echoes in one (send_batch).
//
//   $ echo ping | socat -t1 - UDP:127.0.0.1:9002
//   ping
#include <array>
#include <cstddef>
#include <iostream>
#include <span>
#include <string_view>
#include <system_error>

#include "support.hpp"
#include <miocpp/miocpp.hpp>

namespace {

constexpr std::size_t largest_datagram = 65536;  // the largest datagram UDP can carry

/// Echoes every queued datagram, one system call each way per datagram.
void echo_one_by_one(miocpp::net::UdpSocket& socket) {
  static std::array<std::byte, largest_datagram> buffer{};
  // Drain every queued datagram; the socket reports readable again only after would-block.
  for (;;) {
    std::error_code ec;
    const auto [size, sender] = socket.recv_from(buffer, ec);
    if (ec == std::errc::operation_would_block) {
      return;
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

/// Echoes every queued datagram, up to 32 per system call each way.
void echo_in_batches(miocpp::net::UdpSocket& socket) {
  constexpr std::size_t batch = 32;
  static std::array<std::array<std::byte, largest_datagram>, batch> buffers{};
  std::array<miocpp::net::RecvDatagram, batch> slots{};
  std::array<miocpp::net::SendDatagram, batch> echoes{};
  for (std::size_t index = 0; index < batch; ++index) {
    slots[index].buffer = buffers[index];  // recv_batch fills the rest of a slot, never this
  }
  for (;;) {
    std::error_code ec;
    const std::size_t received = socket.recv_batch(slots, ec);
    if (ec == std::errc::operation_would_block) {
      return;
    }
    if (ec) {
      std::cerr << "recv_batch: " << ec.message() << '\n';
      continue;
    }
    std::cout << "batch of " << received << std::endl;
    for (std::size_t index = 0; index < received; ++index) {
      const miocpp::net::RecvDatagram& slot = slots[index];
      std::cout << "echoing " << slot.size << " bytes to " << slot.from << std::endl;
      echoes[index] = {std::span(buffers[index]).first(slot.size), slot.from};
    }
    // What the send buffer does not take is dropped, as UDP may.
    (void)socket.send_batch(std::span(echoes).first(received), ec);
    if (received < batch) {
      return;  // a short batch: the queue is drained, and the next datagram brings an event
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  const bool batched = argc > 2 && std::string_view(argv[2]) == "--batch";
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

  for (;;) {
    poll.poll(events, std::nullopt, ec);
    if (ec == std::errc::interrupted) {
      continue;
    }
    example::check(ec, "poll");
    for (const miocpp::Event& event : events) {
      if (event.token() == token) {
        batched ? echo_in_batches(socket) : echo_one_by_one(socket);
      }
    }
  }
}
