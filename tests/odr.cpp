// The whole library in two more translation units of one program (odr_a.cpp, odr_b.cpp): the
// inline definitions link without clashes, objects made in one unit work in the other, and the
// state that must exist once per program (the Poll id counter, a Poll's Waker slot) is shared.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <system_error>

#include <gtest/gtest.h>

#include "support/odr_probe.hpp"
#include <miocpp/miocpp.hpp>

namespace {

using miocpp::Token;

TEST(Odr, EachTranslationUnitWakesAndPolls) {
  const odr::Report a = odr::round_trip_a(Token(1), Token(2), "from unit a");
  EXPECT_FALSE(a.error) << a.error.message();
  EXPECT_EQ(a.waker_events, 1U);
  EXPECT_EQ(a.stream_events, 1U);
  EXPECT_EQ(a.other_events, 0U);
  EXPECT_EQ(a.received, "from unit a");

  const odr::Report b = odr::round_trip_b(Token(SIZE_MAX), Token(0), "and from unit b");
  EXPECT_FALSE(b.error) << b.error.message();
  EXPECT_EQ(b.waker_events, 1U);
  EXPECT_EQ(b.stream_events, 1U);
  EXPECT_EQ(b.other_events, 0U);
  EXPECT_EQ(b.received, "and from unit b");
}

TEST(Odr, PollIdsComeFromOneCounter) {
  const std::uint64_t first = odr::new_poll_id_a();
  const std::uint64_t second = odr::new_poll_id_b();
  const std::uint64_t third = odr::new_poll_id_a();
  std::error_code ec;
  const miocpp::Poll here(ec);
  ASSERT_FALSE(ec) << ec.message();
  const std::uint64_t fourth = miocpp::detail::RegistryAccess::identity(here.registry()).id();
  EXPECT_NE(first, 0U);
  EXPECT_LT(first, second);
  EXPECT_LT(second, third);
  EXPECT_LT(third, fourth);
}

TEST(Odr, ObjectsCrossTranslationUnits) {
  std::error_code ec;
  miocpp::Poll poll = odr::open_poll_a(ec);  // made in unit a
  ASSERT_FALSE(ec) << ec.message();
  miocpp::Events events(8);

  // The Waker slot is one per Poll, whichever unit asks.
  std::optional<miocpp::Waker> waker = odr::make_waker_b(poll.registry(), Token(7), ec);
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_TRUE(waker.has_value());
  EXPECT_FALSE(odr::make_waker_a(poll.registry(), Token(8), ec).has_value());
  EXPECT_EQ(ec, std::errc::file_exists) << ec.message();
  EXPECT_FALSE(odr::make_waker_b(poll.registry(), Token(8), ec).has_value());
  EXPECT_EQ(ec, std::errc::file_exists) << ec.message();

  // Streams made here, registered in unit b, written here, polled in unit a, read in unit b.
  auto [sender, receiver] = odr::open_streams(ec);
  ASSERT_FALSE(ec) << ec.message();
  odr::register_receiver_b(poll.registry(), receiver, Token(9), ec);
  ASSERT_FALSE(ec) << ec.message();
  poll.registry().register_source(receiver, Token(9), miocpp::Interest::readable, ec);
  EXPECT_EQ(ec, std::errc::file_exists) << ec.message();

  const std::string_view message = "across units";
  EXPECT_EQ(sender.write(std::as_bytes(std::span(message.data(), message.size())), ec),
            message.size());
  ASSERT_FALSE(ec) << ec.message();
  std::size_t others = 0;
  EXPECT_EQ(odr::poll_count_a(poll, events, Token(9), others, ec), 1U);
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_EQ(odr::drain_b(receiver, ec), message);
  EXPECT_FALSE(ec) << ec.message();

  waker->wake(ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(odr::poll_count_a(poll, events, Token(7), others, ec), 1U);
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_EQ(others, 0U);

  // Once the Waker is gone, the other unit may create one.
  waker.reset();
  waker = odr::make_waker_a(poll.registry(), Token(10), ec);
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_TRUE(waker.has_value());
}

}  // namespace
