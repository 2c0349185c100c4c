// miocpp's receivers, each the twin of one in udp_epoll.cpp: a UdpSocket registered readable with
// a Poll, each readable event received until drained: until would-block, or for a batch until one
// comes back short (fewer datagrams than slots), which recv_batch promises means drained on every
// backend. Receive modes:
//   one    UdpSocket::recv_from, one datagram per call, into one 64 KiB slot;
//   batch  UdpSocket::recv_batch with 32 slots of 64 KiB;
//   gro    set_gro(true), then recv_batch; a train counts as its segments (RecvDatagram's
//          segment_size).
// Sending (the GSO pipeline's sender): UdpSocket::send_batch of up to 32 SendDatagram on a
// connected socket, each carrying up to 64 datagrams and their segment_size with --gso.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <system_error>
#include <vector>

#include "workload.hpp"
#include <miocpp/miocpp.hpp>
#include <miocpp/net/udp_batch.hpp>

namespace {

using miocpp::net::RecvDatagram;
using miocpp::net::SendDatagram;
using miocpp::net::UdpSocket;

miocpp::net::SocketAddr loopback(std::uint16_t port) {
  return {miocpp::net::Ipv4Addr::localhost(), port};
}

std::string version() {
  return std::to_string(MIOCPP_VERSION_MAJOR) + "." + std::to_string(MIOCPP_VERSION_MINOR) + "." +
         std::to_string(MIOCPP_VERSION_PATCH);
}

/// True on would-block (drained); any other failure ends the program.
bool drained(const std::error_code& ec, const char* call) {
  if (ec == std::errc::operation_would_block) {
    return true;
  }
  if (ec == std::errc::interrupted) {
    return false;
  }
  udp::fail(call, ec);
}

/// recv_from until would-block; true once the tally is complete.
bool receive_one_by_one(UdpSocket& socket, std::span<std::byte> buffer, udp::Tally& tally) {
  std::error_code ec;
  for (;;) {
    const std::size_t size = socket.recv_from(buffer, ec).first;
    if (ec) {
      if (drained(ec, "recv_from")) {
        return false;
      }
      continue;
    }
    tally.count(size);
    if (tally.publish()) {
      return true;
    }
  }
}

/// recv_batch until drained (a short batch, or would-block); a GRO train counts as its segments.
bool receive_batches(UdpSocket& socket, std::span<RecvDatagram> slots, udp::Tally& tally) {
  std::error_code ec;
  for (;;) {
    const std::size_t received = socket.recv_batch(slots, ec);
    if (ec) {
      if (drained(ec, "recv_batch")) {
        return false;
      }
      continue;
    }
    for (const RecvDatagram& datagram : slots.first(received)) {
      tally.count(datagram.size, datagram.segment_size);
    }
    if (tally.publish()) {
      return true;
    }
    if (received < slots.size()) {
      return false;
    }
  }
}

void receive(const udp::Options& options) {
  const bool one_by_one = options.way == udp::Way::one_by_one;
  const bool gro = options.way == udp::Way::gro;
  std::error_code ec;
  miocpp::Poll poll(ec);
  if (ec) {
    udp::fail("Poll", ec);
  }
  UdpSocket socket = UdpSocket::bind(loopback(0), ec);
  if (ec) {
    udp::fail("bind", ec);
  }
  udp::enlarge_receive_buffer(socket.native_handle());
  if (gro) {
    socket.set_gro(true, ec);
    if (ec) {
      udp::fail("set_gro", ec);
    }
  }
  poll.registry().register_source(socket, miocpp::Token{0}, miocpp::Interest::readable, ec);
  if (ec) {
    udp::fail("register_source", ec);
  }
  std::vector<std::byte> buffer(udp::batch * udp::slot_size);
  std::vector<RecvDatagram> slots(udp::batch);
  for (std::size_t i = 0; i < udp::batch; ++i) {
    slots[i].buffer = std::span(buffer).subspan(i * udp::slot_size, udp::slot_size);
  }
  udp::Tally tally(options);
  udp::announce("miocpp", udp::local_port(socket.native_handle()), version());
  tally.wait_for_go();

  miocpp::Events events(64);
  for (;;) {
    poll.poll(events, std::nullopt, ec);
    if (ec == std::errc::interrupted) {
      continue;
    }
    if (ec) {
      udp::fail("poll", ec);
    }
    for ([[maybe_unused]] const miocpp::Event& event : events) {
      const bool complete =
          one_by_one ? receive_one_by_one(socket, std::span(buffer).first(udp::slot_size), tally)
                     : receive_batches(socket, slots, tally);
      if (complete) {
        tally.report();
        return;
      }
    }
  }
}

void send(const udp::Options& options) {
  std::error_code ec;
  UdpSocket socket = UdpSocket::bind(loopback(0), ec);
  if (!ec) {
    socket.connect(loopback(options.port), ec);
  }
  if (ec) {
    udp::fail("connect", ec);
  }
  const std::size_t segments = options.gso ? udp::gso_segments(options.size) : 1;
  const std::vector<std::byte> bytes = udp::payload(options.size, segments);
  std::vector<SendDatagram> messages(udp::batch);
  for (SendDatagram& message : messages) {
    message.segment_size = options.gso ? options.size : 0;
  }
  udp::send_all(options, [&](const udp::Plan& plan) -> std::size_t {
    for (std::size_t i = 0; i < plan.messages; ++i) {
      messages[i].bytes = std::span(bytes).first(plan.datagrams[i] * options.size);
    }
    const std::size_t sent =
        socket.send_batch(std::span<const SendDatagram>(messages).first(plan.messages), ec);
    if (ec) {
      // Loopback hardly ever refuses a send; when it does, the batch is tried again.
      if (ec != std::errc::operation_would_block && ec != std::errc::no_buffer_space &&
          ec != std::errc::interrupted) {
        udp::fail("send_batch", ec);
      }
      return 0;
    }
    return sent;
  });
}

}  // namespace

int main(int argc, char** argv) {
  udp::run(udp::parse(argc, argv), send, receive);
}
