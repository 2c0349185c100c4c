// The other of two translation units that include the whole library (see odr.cpp): a cloned
// Registry and vectored stream I/O.
#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>

#include "support/odr_probe.hpp"
#include <miocpp/miocpp.hpp>

namespace odr {

Report round_trip_b(miocpp::Token waker_token, miocpp::Token stream_token,
                    std::string_view message) {
  Report report;
  std::error_code& ec = report.error;
  miocpp::Poll poll(ec);
  if (ec) {
    return report;
  }
  const miocpp::Registry registry = poll.registry().try_clone(ec);
  if (ec) {
    return report;
  }
  miocpp::Events events(16);
  const miocpp::Waker waker(registry, waker_token, ec);
  if (ec) {
    return report;
  }
  auto [sender, receiver] = open_streams(ec);
  if (ec) {
    return report;
  }
  // Registered through the clone.
  registry.register_source(receiver, stream_token, miocpp::Interest::readable, ec);
  if (ec) {
    return report;
  }

  // Split the message in two slices to exercise writev.
  const std::size_t half = message.size() / 2;
  const std::array<miocpp::IoSlice, 2> slices = {
      miocpp::IoSlice(std::as_bytes(std::span(message.data(), half))),
      miocpp::IoSlice(std::as_bytes(std::span(message.data() + half, message.size() - half)))};
  (void)sender.write_vectored(slices, ec);
  if (ec) {
    return report;
  }
  waker.wake(ec);
  if (ec) {
    return report;
  }
  collect_events(poll, events, waker_token, stream_token, report);
  if (ec) {
    return report;
  }
  registry.deregister(receiver, ec);
  if (ec) {
    return report;
  }
  report.received = drain_b(receiver, ec);
  return report;
}

std::uint64_t new_poll_id_b() {
  std::error_code ec;
  const miocpp::Poll poll(ec);
  return ec ? 0 : miocpp::detail::RegistryAccess::identity(poll.registry()).id();
}

std::optional<miocpp::Waker> make_waker_b(const miocpp::Registry& registry, miocpp::Token token,
                                          std::error_code& ec) {
  return make_waker(registry, token, ec);
}

void register_receiver_b(const miocpp::Registry& registry, miocpp::net::TcpStream& receiver,
                         miocpp::Token token, std::error_code& ec) {
  registry.register_source(receiver, token, miocpp::Interest::readable, ec);
}

std::string drain_b(miocpp::net::TcpStream& receiver, std::error_code& ec) {
  std::string received;
  std::array<char, 3> first{};
  std::array<char, 61> second{};
  std::array<miocpp::IoSliceMut, 2> slices = {
      miocpp::IoSliceMut(std::as_writable_bytes(std::span(first))),
      miocpp::IoSliceMut(std::as_writable_bytes(std::span(second)))};
  for (;;) {
    std::error_code read_ec;
    const std::size_t count = receiver.read_vectored(slices, read_ec);
    if (read_ec) {
      if (read_ec != std::errc::operation_would_block) {
        ec = read_ec;
      }
      return received;
    }
    if (count == 0) {
      return received;
    }
    received.append(first.data(), std::min(count, first.size()));
    if (count > first.size()) {
      received.append(second.data(), count - first.size());
    }
  }
}

}  // namespace odr
