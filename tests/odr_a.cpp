// One of two translation units that include the whole library (see odr.cpp): Poll, Waker and a
// TCP stream with plain reads and writes.
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

Report round_trip_a(miocpp::Token waker_token, miocpp::Token stream_token,
                    std::string_view message) {
  Report report;
  std::error_code& ec = report.error;
  miocpp::Poll poll(ec);
  if (ec) {
    return report;
  }
  miocpp::Events events(16);
  const miocpp::Waker waker(poll.registry(), waker_token, ec);
  if (ec) {
    return report;
  }
  auto [sender, receiver] = open_streams(ec);
  if (ec) {
    return report;
  }
  poll.registry().register_source(receiver, stream_token, miocpp::Interest::readable, ec);
  if (ec) {
    return report;
  }

  waker.wake(ec);
  if (ec) {
    return report;
  }
  (void)sender.write(std::as_bytes(std::span(message.data(), message.size())), ec);
  if (ec) {
    return report;
  }
  collect_events(poll, events, waker_token, stream_token, report);
  if (ec) {
    return report;
  }

  std::array<char, 64> buffer{};
  for (;;) {
    std::error_code read_ec;
    const std::size_t count = receiver.read(std::as_writable_bytes(std::span(buffer)), read_ec);
    if (read_ec) {
      if (read_ec != std::errc::operation_would_block) {
        ec = read_ec;
      }
      break;
    }
    report.received.append(buffer.data(), count);
  }
  return report;
}

std::uint64_t new_poll_id_a() {
  std::error_code ec;
  const miocpp::Poll poll(ec);
  return ec ? 0 : miocpp::detail::RegistryAccess::identity(poll.registry()).id();
}

miocpp::Poll open_poll_a(std::error_code& ec) {
  return miocpp::Poll(ec);
}

std::optional<miocpp::Waker> make_waker_a(const miocpp::Registry& registry, miocpp::Token token,
                                          std::error_code& ec) {
  return make_waker(registry, token, ec);
}

std::size_t poll_count_a(miocpp::Poll& poll, miocpp::Events& events, miocpp::Token token,
                         std::size_t& others, std::error_code& ec) {
  poll.poll(events, std::chrono::seconds(1), ec);
  std::size_t matching = 0;
  for (const miocpp::Event& event : events) {
    if (event.token() == token) {
      ++matching;
    } else {
      ++others;
    }
  }
  return matching;
}

}  // namespace odr
