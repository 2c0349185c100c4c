// Event and Events: the buffer Poll::poll fills and the views it hands out.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <ranges>
#include <set>
#include <sstream>
#include <string>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "support/expect.hpp"
#include "support/net.hpp"
#include "support/raw_fd.hpp"
#include "support/setup.hpp"
#include <miocpp/miocpp.hpp>

namespace {

using namespace std::chrono_literals;
using miocpp::Event, miocpp::Interest, miocpp::Poll, miocpp::Token;

// ---- Compile time
// --------------------------------------------------------------------------------

static_assert(sizeof(Event) == sizeof(miocpp::sys::Event), "Event is a view of the OS record");
static_assert(alignof(Event) == alignof(miocpp::sys::Event));
static_assert(!std::is_copy_constructible_v<Event> && !std::is_copy_assignable_v<Event>,
              "an Event is never copied out of Events");
static_assert(!std::is_default_constructible_v<Event>, "users never construct an Event");

static_assert(!std::is_copy_constructible_v<miocpp::Events> &&
              !std::is_copy_assignable_v<miocpp::Events>);
static_assert(std::is_nothrow_move_constructible_v<miocpp::Events> &&
              std::is_nothrow_move_assignable_v<miocpp::Events>);
static_assert(std::is_constructible_v<miocpp::Events, std::size_t>);
static_assert(!std::is_convertible_v<std::size_t, miocpp::Events>,
              "the capacity constructor is explicit");

static_assert(std::random_access_iterator<miocpp::Events::const_iterator>);
static_assert(std::is_same_v<std::iter_reference_t<miocpp::Events::const_iterator>, const Event&>);
static_assert(std::is_same_v<std::iter_value_t<miocpp::Events::const_iterator>, Event>);
static_assert(std::ranges::random_access_range<const miocpp::Events>);
static_assert(std::ranges::sized_range<const miocpp::Events>);
static_assert(std::is_same_v<std::ranges::range_reference_t<const miocpp::Events>, const Event&>);

/// Polls once (waiting up to 1 s for the first event) and returns the events' tokens in order.
std::vector<Token> poll_tokens(Poll& poll, miocpp::Events& events) {
  std::error_code ec;
  poll.poll(events, 1s, ec);
  EXPECT_FALSE(ec) << ec.message();
  std::vector<Token> tokens;
  for (const Event& event : events) {
    tokens.push_back(event.token());
  }
  return tokens;
}

/// The suite of miocpp::Events's tests, each of which leaves the descriptors as it found them.
class Events : public test::LeakChecked<> {};

TEST_F(Events, CapacityIsAsGivenAndANewBufferIsEmpty) {
  for (const std::size_t capacity :
       {std::size_t{1}, std::size_t{3}, std::size_t{16}, std::size_t{1024}}) {
    const miocpp::Events events(capacity);
    EXPECT_EQ(events.capacity(), capacity);
    EXPECT_EQ(events.size(), 0U);
    EXPECT_TRUE(events.empty());
    EXPECT_EQ(events.begin(), events.end());
  }
}

TEST_F(Events, CapacityZeroIsAnEmptyBuffer) {
  const miocpp::Events events(0);
  EXPECT_EQ(events.capacity(), 0U);
  EXPECT_TRUE(events.empty());
  EXPECT_EQ(events.begin(), events.end());
  std::size_t visited = 0;
  for ([[maybe_unused]] const Event& event : events) {
    ++visited;
  }
  EXPECT_EQ(visited, 0U);
}

TEST_F(Events, PollNeverReturnsMoreThanCapacity) {
  OPEN_POLL(poll);
  constexpr std::size_t sources = 8;
  std::vector<test::ReadySource> fds;
  for (std::size_t i = 0; i < sources; ++i) {
    fds.push_back(test::ready_source());
    ASSERT_TRUE(fds.back().valid());
    REGISTER(poll, fds.back().socket, Token{i}, Interest::readable);
    ASSERT_TRUE(fds.back().make_ready());
  }

  miocpp::Events events(3);
  std::set<Token> seen;
  // Edge-triggered: each source is reported once, so the 8 ready sources come 3 + 3 + 2.
  for (const std::size_t expected : {std::size_t{3}, std::size_t{3}, std::size_t{2}}) {
    const std::vector<Token> tokens = poll_tokens(poll, events);
    EXPECT_EQ(tokens.size(), expected);
    EXPECT_LE(events.size(), events.capacity());
    for (const Token token : tokens) {
      EXPECT_LT(token.value, sources);
      EXPECT_TRUE(seen.insert(token).second) << "token " << token.value << " reported twice";
    }
  }
  EXPECT_EQ(seen.size(), sources);
  test::expect_no_events(poll, events);
}

TEST_F(Events, CapacityOneDeliversOneEventPerPoll) {
  OPEN_POLL(poll);
  test::ReadySource first = test::ready_source();
  test::ReadySource second = test::ready_source();
  REGISTER(poll, first.socket, Token{1}, Interest::readable);
  REGISTER(poll, second.socket, Token{2}, Interest::readable);
  ASSERT_TRUE(first.make_ready());
  ASSERT_TRUE(second.make_ready());

  miocpp::Events events(1);
  const std::vector<Token> one = poll_tokens(poll, events);
  const std::vector<Token> two = poll_tokens(poll, events);
  ASSERT_EQ(one.size(), 1U);
  ASSERT_EQ(two.size(), 1U);
  EXPECT_EQ((std::set<Token>{one[0], two[0]}), (std::set<Token>{Token{1}, Token{2}}));
  test::expect_no_events(poll, events);
}

TEST_F(Events, ClearEmptiesButKeepsCapacity) {
  OPEN_POLL(poll);
  std::error_code ec;
  READY_SOURCE(fd, poll, Token{5});

  miocpp::Events events(16);
  poll.poll(events, 1s, ec);
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_EQ(events.size(), 1U);
  EXPECT_FALSE(events.empty());

  events.clear();
  EXPECT_TRUE(events.empty());
  EXPECT_EQ(events.size(), 0U);
  EXPECT_EQ(events.begin(), events.end());
  EXPECT_EQ(events.capacity(), 16U);
}

TEST_F(Events, PollReplacesThePreviousContents) {
  OPEN_POLL(poll);
  std::error_code ec;
  READY_SOURCE(fd, poll, Token{9});

  miocpp::Events events(16);
  poll.poll(events, 1s, ec);
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(events.begin()->token(), Token{9});

  // Nothing new is ready: the second poll must not leave the old event in place.
  poll.poll(events, 0ms, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_TRUE(events.empty()) << test::describe(events);
  EXPECT_EQ(events.size(), 0U);
}

TEST_F(Events, IterationIsRandomAccessOverTheEventsInPlace) {
  OPEN_POLL(poll);
  std::error_code ec;
  std::vector<test::ReadySource> fds;
  for (std::size_t i = 0; i < 4; ++i) {
    fds.push_back(test::ready_source());
    REGISTER(poll, fds.back().socket, Token{100 + i}, Interest::readable);
    ASSERT_TRUE(fds.back().make_ready());
  }

  miocpp::Events events(16);
  poll.poll(events, 1s, ec);
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_EQ(events.size(), 4U);

  const miocpp::Events::const_iterator first = events.begin();
  EXPECT_EQ(events.end() - first, 4);
  EXPECT_EQ(std::ranges::distance(events), 4);
  EXPECT_EQ(std::ranges::size(events), 4U);

  std::vector<Token> by_range_for;
  for (const Event& event : events) {
    by_range_for.push_back(event.token());
  }
  std::set<Token> distinct;
  for (std::ptrdiff_t i = 0; i < 4; ++i) {
    // Indexing, arithmetic and -> all reach the same record.
    EXPECT_EQ(first[i].token(), by_range_for[static_cast<std::size_t>(i)]);
    EXPECT_EQ((first + i)->token(), by_range_for[static_cast<std::size_t>(i)]);
    EXPECT_EQ(&*(first + i), &first[i]);
    EXPECT_TRUE((first + i)->is_readable());
    distinct.insert(first[i].token());
  }
  EXPECT_EQ(distinct, (std::set<Token>{Token{100}, Token{101}, Token{102}, Token{103}}));

  miocpp::Events::const_iterator last = events.end();
  --last;
  EXPECT_EQ(last->token(), by_range_for.back());
  EXPECT_LT(first, last);

  // Reverse iteration works too (bidirectional is part of random access).
  std::vector<Token> reversed;
  for (auto it = std::make_reverse_iterator(events.end());
       it != std::make_reverse_iterator(events.begin()); ++it) {
    reversed.push_back(it->token());
  }
  EXPECT_EQ(reversed, std::vector<Token>(by_range_for.rbegin(), by_range_for.rend()));
}

TEST_F(Events, AMovedToBufferKeepsTheEvents) {
  OPEN_POLL(poll);
  std::error_code ec;
  READY_SOURCE(fd, poll, Token{77});

  miocpp::Events events(4);
#if MIOCPP_HAS_EXCEPTIONS
  poll.poll(events, 1s);  // the throwing overload fills the buffer just the same
#else
  poll.poll(events, 1s, ec);
  ASSERT_FALSE(ec) << ec.message();
#endif
  ASSERT_EQ(events.size(), 1U);

  miocpp::Events moved(std::move(events));
  EXPECT_EQ(moved.capacity(), 4U);
  ASSERT_EQ(moved.size(), 1U);
  EXPECT_EQ(moved.begin()->token(), Token{77});
  EXPECT_TRUE(moved.begin()->is_readable());

  miocpp::Events assigned(1);
  assigned = std::move(moved);
  EXPECT_EQ(assigned.capacity(), 4U);
  ASSERT_EQ(assigned.size(), 1U);
  EXPECT_EQ(assigned.begin()->token(), Token{77});

  // The buffer still works for polling after being moved.
  // Drained to would-block first: poll(2) and the Windows backend report a source again only
  // after that.
  EXPECT_EQ(fd.drain(), 1U);
  ASSERT_TRUE(fd.make_ready());
  test::expect_events(poll, assigned, {{Token{77}, test::Ready::readable}});
}

TEST_F(Events, EventReportsTheRegisteredTokenAndReadiness) {
  OPEN_POLL(poll);
  std::error_code ec;
  test::ReadySource fd = test::ready_source();
  REGISTER(poll, fd.socket, Token{SIZE_MAX}, Interest::readable | Interest::writable);
  ASSERT_TRUE(fd.make_ready());

  miocpp::Events events(4);
  poll.poll(events, 1s, ec);
  ASSERT_FALSE(ec) << ec.message();
#if MIOCPP_SELECTOR_KQUEUE
  // kqueue reports each filter on its own: a readable event and a writable one, same token.
  ASSERT_EQ(events.size(), 2U) << test::describe(events);
  for (const Event& event : events) {
    EXPECT_EQ(event.token(), Token{SIZE_MAX});
    EXPECT_NE(event.is_readable(), event.is_writable()) << event;
    EXPECT_FALSE(event.is_error());
    EXPECT_FALSE(event.is_read_closed());
    EXPECT_FALSE(event.is_write_closed());
    EXPECT_FALSE(event.is_priority());
    EXPECT_FALSE(event.is_aio());
    EXPECT_FALSE(event.is_lio());
  }
  EXPECT_EQ(test::readiness_for(events, Token{SIZE_MAX}),
            test::Ready::readable | test::Ready::writable)
      << test::describe(events);
#else
  ASSERT_EQ(events.size(), 1U);
  const Event& event = *events.begin();
  EXPECT_EQ(event.token(), Token{SIZE_MAX});
  EXPECT_TRUE(event.is_readable());
  EXPECT_TRUE(event.is_writable());
  EXPECT_FALSE(event.is_error());
  EXPECT_FALSE(event.is_read_closed());
  EXPECT_FALSE(event.is_write_closed());
  EXPECT_FALSE(event.is_priority());
  EXPECT_FALSE(event.is_aio());
  EXPECT_FALSE(event.is_lio());
#endif
}

TEST_F(Events, PrintsTheTokenAndEachSetFlag) {
  OPEN_POLL(poll);
  std::error_code ec;
  READY_SOURCE(fd, poll, Token{42});

  miocpp::Events events(4);
  poll.poll(events, 1s, ec);
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_EQ(events.size(), 1U);
  const std::string text = test::printed(*events.begin());
  test::expect_mentions(
      text, {"token: 42", "readable"},
      {"writable", "read_closed", "write_closed", "error", "priority", "aio", "lio"});
#if MIOCPP_SELECTOR_EPOLL
  test::expect_mentions(text, {"EPOLLIN"}, {"EPOLLOUT"});
#elif MIOCPP_SELECTOR_POLL
  test::expect_mentions(text, {"POLLIN"}, {"POLLOUT"});
#elif MIOCPP_SELECTOR_KQUEUE
  test::expect_mentions(text, {"filter: EVFILT_READ", "EV_CLEAR", "udata: 42"}, {"EV_EOF"});
#elif MIOCPP_SELECTOR_IOCP
  test::expect_mentions(text, {"AFD_POLL_RECEIVE"}, {"AFD_POLL_SEND"});
#endif
}

TEST_F(Events, PrintsReadableAndWritableTogether) {
  OPEN_POLL(poll);
  std::error_code ec;
  test::ReadySource fd = test::ready_source();
  REGISTER(poll, fd.socket, Token{SIZE_MAX}, Interest::readable | Interest::writable);
  ASSERT_TRUE(fd.make_ready());

  miocpp::Events events(4);
  poll.poll(events, 1s, ec);
  ASSERT_FALSE(ec) << ec.message();
#if MIOCPP_SELECTOR_KQUEUE
  // One event per filter, each printing its own readiness and filter.
  ASSERT_EQ(events.size(), 2U) << test::describe(events);
  const std::string text =
      test::printed(*events.begin()) + '\n' + test::printed(*std::next(events.begin()));
  test::expect_mentions(text, {"filter: EVFILT_READ", "filter: EVFILT_WRITE"});
#else
  ASSERT_EQ(events.size(), 1U);
  const std::string text = test::printed(*events.begin());
#endif
  EXPECT_TRUE(test::contains(text, "token: " + std::to_string(SIZE_MAX))) << text;
  test::expect_mentions(text, {"readable", "writable"});
#if MIOCPP_SELECTOR_EPOLL
  test::expect_mentions(text, {"EPOLLIN", "EPOLLOUT"});
#elif MIOCPP_SELECTOR_POLL
  test::expect_mentions(text, {"POLLIN", "POLLOUT"});
#elif MIOCPP_SELECTOR_IOCP
  test::expect_mentions(text, {"AFD_POLL_RECEIVE", "AFD_POLL_SEND"});
#endif
}

}  // namespace
