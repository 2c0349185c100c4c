// Helpers of the Signals tests on every OS: watching, registering and receiving everything.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <system_error>

#include <gtest/gtest.h>

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

}  // namespace test
