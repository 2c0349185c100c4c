// Shared assertions for the test suite: waiting for the events a test expects.
#pragma once

#include <chrono>
#include <cstddef>
#include <initializer_list>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <gtest/gtest.h>

#include <miocpp/miocpp.hpp>

namespace test {

/// A readiness kind an expected event must (at least) have.
enum class Ready : unsigned {
  readable = 1U << 0U,
  writable = 1U << 1U,
  error = 1U << 2U,
  read_closed = 1U << 3U,
  write_closed = 1U << 4U,
  priority = 1U << 5U,
};

constexpr Ready operator|(Ready lhs, Ready rhs) {
  return static_cast<Ready>(static_cast<unsigned>(lhs) | static_cast<unsigned>(rhs));
}

struct Expected {
  miocpp::Token token;
  Ready ready;
};

inline bool has(Ready set, Ready kind) {
  return (static_cast<unsigned>(set) & static_cast<unsigned>(kind)) != 0;
}

inline bool matches(const miocpp::Event& event, const Expected& expected) {
  return event.token() == expected.token &&
         (!has(expected.ready, Ready::readable) || event.is_readable()) &&
         (!has(expected.ready, Ready::writable) || event.is_writable()) &&
         (!has(expected.ready, Ready::error) || event.is_error()) &&
         (!has(expected.ready, Ready::read_closed) || event.is_read_closed()) &&
         (!has(expected.ready, Ready::write_closed) || event.is_write_closed()) &&
         (!has(expected.ready, Ready::priority) || event.is_priority());
}

inline std::string describe(const miocpp::Events& events) {
  std::ostringstream os;
  for (const miocpp::Event& event : events) {
    os << "  " << event << '\n';
  }
  return os.str();
}

/// Polls (for up to 2 s in total) until every expected event has been seen, each one at least
/// with the readiness given. Other events are allowed.
inline void expect_events(miocpp::Poll& poll, miocpp::Events& events,
                          std::vector<Expected> expected) {
  using clock = std::chrono::steady_clock;
  const auto deadline = clock::now() + std::chrono::seconds(2);
  std::string seen;
  while (!expected.empty() && clock::now() < deadline) {
    std::error_code ec;
    poll.poll(events, std::chrono::milliseconds(50), ec);
    ASSERT_FALSE(ec) << "poll: " << ec.message();
    seen += describe(events);
    for (const miocpp::Event& event : events) {
      std::erase_if(expected, [&](const Expected& want) { return matches(event, want); });
    }
  }
  for (const Expected& missing : expected) {
    ADD_FAILURE() << "no event for token " << missing.token.value << " with readiness mask "
                  << static_cast<unsigned>(missing.ready) << "; events seen:\n"
                  << seen;
  }
}

/// Asserts that a short poll reports nothing.
inline void expect_no_events(miocpp::Poll& poll, miocpp::Events& events,
                             std::chrono::milliseconds wait = std::chrono::milliseconds(50)) {
  std::error_code ec;
  poll.poll(events, wait, ec);
  ASSERT_FALSE(ec) << "poll: " << ec.message();
  EXPECT_TRUE(events.empty()) << "unexpected events:\n" << describe(events);
}

/// Bytes of a string literal, for writing.
inline std::span<const std::byte> bytes_of(std::string_view text) {
  return std::as_bytes(std::span(text.data(), text.size()));
}

}  // namespace test
