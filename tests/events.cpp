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
#include <miocpp/miocpp.hpp>

namespace {

using miocpp::Event;
using miocpp::Events;
using miocpp::Interest;
using miocpp::Poll;
using miocpp::Token;
using namespace std::chrono_literals;

// ---- Compile time
// --------------------------------------------------------------------------------

static_assert(sizeof(Event) == sizeof(miocpp::sys::Event), "Event is a view of the OS record");
static_assert(alignof(Event) == alignof(miocpp::sys::Event));
static_assert(!std::is_copy_constructible_v<Event> && !std::is_copy_assignable_v<Event>,
              "an Event is never copied out of Events");
static_assert(!std::is_default_constructible_v<Event>, "users never construct an Event");

static_assert(!std::is_copy_constructible_v<Events> && !std::is_copy_assignable_v<Events>);
static_assert(std::is_nothrow_move_constructible_v<Events> &&
              std::is_nothrow_move_assignable_v<Events>);
static_assert(std::is_constructible_v<Events, std::size_t>);
static_assert(!std::is_convertible_v<std::size_t, Events>, "the capacity constructor is explicit");

static_assert(std::random_access_iterator<Events::const_iterator>);
static_assert(std::is_same_v<std::iter_reference_t<Events::const_iterator>, const Event&>);
static_assert(std::is_same_v<std::iter_value_t<Events::const_iterator>, Event>);
static_assert(std::ranges::random_access_range<const Events>);
static_assert(std::ranges::sized_range<const Events>);
static_assert(std::is_same_v<std::ranges::range_reference_t<const Events>, const Event&>);

std::string text_of(const Event& event) {
  std::ostringstream os;
  os << event;
  return os.str();
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

/// Polls once (waiting up to 1 s for the first event) and returns the events' tokens in order.
std::vector<Token> poll_tokens(Poll& poll, Events& events) {
  std::error_code ec;
  poll.poll(events, 1s, ec);
  EXPECT_FALSE(ec) << ec.message();
  std::vector<Token> tokens;
  for (const Event& event : events) {
    tokens.push_back(event.token());
  }
  return tokens;
}

TEST(Events, CapacityIsAsGivenAndANewBufferIsEmpty) {
  for (const std::size_t capacity :
       {std::size_t{1}, std::size_t{3}, std::size_t{16}, std::size_t{1024}}) {
    const Events events(capacity);
    EXPECT_EQ(events.capacity(), capacity);
    EXPECT_EQ(events.size(), 0U);
    EXPECT_TRUE(events.empty());
    EXPECT_EQ(events.begin(), events.end());
  }
}

TEST(Events, CapacityZeroIsAnEmptyBuffer) {
  const Events events(0);
  EXPECT_EQ(events.capacity(), 0U);
  EXPECT_TRUE(events.empty());
  EXPECT_EQ(events.begin(), events.end());
  std::size_t visited = 0;
  for ([[maybe_unused]] const Event& event : events) {
    ++visited;
  }
  EXPECT_EQ(visited, 0U);
}

TEST(Events, PollNeverReturnsMoreThanCapacity) {
  const test::DescriptorLeakCheck leak_check;
  std::error_code ec;
  Poll poll(ec);
  ASSERT_FALSE(ec) << ec.message();
  constexpr std::size_t sources = 8;
  std::vector<test::ReadySource> fds;
  for (std::size_t i = 0; i < sources; ++i) {
    fds.push_back(test::ready_source());
    ASSERT_TRUE(fds.back().valid());
    ASSERT_EQ(
        test::register_source(poll.registry(), fds.back().socket, Token{i}, Interest::readable),
        std::error_code());
    ASSERT_TRUE(fds.back().make_ready());
  }

  Events events(3);
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

TEST(Events, CapacityOneDeliversOneEventPerPoll) {
  const test::DescriptorLeakCheck leak_check;
  std::error_code ec;
  Poll poll(ec);
  ASSERT_FALSE(ec) << ec.message();
  test::ReadySource first = test::ready_source();
  test::ReadySource second = test::ready_source();
  ASSERT_EQ(test::register_source(poll.registry(), first.socket, Token{1}, Interest::readable),
            std::error_code());
  ASSERT_EQ(test::register_source(poll.registry(), second.socket, Token{2}, Interest::readable),
            std::error_code());
  ASSERT_TRUE(first.make_ready());
  ASSERT_TRUE(second.make_ready());

  Events events(1);
  const std::vector<Token> one = poll_tokens(poll, events);
  const std::vector<Token> two = poll_tokens(poll, events);
  ASSERT_EQ(one.size(), 1U);
  ASSERT_EQ(two.size(), 1U);
  EXPECT_EQ((std::set<Token>{one[0], two[0]}), (std::set<Token>{Token{1}, Token{2}}));
  test::expect_no_events(poll, events);
}

TEST(Events, ClearEmptiesButKeepsCapacity) {
  const test::DescriptorLeakCheck leak_check;
  std::error_code ec;
  Poll poll(ec);
  ASSERT_FALSE(ec) << ec.message();
  test::ReadySource fd = test::ready_source();
  ASSERT_EQ(test::register_source(poll.registry(), fd.socket, Token{5}, Interest::readable),
            std::error_code());
  ASSERT_TRUE(fd.make_ready());

  Events events(16);
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

TEST(Events, PollReplacesThePreviousContents) {
  const test::DescriptorLeakCheck leak_check;
  std::error_code ec;
  Poll poll(ec);
  ASSERT_FALSE(ec) << ec.message();
  test::ReadySource fd = test::ready_source();
  ASSERT_EQ(test::register_source(poll.registry(), fd.socket, Token{9}, Interest::readable),
            std::error_code());
  ASSERT_TRUE(fd.make_ready());

  Events events(16);
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

TEST(Events, IterationIsRandomAccessOverTheEventsInPlace) {
  const test::DescriptorLeakCheck leak_check;
  std::error_code ec;
  Poll poll(ec);
  ASSERT_FALSE(ec) << ec.message();
  std::vector<test::ReadySource> fds;
  for (std::size_t i = 0; i < 4; ++i) {
    fds.push_back(test::ready_source());
    ASSERT_EQ(test::register_source(poll.registry(), fds.back().socket, Token{100 + i},
                                    Interest::readable),
              std::error_code());
    ASSERT_TRUE(fds.back().make_ready());
  }

  Events events(16);
  poll.poll(events, 1s, ec);
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_EQ(events.size(), 4U);

  const Events::const_iterator first = events.begin();
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

  Events::const_iterator last = events.end();
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

TEST(Events, AMovedToBufferKeepsTheEvents) {
  const test::DescriptorLeakCheck leak_check;
  std::error_code ec;
  Poll poll(ec);
  ASSERT_FALSE(ec) << ec.message();
  test::ReadySource fd = test::ready_source();
  ASSERT_EQ(test::register_source(poll.registry(), fd.socket, Token{77}, Interest::readable),
            std::error_code());
  ASSERT_TRUE(fd.make_ready());

  Events events(4);
#if MIOCPP_HAS_EXCEPTIONS
  poll.poll(events, 1s);  // the throwing overload fills the buffer just the same
#else
  poll.poll(events, 1s, ec);
  ASSERT_FALSE(ec) << ec.message();
#endif
  ASSERT_EQ(events.size(), 1U);

  Events moved(std::move(events));
  EXPECT_EQ(moved.capacity(), 4U);
  ASSERT_EQ(moved.size(), 1U);
  EXPECT_EQ(moved.begin()->token(), Token{77});
  EXPECT_TRUE(moved.begin()->is_readable());

  Events assigned(1);
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

TEST(Events, EventReportsTheRegisteredTokenAndReadiness) {
  const test::DescriptorLeakCheck leak_check;
  std::error_code ec;
  Poll poll(ec);
  ASSERT_FALSE(ec) << ec.message();
  test::ReadySource fd = test::ready_source();
  ASSERT_EQ(test::register_source(poll.registry(), fd.socket, Token{SIZE_MAX},
                                  Interest::readable | Interest::writable),
            std::error_code());
  ASSERT_TRUE(fd.make_ready());

  Events events(4);
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

TEST(Events, PrintsTheTokenAndEachSetFlag) {
  const test::DescriptorLeakCheck leak_check;
  std::error_code ec;
  Poll poll(ec);
  ASSERT_FALSE(ec) << ec.message();
  test::ReadySource fd = test::ready_source();
  ASSERT_EQ(test::register_source(poll.registry(), fd.socket, Token{42}, Interest::readable),
            std::error_code());
  ASSERT_TRUE(fd.make_ready());

  Events events(4);
  poll.poll(events, 1s, ec);
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_EQ(events.size(), 1U);
  const std::string text = text_of(*events.begin());
  EXPECT_TRUE(contains(text, "token: 42")) << text;
  EXPECT_TRUE(contains(text, "readable")) << text;
  EXPECT_FALSE(contains(text, "writable")) << text;
  EXPECT_FALSE(contains(text, "read_closed")) << text;
  EXPECT_FALSE(contains(text, "write_closed")) << text;
  EXPECT_FALSE(contains(text, "error")) << text;
  EXPECT_FALSE(contains(text, "priority")) << text;
  EXPECT_FALSE(contains(text, "aio")) << text;
  EXPECT_FALSE(contains(text, "lio")) << text;
#if MIOCPP_SELECTOR_EPOLL
  EXPECT_TRUE(contains(text, "EPOLLIN")) << text;
  EXPECT_FALSE(contains(text, "EPOLLOUT")) << text;
#elif MIOCPP_SELECTOR_POLL
  EXPECT_TRUE(contains(text, "POLLIN")) << text;
  EXPECT_FALSE(contains(text, "POLLOUT")) << text;
#elif MIOCPP_SELECTOR_KQUEUE
  EXPECT_TRUE(contains(text, "filter: EVFILT_READ")) << text;
  EXPECT_TRUE(contains(text, "EV_CLEAR")) << text;
  EXPECT_FALSE(contains(text, "EV_EOF")) << text;
  EXPECT_TRUE(contains(text, "udata: 42")) << text;
#elif MIOCPP_SELECTOR_IOCP
  EXPECT_TRUE(contains(text, "AFD_POLL_RECEIVE")) << text;
  EXPECT_FALSE(contains(text, "AFD_POLL_SEND")) << text;
#endif
}

TEST(Events, PrintsReadableAndWritableTogether) {
  const test::DescriptorLeakCheck leak_check;
  std::error_code ec;
  Poll poll(ec);
  ASSERT_FALSE(ec) << ec.message();
  test::ReadySource fd = test::ready_source();
  ASSERT_EQ(test::register_source(poll.registry(), fd.socket, Token{SIZE_MAX},
                                  Interest::readable | Interest::writable),
            std::error_code());
  ASSERT_TRUE(fd.make_ready());

  Events events(4);
  poll.poll(events, 1s, ec);
  ASSERT_FALSE(ec) << ec.message();
#if MIOCPP_SELECTOR_KQUEUE
  // One event per filter, each printing its own readiness and filter.
  ASSERT_EQ(events.size(), 2U) << test::describe(events);
  const std::string text = text_of(*events.begin()) + '\n' + text_of(*std::next(events.begin()));
  EXPECT_TRUE(contains(text, "filter: EVFILT_READ")) << text;
  EXPECT_TRUE(contains(text, "filter: EVFILT_WRITE")) << text;
#else
  ASSERT_EQ(events.size(), 1U);
  const std::string text = text_of(*events.begin());
#endif
  EXPECT_TRUE(contains(text, "token: " + std::to_string(SIZE_MAX))) << text;
  EXPECT_TRUE(contains(text, "readable")) << text;
  EXPECT_TRUE(contains(text, "writable")) << text;
#if MIOCPP_SELECTOR_EPOLL
  EXPECT_TRUE(contains(text, "EPOLLIN")) << text;
  EXPECT_TRUE(contains(text, "EPOLLOUT")) << text;
#elif MIOCPP_SELECTOR_POLL
  EXPECT_TRUE(contains(text, "POLLIN")) << text;
  EXPECT_TRUE(contains(text, "POLLOUT")) << text;
#elif MIOCPP_SELECTOR_IOCP
  EXPECT_TRUE(contains(text, "AFD_POLL_RECEIVE")) << text;
  EXPECT_TRUE(contains(text, "AFD_POLL_SEND")) << text;
#endif
}

}  // namespace
