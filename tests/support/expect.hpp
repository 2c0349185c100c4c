// Waiting for the events a test expects, and printing what a poll saw.
#pragma once

#include <chrono>
#include <cstddef>
#include <initializer_list>
#include <ostream>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "support/text.hpp"
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

/// The readiness one event reports, as a Ready mask.
inline Ready readiness_of(const miocpp::Event& event) {
  unsigned bits = 0;
  const auto put = [&bits](bool set, Ready kind) {
    if (set) {
      bits |= static_cast<unsigned>(kind);
    }
  };
  put(event.is_readable(), Ready::readable);
  put(event.is_writable(), Ready::writable);
  put(event.is_error(), Ready::error);
  put(event.is_read_closed(), Ready::read_closed);
  put(event.is_write_closed(), Ready::write_closed);
  put(event.is_priority(), Ready::priority);
  return static_cast<Ready>(bits);
}

/// The readiness that `events` (one poll's batch) reports for `token`, combined over every event
/// carrying it. That is the portable reading of a batch: epoll gives one event per source, kqueue
/// one per filter (a readable and writable socket is two events with one token).
inline Ready readiness_for(const miocpp::Events& events, miocpp::Token token) {
  unsigned bits = 0;
  for (const miocpp::Event& event : events) {
    if (event.token() == token) {
      bits |= static_cast<unsigned>(readiness_of(event));
    }
  }
  return static_cast<Ready>(bits);
}

/// Whether one poll's batch has an event for `token`.
inline bool has_token(const miocpp::Events& events, miocpp::Token token) {
  for (const miocpp::Event& event : events) {
    if (event.token() == token) {
      return true;
    }
  }
  return false;
}

/// Whether one poll's batch reports `expected.token` with (at least) the readiness expected.
inline bool matches(const miocpp::Events& events, const Expected& expected) {
  const auto wanted = static_cast<unsigned>(expected.ready);
  return has_token(events, expected.token) &&
         (static_cast<unsigned>(readiness_for(events, expected.token)) & wanted) == wanted;
}

inline std::string describe(const miocpp::Events& events) {
  std::ostringstream os;
  for (const miocpp::Event& event : events) {
    os << "  " << event << '\n';
  }
  return os.str();
}

/// Polls (for up to 2 s in total) until every expected event has been seen, each one at least
/// with the readiness given. Within one poll the readiness of all events with the same token is
/// combined before matching. Other events are allowed.
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
    std::erase_if(expected, [&](const Expected& want) { return matches(events, want); });
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

/// Polls once (up to `timeout`) and expects exactly one event, for `token`; that event, or nullptr.
inline const miocpp::Event* expect_exactly_one_event(
    miocpp::Poll& poll, miocpp::Events& events, miocpp::Token token,
    std::chrono::milliseconds timeout = std::chrono::seconds(1)) {
  std::error_code ec;
  poll.poll(events, timeout, ec);
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_EQ(events.size(), 1U) << describe(events);
  if (events.size() != 1) {
    return nullptr;
  }
  EXPECT_EQ(events.begin()->token(), token) << *events.begin();
  return events.begin();
}

/// Polls three times for `wait` each and expects nothing, each poll waiting its full time: a
/// source that keeps reporting (or makes the poll return early) would make the loop spin.
inline void expect_polls_wait_quietly(miocpp::Poll& poll, miocpp::Events& events,
                                      std::chrono::milliseconds wait) {
  for (int round = 0; round < 3; ++round) {
    const auto start = std::chrono::steady_clock::now();
    std::error_code ec;
    poll.poll(events, wait, ec);
    const auto elapsed = std::chrono::steady_clock::now() - start;
    ASSERT_FALSE(ec) << ec.message();
    EXPECT_TRUE(events.empty()) << describe(events);
    EXPECT_GE(elapsed, wait) << "the poll returned early: something keeps it spinning";
  }
}

/// Polls until an event for `token` satisfies `predicate`, for up to `timeout`; other events
/// are ignored. True when one did.
template <class Predicate>
bool wait_for_event(miocpp::Poll& poll, miocpp::Events& events, miocpp::Token token,
                    Predicate predicate,
                    std::chrono::milliseconds timeout = std::chrono::seconds(2)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    std::error_code ec;
    poll.poll(events, std::chrono::milliseconds(50), ec);
    if (ec && ec != std::errc::interrupted) {
      ADD_FAILURE() << "poll: " << ec.message();
      return false;
    }
    for (const miocpp::Event& event : events) {
      if (event.token() == token && predicate(event)) {
        return true;
      }
    }
  }
  return false;
}

}  // namespace test
