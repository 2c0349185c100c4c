// The functions that tests/odr_a.cpp and tests/odr_b.cpp define, each in its own translation unit
// with the whole library included, so that tests/odr.cpp can check they link and agree.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include <miocpp/miocpp.hpp>

namespace odr {

/// What one round trip (wake + pipe write, poll, read) saw.
struct Report {
  std::error_code error;  // the first failure, if any
  std::size_t waker_events = 0;
  std::size_t pipe_events = 0;
  std::size_t other_events = 0;
  std::string received;
};

// ---- odr_a.cpp ----
/// Poll, Waker and pipe made here: wakes, writes `message`, polls until both events, reads.
Report round_trip_a(miocpp::Token waker_token, miocpp::Token pipe_token, std::string_view message);
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
Report round_trip_b(miocpp::Token waker_token, miocpp::Token pipe_token, std::string_view message);
std::uint64_t new_poll_id_b();
std::optional<miocpp::Waker> make_waker_b(const miocpp::Registry& registry, miocpp::Token token,
                                          std::error_code& ec);
/// Registers `receiver` for reading here.
void register_receiver_b(const miocpp::Registry& registry, miocpp::posix::pipe::Receiver& receiver,
                         miocpp::Token token, std::error_code& ec);
/// Reads everything available here (until would_block).
std::string drain_b(miocpp::posix::pipe::Receiver& receiver, std::error_code& ec);

}  // namespace odr
