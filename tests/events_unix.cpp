// Event on POSIX only: how an event prints the closed halves of a Unix socket pair whose peer hung
// up, and the error of a pipe whose reader is gone. The portable Event and Events tests are in
// events.cpp.
#include <chrono>
#include <sstream>
#include <string>
#include <system_error>

#include <gtest/gtest.h>

#include "support/expect.hpp"
#include "support/raw_fd.hpp"
#include <miocpp/miocpp.hpp>

namespace {

using miocpp::Event;
using miocpp::Events;
using miocpp::Interest;
using miocpp::Poll;
using miocpp::Token;
using namespace std::chrono_literals;

std::string text_of(const Event& event) {
  std::ostringstream os;
  os << event;
  return os.str();
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(Events, PrintsClosedHalvesWhenThePeerHangsUp) {
  const test::DescriptorLeakCheck leak_check;
  std::error_code ec;
  Poll poll(ec);
  ASSERT_FALSE(ec) << ec.message();
  test::SocketPair pair = test::make_socket_pair();
  ASSERT_TRUE(pair.first.valid());
  ASSERT_EQ(test::register_fd(poll.registry(), pair.first.get(), Token{3}, Interest::readable),
            std::error_code());
  pair.second.reset();

  Events events(4);
  poll.poll(events, 1s, ec);
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_EQ(events.size(), 1U);
  const Event& event = *events.begin();
  const std::string text = text_of(event);
  EXPECT_TRUE(event.is_read_closed());
  EXPECT_TRUE(contains(text, "token: 3")) << text;
  EXPECT_TRUE(contains(text, "read_closed")) << text;
#if MIOCPP_SELECTOR_KQUEUE
  // Only the read filter is registered, and write_closed is the write filter's EV_EOF.
  EXPECT_FALSE(event.is_write_closed());
  EXPECT_FALSE(contains(text, "write_closed")) << text;
  EXPECT_TRUE(contains(text, "EV_EOF")) << text;
#else
  EXPECT_TRUE(event.is_write_closed());
  EXPECT_TRUE(contains(text, "write_closed")) << text;
#endif
#if MIOCPP_SELECTOR_EPOLL
  EXPECT_TRUE(contains(text, "EPOLLHUP")) << text;
  EXPECT_TRUE(contains(text, "EPOLLRDHUP")) << text;
#elif MIOCPP_SELECTOR_POLL
  EXPECT_TRUE(contains(text, "POLLHUP")) << text;
  EXPECT_TRUE(contains(text, "POLLRDHUP")) << text;
#endif
}

TEST(Events, PrintsErrorWhenAPipesReaderIsGone) {
  const test::DescriptorLeakCheck leak_check;
  std::error_code ec;
  Poll poll(ec);
  ASSERT_FALSE(ec) << ec.message();
  test::PipeEnds pipe = test::open_pipe();
  poll.registry().register_source(pipe.sender, Token{8}, Interest::writable, ec);
  ASSERT_FALSE(ec) << ec.message();
  Events events(4);
  test::expect_events(poll, events, {{Token{8}, test::Ready::writable}});

  pipe.receiver = miocpp::posix::pipe::Receiver();  // closes the reading end

  poll.poll(events, 1s, ec);
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_EQ(events.size(), 1U);
  const Event& event = *events.begin();
  const std::string text = text_of(event);
  EXPECT_TRUE(event.is_write_closed());
  EXPECT_TRUE(contains(text, "token: 8")) << text;
  EXPECT_TRUE(contains(text, "write_closed")) << text;
#if MIOCPP_SELECTOR_KQUEUE
  // A pipe has no socket error: kqueue reports the lost reader as EV_EOF with fflags 0.
  EXPECT_FALSE(event.is_error());
  EXPECT_FALSE(contains(text, "error")) << text;
  EXPECT_TRUE(contains(text, "EV_EOF")) << text;
#else
  EXPECT_TRUE(event.is_error());
  EXPECT_TRUE(contains(text, "error")) << text;
#endif
#if MIOCPP_SELECTOR_EPOLL
  EXPECT_TRUE(contains(text, "EPOLLERR")) << text;
#elif MIOCPP_SELECTOR_POLL
  EXPECT_TRUE(contains(text, "POLLERR")) << text;
#endif
}

}  // namespace
