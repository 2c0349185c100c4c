// Registry::register_source / reregister / deregister: what they change, and the errors they
// report, with sockets as the sources (and user-defined sources). The raw-descriptor (SourceFd) and
// pipe-end cases are in registering_unix.cpp.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "support/expect.hpp"
#include "support/io.hpp"
#include "support/net.hpp"
#include "support/raw_fd.hpp"
#include "support/setup.hpp"
#include <miocpp/miocpp.hpp>

namespace {

using namespace std::chrono_literals;
using miocpp::Events, miocpp::Interest, miocpp::Poll, miocpp::Registry, miocpp::Token;
using test::Ready;

/// A user-defined source: records what the Registry hands it and answers with `result`.
struct RecordingSource {
  struct Call {
    std::string operation;
    const Registry* registry;
    Token token;
    std::optional<Interest> interest;
  };

  void register_source(const Registry& registry, Token token, Interest interest,
                       std::error_code& ec) noexcept {
    calls.push_back({"register", &registry, token, interest});
    ec = result;
  }
  void reregister(const Registry& registry, Token token, Interest interest,
                  std::error_code& ec) noexcept {
    calls.push_back({"reregister", &registry, token, interest});
    ec = result;
  }
  void deregister(const Registry& registry, std::error_code& ec) noexcept {
    calls.push_back({"deregister", &registry, Token{}, std::nullopt});
    ec = result;
  }

  std::vector<Call> calls;
  std::error_code result;
};

/// Like a source, but its members may throw: not a Source.
struct ThrowingMembers {
  void register_source(const Registry&, Token, Interest, std::error_code&) {}
  void reregister(const Registry&, Token, Interest, std::error_code&) {}
  void deregister(const Registry&, std::error_code&) {}
};

static_assert(miocpp::event::Source<RecordingSource>);
static_assert(miocpp::event::Source<miocpp::net::UdpSocket>);
static_assert(!miocpp::event::Source<const miocpp::net::UdpSocket>);
static_assert(!miocpp::event::Source<ThrowingMembers>, "the members must be noexcept");
static_assert(!miocpp::event::Source<int>);

/// Every test leaves the descriptors as it found them.
class Registering : public test::LeakChecked<> {};

// ---- Register, reregister, deregister
// ------------------------------------------------------------

TEST_F(Registering, ReadinessPresentAtRegistrationIsReported) {
  OPEN_POLL(poll, events(8));
  test::ReadySource source = test::ready_source();
  ASSERT_TRUE(source.make_ready("early"));

  REGISTER(poll, source.socket, Token{3}, Interest::readable);
  test::expect_events(poll, events, {{Token{3}, Ready::readable}});
}

TEST_F(Registering, ReregisterReplacesTheToken) {
  OPEN_POLL(poll, events(8));
  std::error_code ec;
  test::ReadySource source = test::ready_source();
  REGISTER(poll, source.socket, Token{10}, Interest::readable);
  REREGISTER(poll, source.socket, Token{11}, Interest::readable);

  ASSERT_TRUE(source.make_ready("data"));
  poll.poll(events, 1s, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_TRUE(test::has_token(events, Token{11})) << test::describe(events);
  EXPECT_FALSE(test::has_token(events, Token{10})) << test::describe(events);
}

TEST_F(Registering, ReregisterWithTheSameTokenAndInterestIsFine) {
  OPEN_POLL(poll, events(8));
  test::ReadySource source = test::ready_source();
  REGISTER(poll, source.socket, Token{1}, Interest::writable);
  for (int i = 0; i < 3; ++i) {
    REREGISTER(poll, source.socket, Token{1}, Interest::writable);
  }
  test::expect_events(poll, events, {{Token{1}, Ready::writable}});
}

TEST_F(Registering, ReregisterReplacesTheInterest) {
  OPEN_POLL(poll, events(8));
  test::StreamPair pair = test::connected_pair(test::any_local_address());
  ASSERT_NE(pair.client.native_handle(), test::invalid_socket);
  REGISTER(poll, pair.client, Token{20}, Interest::writable);
  test::expect_events(poll, events, {{Token{20}, Ready::writable}});

  // A stream whose peer sends nothing is never readable: with readable interest it reports
  // nothing, not even when it becomes writable again (filled, then emptied by the peer).
  REREGISTER(poll, pair.client, Token{21}, Interest::readable);
  test::expect_no_events(poll, events);
  EXPECT_GT(test::fill(pair.client, 64 * 1024), 0U);
  EXPECT_GT(test::drain(pair.server, 64 * 1024), 0U);
  test::expect_no_events(poll, events);

  // Back to writable, with yet another token: the space in the buffer is reported at once.
  REREGISTER(poll, pair.client, Token{22}, Interest::writable);
  test::expect_events(poll, events, {{Token{22}, Ready::writable}});
}

TEST_F(Registering, ReregisterBeforePollingDropsTheOldInterestsEvent) {
  OPEN_POLL(poll, events(8));
  std::error_code ec;
  test::StreamPair pair = test::connected_pair(test::any_local_address());
  ASSERT_NE(pair.client.native_handle(), test::invalid_socket);
  // Not writable: its buffers are full, and the peer does not read.
  EXPECT_GT(test::fill(pair.client, 64 * 1024), 0U);
  REGISTER(poll, pair.client, Token{1}, Interest::readable);
  ASSERT_EQ(pair.server.write(test::bytes_of("unseen"), ec), 6U);
  ASSERT_TRUE(test::raw_wait(pair.client.native_handle(), POLLIN));

  // Readable now, but before any poll the interest becomes writable, which it is not.
  REREGISTER(poll, pair.client, Token{2}, Interest::writable);
  test::expect_no_events(poll, events, 100ms);
}

TEST_F(Registering, DeregisteredSourcesGiveNoEventsAndCanRegisterAgain) {
  OPEN_POLL(poll, events(8));
  test::ReadySource source = test::ready_source();
  REGISTER(poll, source.socket, Token{5}, Interest::readable);
  DEREGISTER(poll, source.socket);

  ASSERT_TRUE(source.make_ready("ignored"));
  test::expect_no_events(poll, events);

  REGISTER(poll, source.socket, Token{6}, Interest::readable);
  test::expect_events(poll, events, {{Token{6}, Ready::readable}});
}

TEST_F(Registering, ASourceRegisteredThroughACloneBelongsToTheSamePoll) {
  OPEN_POLL(poll);
  std::error_code ec;
  const Registry clone = poll.registry().try_clone(ec);
  ASSERT_FALSE(ec) << ec.message();
  Events events(8);
  test::ReadySource source = test::ready_source();

  clone.register_source(source.socket, Token{1}, Interest::readable, ec);
  ASSERT_FALSE(ec) << ec.message();
  // Same Poll: registering again is a duplicate, reregister and deregister work.
  poll.registry().register_source(source.socket, Token{1}, Interest::readable, ec);
  EXPECT_EQ(ec, std::errc::file_exists) << ec.message();
  REREGISTER(poll, source.socket, Token{2}, Interest::readable);
  ASSERT_TRUE(source.make_ready("x"));
  test::expect_events(poll, events, {{Token{2}, Ready::readable}});
  DEREGISTER(poll, source.socket);
  clone.deregister(source.socket, ec);
  EXPECT_EQ(ec, std::errc::no_such_file_or_directory) << ec.message();
}

// ---- Tokens
// ---------------------------------------------------------------------------------------

TEST_F(Registering, EveryTokenValueRoundTripsThroughAnEvent) {
  OPEN_POLL(poll, events(8));
  std::error_code ec;
  test::ReadySource fd = test::ready_source();
  miocpp::net::UdpSocket& source = fd.socket;

  const std::array<std::size_t, 5> values = {0, 1, std::size_t{UINT32_MAX} + 1, SIZE_MAX - 1,
                                             SIZE_MAX};
  REGISTER(poll, source, Token{values[0]}, Interest::readable);
  for (const std::size_t value : values) {
    REREGISTER(poll, source, Token{value}, Interest::readable);
    ASSERT_TRUE(fd.make_ready());
    poll.poll(events, 1s, ec);
    ASSERT_FALSE(ec) << ec.message();
    ASSERT_EQ(events.size(), 1U) << test::describe(events);
    EXPECT_EQ(events.begin()->token().value, value);
  }

  // Several registrations in one poll, each keeping its own extreme token.
  test::ReadySource other = test::ready_source();
  REGISTER(poll, other.socket, Token{0}, Interest::readable);
#if MIOCPP_SELECTOR_POLL || MIOCPP_SELECTOR_IOCP
  // poll(2) and the Windows backend report a source once per arming (until an operation would
  // block): the last event used `fd`'s up.
  REREGISTER(poll, source, Token{SIZE_MAX}, Interest::readable);
#endif
  ASSERT_TRUE(fd.make_ready());
  ASSERT_TRUE(other.make_ready());
  test::expect_events(poll, events,
                      {{Token{SIZE_MAX}, Ready::readable}, {Token{0}, Ready::readable}});
}

// ---- User-defined sources
// -------------------------------------------------------------------------

TEST_F(Registering, ARegistryHandsAUserSourceItselfAndTheArguments) {
  OPEN_POLL(poll);
  std::error_code ec;
  RecordingSource source;

  poll.registry().register_source(source, Token{1}, Interest::readable, ec);
  EXPECT_FALSE(ec);
  poll.registry().reregister(source, Token{2}, Interest::readable | Interest::writable, ec);
  EXPECT_FALSE(ec);
  poll.registry().deregister(source, ec);
  EXPECT_FALSE(ec);

  ASSERT_EQ(source.calls.size(), 3U);
  EXPECT_EQ(source.calls[0].operation, "register");
  EXPECT_EQ(source.calls[0].registry, &poll.registry());
  EXPECT_EQ(source.calls[0].token, Token{1});
  EXPECT_EQ(source.calls[0].interest, Interest::readable);
  EXPECT_EQ(source.calls[1].operation, "reregister");
  EXPECT_EQ(source.calls[1].registry, &poll.registry());
  EXPECT_EQ(source.calls[1].token, Token{2});
  EXPECT_EQ(source.calls[1].interest, Interest::readable | Interest::writable);
  EXPECT_EQ(source.calls[2].operation, "deregister");
  EXPECT_EQ(source.calls[2].registry, &poll.registry());
}

TEST_F(Registering, AUserSourcesErrorReachesTheCaller) {
  OPEN_POLL(poll);
  std::error_code ec;
  RecordingSource source;
  source.result = std::make_error_code(std::errc::device_or_resource_busy);

  poll.registry().register_source(source, Token{1}, Interest::readable, ec);
  EXPECT_EQ(ec, std::errc::device_or_resource_busy);
  ec.clear();
  poll.registry().reregister(source, Token{1}, Interest::readable, ec);
  EXPECT_EQ(ec, std::errc::device_or_resource_busy);
  ec.clear();
  poll.registry().deregister(source, ec);
  EXPECT_EQ(ec, std::errc::device_or_resource_busy);

#if MIOCPP_HAS_EXCEPTIONS
  const auto expect_throws = [](auto&& call) {
    EXPECT_EQ(test::thrown_code(call), std::errc::device_or_resource_busy);
  };
  expect_throws([&] { poll.registry().register_source(source, Token{1}, Interest::readable); });
  expect_throws([&] { poll.registry().reregister(source, Token{1}, Interest::readable); });
  expect_throws([&] { poll.registry().deregister(source); });

  source.result.clear();
  EXPECT_NO_THROW(poll.registry().register_source(source, Token{1}, Interest::readable));
#endif
}

}  // namespace
