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
#include "support/setup.hpp"
#include <miocpp/miocpp.hpp>

namespace {

using miocpp::Event, miocpp::Interest, miocpp::Token;

/// The suite of miocpp::Events's tests, each of which leaves the descriptors as it found them.
class Events : public test::LeakChecked<> {};

TEST_F(Events, PrintsClosedHalvesWhenThePeerHangsUp) {
  OPEN_POLL(poll);
  test::SocketPair pair = test::make_socket_pair();
  ASSERT_TRUE(pair.first.valid());
  REGISTER_FD(poll, pair.first.get(), Token{3}, Interest::readable);
  pair.second.reset();

  miocpp::Events events(4);
  const Event* event = test::expect_exactly_one_event(poll, events, Token{3});
  ASSERT_NE(event, nullptr);
  const std::string text = test::printed(*event);
  EXPECT_TRUE(event->is_read_closed());
  test::expect_mentions(text, {"token: 3", "read_closed"});
#if MIOCPP_SELECTOR_KQUEUE
  // Only the read filter is registered, and write_closed is the write filter's EV_EOF.
  EXPECT_FALSE(event->is_write_closed());
  test::expect_mentions(text, {"EV_EOF"}, {"write_closed"});
#else
  EXPECT_TRUE(event->is_write_closed());
  test::expect_mentions(text, {"write_closed"});
#endif
#if MIOCPP_SELECTOR_EPOLL
  test::expect_mentions(text, {"EPOLLHUP", "EPOLLRDHUP"});
#elif MIOCPP_SELECTOR_POLL
  test::expect_mentions(text, {"POLLHUP", "POLLRDHUP"});
#endif
}

TEST_F(Events, PrintsErrorWhenAPipesReaderIsGone) {
  OPEN_POLL(poll);
  test::PipeEnds pipe = test::open_pipe();
  REGISTER(poll, pipe.sender, Token{8}, Interest::writable);
  miocpp::Events events(4);
  test::expect_events(poll, events, {{Token{8}, test::Ready::writable}});

  pipe.receiver = miocpp::posix::pipe::Receiver();  // closes the reading end

  const Event* event = test::expect_exactly_one_event(poll, events, Token{8});
  ASSERT_NE(event, nullptr);
  const std::string text = test::printed(*event);
  EXPECT_TRUE(event->is_write_closed());
  test::expect_mentions(text, {"token: 8", "write_closed"});
#if MIOCPP_SELECTOR_KQUEUE
  // A pipe has no socket error: kqueue reports the lost reader as EV_EOF with fflags 0.
  EXPECT_FALSE(event->is_error());
  test::expect_mentions(text, {"EV_EOF"}, {"error"});
#else
  EXPECT_TRUE(event->is_error());
  test::expect_mentions(text, {"error"});
#endif
#if MIOCPP_SELECTOR_EPOLL
  test::expect_mentions(text, {"EPOLLERR"});
#elif MIOCPP_SELECTOR_POLL
  test::expect_mentions(text, {"POLLERR"});
#endif
}

}  // namespace
