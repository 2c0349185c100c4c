// Helpers of the Signals tests on every OS: watching, registering and receiving everything.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <system_error>

#include <gtest/gtest.h>

#include "expect.hpp"
#include "setup.hpp"
#include <miocpp/miocpp.hpp>

namespace test {

/// The token the tests register their Signals with, unless they say otherwise.
inline constexpr miocpp::Token signals_token{3};

/// Signals::watch that must succeed.
inline miocpp::Signals watch(std::initializer_list<int> signals) {
  std::error_code ec;
  miocpp::Signals watcher = miocpp::Signals::watch(signals, ec);
  EXPECT_FALSE(ec) << ec.message();
  return watcher;
}

/// watch(), registered with `poll` for readable events under `token`.
inline miocpp::Signals watch_registered(miocpp::Poll& poll, std::initializer_list<int> signals,
                                        miocpp::Token token = signals_token) {
  miocpp::Signals watcher = watch(signals);
  register_readable(poll, watcher, token);
  return watcher;
}

/// Every signal receive() reports, summed per signal, until would-block.
inline std::map<int, std::uint64_t> receive_all(miocpp::Signals& signals) {
  std::map<int, std::uint64_t> received;
  for (int calls = 0; calls < 100; ++calls) {
    std::error_code ec;
    const miocpp::SignalCount count = signals.receive(ec);
    if (ec) {
      EXPECT_EQ(ec, std::errc::operation_would_block) << ec.message();
      return received;
    }
    EXPECT_GT(count.count, 0U);
    received[count.signal] += count.count;
  }
  ADD_FAILURE() << "receive never reported would-block";
  return received;
}

/// Who raises one signal in expect_one_drain_per_round: a signal number and how to deliver it.
struct Delivery {
  int signal;
  std::function<void()> deliver;
};

/// The fewest system calls, on every OS: after `first` is delivered to `signals` (registered
/// with `poll` under signals_token) and `second` during the round of receives that follows, the
/// wake handle stays readable (`readable_now(handle)`) until the round ends, and is drained then,
/// leaving no event behind.
template <class ReadableNow>
void expect_one_drain_per_round(miocpp::Poll& poll, miocpp::Events& events,
                                miocpp::Signals& signals, const Delivery& first,
                                const Delivery& second, ReadableNow readable_now) {
  first.deliver();
  ASSERT_NE(expect_exactly_one_event(poll, events, signals_token, std::chrono::seconds(2)),
            nullptr);
  std::error_code ec;
  for (const Delivery* delivery : {&first, &second}) {
    if (delivery == &second) {
      second.deliver();  // during the round
    }
    EXPECT_EQ(signals.receive(ec).signal, delivery->signal);
    EXPECT_FALSE(ec) << ec.message();
    EXPECT_TRUE(readable_now(signals.native_handle())) << "drained before the end of the round";
  }
  (void)signals.receive(ec);
  EXPECT_EQ(ec, std::errc::operation_would_block) << ec.message();
  EXPECT_FALSE(readable_now(signals.native_handle())) << "not drained at the end of the round";
  expect_no_events(poll, events);
}

}  // namespace test
