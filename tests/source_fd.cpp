// posix::SourceFd: registering raw descriptors (eventfd, pipes, socket pairs), edge-triggered.
#include <fcntl.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <system_error>
#include <type_traits>

#include <gtest/gtest.h>

#include "support/expect.hpp"
#include "support/raw_fd.hpp"
#include "support/setup.hpp"
#include <miocpp/miocpp.hpp>

namespace {

using namespace std::chrono_literals;
using miocpp::Event, miocpp::Events, miocpp::Interest, miocpp::Poll, miocpp::Token;
using test::Ready;
namespace posix = miocpp::posix;

static_assert(std::is_constructible_v<posix::SourceFd, int>);
static_assert(!std::is_convertible_v<int, posix::SourceFd>, "SourceFd{fd} is explicit");
static_assert(!std::is_default_constructible_v<posix::SourceFd>);
static_assert(std::is_trivially_copyable_v<posix::SourceFd>, "a non-owning value");
static_assert(posix::SourceFd{5}.fd() == 5, "constexpr");
static_assert(posix::SourceFd{-1}.fd() == -1);
static_assert(miocpp::event::Source<posix::SourceFd>);
static_assert(miocpp::event::ValueSource<posix::SourceFd>);

/// Whether the Registry takes a temporary `S` (as mio takes `&mut SourceFd(&fd)`).
template <class S>
concept TakesATemporary = requires(const miocpp::Registry& registry, std::error_code& ec) {
  registry.register_source(S{}, Token{0}, Interest::readable, ec);
  registry.reregister(S{}, Token{0}, Interest::readable, ec);
  registry.deregister(S{}, ec);
};
struct DefaultFd : posix::SourceFd {
  DefaultFd() noexcept : SourceFd(-1) {}
};
static_assert(TakesATemporary<DefaultFd>);
// An owning source passed as a temporary would be closed right after registering: refused.
static_assert(!TakesATemporary<miocpp::net::TcpStream>);
static_assert(!TakesATemporary<miocpp::posix::pipe::Receiver>);

#if MIOCPP_SELECTOR_POLL
/// poll(2) emulates edges by disarming what it has reported. A raw descriptor's I/O does not go
/// through miocpp, so only a reregistration re-arms it: asserts that the new readiness stays
/// unreported until then, then reregisters.
void expect_quiet_until_reregistered(Poll& poll, Events& events, int fd, Token token,
                                     Interest interest) {
  test::expect_no_events(poll, events);
  posix::SourceFd source{fd};
  REREGISTER(poll, source, token, interest);
}
#endif

/// The event for `token` in `events`, or nullptr.
const Event* find(const Events& events, Token token) {
  const auto* found = std::find_if(events.begin(), events.end(),
                                   [token](const Event& event) { return event.token() == token; });
  return found == events.end() ? nullptr : found;
}

/// The suite of posix::SourceFd's tests, each of which leaves the descriptors as it found them.
class SourceFd : public test::LeakChecked<> {};

TEST_F(SourceFd, HoldsTheDescriptorWithoutOwningIt) {
  test::OwnedFd fd = test::make_eventfd();
  ASSERT_TRUE(fd.valid());
  {
    const posix::SourceFd source{fd.get()};
    EXPECT_EQ(source.fd(), fd.get());
    const posix::SourceFd copy = source;
    EXPECT_EQ(copy.fd(), fd.get());
  }
  // Destroying the SourceFd (and its copy) left the descriptor open.
  EXPECT_NE(::fcntl(fd.get(), F_GETFD), -1);
}

TEST_F(SourceFd, RegistersAnEventfdForReading) {
  OPEN_POLL(poll, events(8));
  std::error_code ec;
  test::OwnedFd fd = test::make_eventfd();
  posix::SourceFd source{fd.get()};
  REGISTER(poll, source, Token{1}, Interest::readable);

  test::expect_no_events(poll, events);
  ASSERT_TRUE(test::eventfd_add(fd.get(), 3));
  poll.poll(events, 1s, ec);
  ASSERT_FALSE(ec) << ec.message();
  const Event* event = find(events, Token{1});
  ASSERT_NE(event, nullptr) << test::describe(events);
  EXPECT_TRUE(event->is_readable());
  EXPECT_FALSE(event->is_writable()) << "writable was not asked for";
  EXPECT_FALSE(event->is_read_closed());
  EXPECT_FALSE(event->is_error());
  poll.registry().deregister(source, ec);
  EXPECT_FALSE(ec) << ec.message();
}

TEST_F(SourceFd, RegistersAnEventfdForWriting) {
  OPEN_POLL(poll, events(8));
  std::error_code ec;
  test::OwnedFd fd = test::make_eventfd();
  const posix::SourceFd source{fd.get()};  // registering works through a const SourceFd too
  REGISTER(poll, source, Token{2}, Interest::writable);

  poll.poll(events, 1s, ec);
  ASSERT_FALSE(ec) << ec.message();
  const Event* event = find(events, Token{2});
  ASSERT_NE(event, nullptr) << test::describe(events);
  EXPECT_TRUE(event->is_writable());
  EXPECT_FALSE(event->is_readable()) << "counter is 0, and readable was not asked for";
}

TEST_F(SourceFd, RegistersBothEndsOfAPipe) {
  OPEN_POLL(poll, events(8));
  std::error_code ec;
  test::RawPipe pipe = test::make_raw_pipe();
  ASSERT_TRUE(pipe.read_end.valid());
  REGISTER_FD(poll, pipe.read_end.get(), Token{10}, Interest::readable);
  REGISTER_FD(poll, pipe.write_end.get(), Token{11}, Interest::writable);

  // Empty pipe: only the write end is ready.
  poll.poll(events, 1s, ec);
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_NE(find(events, Token{11}), nullptr) << test::describe(events);
  EXPECT_TRUE(find(events, Token{11})->is_writable());
  EXPECT_EQ(find(events, Token{10}), nullptr) << test::describe(events);

  ASSERT_TRUE(test::write_byte(pipe.write_end.get()));
  test::expect_events(poll, events, {{Token{10}, Ready::readable}});

  // The writer going away is a closed read half for the reader.
  pipe.write_end.reset();
  test::expect_events(poll, events, {{Token{10}, Ready::read_closed}});
}

// mio's idiom: a SourceFd made on the spot for each call.
TEST_F(SourceFd, TemporariesRegisterReregisterAndDeregister) {
  OPEN_POLL(poll, events(8));
  std::error_code ec;
  const test::RawPipe pipe = test::make_raw_pipe();
  ASSERT_TRUE(pipe.read_end.valid());
  const miocpp::Registry& registry = poll.registry();
  registry.register_source(posix::SourceFd{pipe.read_end.get()}, Token{10}, Interest::readable, ec);
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_TRUE(test::write_byte(pipe.write_end.get()));
  test::expect_events(poll, events, {{Token{10}, Ready::readable}});

  registry.reregister(posix::SourceFd{pipe.read_end.get()}, Token{11}, Interest::readable, ec);
  ASSERT_FALSE(ec) << ec.message();
  test::expect_events(poll, events, {{Token{11}, Ready::readable}});  // still unread: re-armed

  registry.deregister(posix::SourceFd{pipe.read_end.get()}, ec);
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_TRUE(test::write_byte(pipe.write_end.get()));
  test::expect_no_events(poll, events);
#if MIOCPP_HAS_EXCEPTIONS
  EXPECT_NO_THROW(registry.register_source(posix::SourceFd{pipe.read_end.get()}, Token{12},
                                           Interest::readable));
  EXPECT_NO_THROW(
      registry.reregister(posix::SourceFd{pipe.read_end.get()}, Token{13}, Interest::readable));
  EXPECT_NO_THROW(registry.deregister(posix::SourceFd{pipe.read_end.get()}));
  EXPECT_THROW(registry.deregister(posix::SourceFd{pipe.read_end.get()}), std::system_error);
#endif
}

TEST_F(SourceFd, SocketPairShowsThePeerClosingEachHalf) {
  OPEN_POLL(poll, events(8));
  std::error_code ec;
  test::SocketPair pair = test::make_socket_pair();
  ASSERT_TRUE(pair.first.valid());
  REGISTER_FD(poll, pair.first.get(), Token{1}, Interest::readable | Interest::writable);

  poll.poll(events, 1s, ec);
  ASSERT_FALSE(ec) << ec.message();
  // Readiness is read per poll and token: kqueue reports the read and write halves as separate
  // events.
  const auto ready = [&events](Ready kind) {
    return test::has(test::readiness_for(events, Token{1}), kind);
  };
  ASSERT_NE(find(events, Token{1}), nullptr) << test::describe(events);
  EXPECT_TRUE(ready(Ready::writable));
  EXPECT_FALSE(ready(Ready::read_closed));
  EXPECT_FALSE(ready(Ready::write_closed));

  // The peer stops writing: our read half is closed, our write half is not.
  ASSERT_EQ(::shutdown(pair.second.get(), SHUT_WR), 0);
  poll.poll(events, 1s, ec);
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_NE(find(events, Token{1}), nullptr) << test::describe(events);
  EXPECT_TRUE(ready(Ready::read_closed)) << test::describe(events);
  EXPECT_FALSE(ready(Ready::write_closed)) << test::describe(events);

  // The peer closes: both halves are closed.
  pair.second.reset();
  poll.poll(events, 1s, ec);
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_NE(find(events, Token{1}), nullptr) << test::describe(events);
  EXPECT_TRUE(ready(Ready::read_closed)) << test::describe(events);
  EXPECT_TRUE(ready(Ready::write_closed)) << test::describe(events);
}

TEST_F(SourceFd, SocketPairReadClosedNeedsOnlyReadableInterest) {
  OPEN_POLL(poll, events(8));
  test::SocketPair pair = test::make_socket_pair();
  REGISTER_FD(poll, pair.first.get(), Token{1}, Interest::readable);
  test::expect_no_events(poll, events);

  ASSERT_EQ(::shutdown(pair.second.get(), SHUT_WR), 0);
  test::expect_events(poll, events, {{Token{1}, Ready::read_closed}});
}

TEST_F(SourceFd, EdgeTriggeredReadNeedsDrainingBeforeTheNextEvent) {
  OPEN_POLL(poll, events(8));
  test::SocketPair pair = test::make_socket_pair();
  REGISTER_FD(poll, pair.first.get(), Token{1}, Interest::readable);

  ASSERT_TRUE(test::write_byte(pair.second.get()));
  test::expect_events(poll, events, {{Token{1}, Ready::readable}});
  // Still readable, but no new edge: no second event.
  test::expect_no_events(poll, events);
  test::expect_no_events(poll, events);

  // Drained to "would block", the next write is a new edge.
  EXPECT_EQ(test::drain(pair.first.get()), 1U);
  test::expect_no_events(poll, events);
  ASSERT_TRUE(test::write_byte(pair.second.get()));
#if MIOCPP_SELECTOR_POLL
  expect_quiet_until_reregistered(poll, events, pair.first.get(), Token{1}, Interest::readable);
#endif
  test::expect_events(poll, events, {{Token{1}, Ready::readable}});
  EXPECT_EQ(test::drain(pair.first.get()), 1U);
}

TEST_F(SourceFd, EdgeTriggeredEventfdReportsEachWakeOnce) {
  OPEN_POLL(poll, events(8));
  test::OwnedFd fd = test::make_eventfd();
  REGISTER_FD(poll, fd.get(), Token{1}, Interest::readable);

  ASSERT_TRUE(test::eventfd_add(fd.get()));
  test::expect_events(poll, events, {{Token{1}, Ready::readable}});
  test::expect_no_events(poll, events);

  EXPECT_EQ(test::drain(fd.get()), sizeof(std::uint64_t));
  test::expect_no_events(poll, events);
  ASSERT_TRUE(test::eventfd_add(fd.get()));
#if MIOCPP_SELECTOR_POLL
  expect_quiet_until_reregistered(poll, events, fd.get(), Token{1}, Interest::readable);
#endif
  test::expect_events(poll, events, {{Token{1}, Ready::readable}});
}

TEST_F(SourceFd, EdgeTriggeredWriteNeedsAFullBufferBeforeTheNextEvent) {
  OPEN_POLL(poll, events(8));
  test::RawPipe pipe = test::make_raw_pipe();
  REGISTER_FD(poll, pipe.write_end.get(), Token{1}, Interest::writable);

  test::expect_events(poll, events, {{Token{1}, Ready::writable}});
  test::expect_no_events(poll, events);  // still writable, no new edge

  EXPECT_GT(test::fill(pipe.write_end.get()), 0U);  // to "would block"
  test::expect_no_events(poll, events);
  EXPECT_GT(test::drain(pipe.read_end.get()), 0U);  // space again: a new edge
#if MIOCPP_SELECTOR_POLL
  expect_quiet_until_reregistered(poll, events, pipe.write_end.get(), Token{1}, Interest::writable);
#endif
  test::expect_events(poll, events, {{Token{1}, Ready::writable}});
}

// Closing a registered descriptor without deregistering it ends its registration: no event for
// it, no poll that keeps returning at once, and its number may be registered again. (poll(2)
// notices the close only when it next polls; before that a reused number is still taken.)
TEST_F(SourceFd, ClosingWithoutDeregisteringIsForgotten) {
  OPEN_POLL(poll, events(8));
  std::error_code ec;
  test::OwnedFd fd = test::make_eventfd();
  const int number = fd.get();
  REGISTER_FD(poll, number, Token{1}, Interest::readable);
  ASSERT_TRUE(test::eventfd_add(number));
  fd.reset();

  test::expect_polls_wait_quietly(poll, events, 50ms);

  test::OwnedFd reused = test::make_eventfd();
  ASSERT_EQ(reused.get(), number) << "the test needs the number back";
  REGISTER_FD(poll, reused.get(), Token{2}, Interest::readable);
  ASSERT_TRUE(test::eventfd_add(reused.get()));
  test::expect_events(poll, events, {{Token{2}, Ready::readable}});
  posix::SourceFd source{reused.get()};
  poll.registry().deregister(source, ec);
  EXPECT_FALSE(ec) << ec.message();
}

TEST_F(SourceFd, DeregisterThenRegisterAgain) {
  OPEN_POLL(poll, events(8));
  test::OwnedFd fd = test::make_eventfd();
  posix::SourceFd source{fd.get()};

  for (std::size_t round = 0; round < 3; ++round) {
    REGISTER(poll, source, Token{round}, Interest::readable);
    ASSERT_TRUE(test::eventfd_add(fd.get()));
    test::expect_events(poll, events, {{Token{round}, Ready::readable}});
    DEREGISTER(poll, source);
    ASSERT_TRUE(test::eventfd_add(fd.get()));
    test::expect_no_events(poll, events);
  }
}

TEST_F(SourceFd, TheSameDescriptorThroughTwoSourceFdsIsOneRegistration) {
  OPEN_POLL(poll);
  std::error_code ec;
  test::OwnedFd fd = test::make_eventfd();
  posix::SourceFd first{fd.get()};
  posix::SourceFd second{fd.get()};
  REGISTER(poll, first, Token{1}, Interest::readable);
  poll.registry().register_source(second, Token{2}, Interest::readable, ec);
#if MIOCPP_SELECTOR_KQUEUE
  // kqueue has no "add only if absent": a second EV_ADD updates the filter, here its token.
  EXPECT_FALSE(ec) << ec.message();
  ASSERT_TRUE(test::eventfd_add(fd.get()));
  Events events(8);
  test::expect_events(poll, events, {{Token{2}, Ready::readable}});
#else
  EXPECT_EQ(ec, std::errc::file_exists) << ec.message();
#endif
  poll.registry().deregister(second, ec);  // it names the same descriptor
  EXPECT_FALSE(ec) << ec.message();
  poll.registry().deregister(first, ec);
  EXPECT_EQ(ec, std::errc::no_such_file_or_directory) << ec.message();
}

#if MIOCPP_HAS_EXCEPTIONS
TEST_F(SourceFd, ThrowingOverloadsRegisterAndFail) {
  Poll poll;
  Events events(8);
  test::OwnedFd fd = test::make_eventfd();
  posix::SourceFd source{fd.get()};
  EXPECT_NO_THROW(poll.registry().register_source(source, Token{1}, Interest::readable));
#if MIOCPP_SELECTOR_KQUEUE
  // A second registration updates the first on kqueue; a bad descriptor still throws.
  EXPECT_NO_THROW(poll.registry().register_source(source, Token{1}, Interest::readable));
  posix::SourceFd invalid{-1};
  EXPECT_THROW(poll.registry().register_source(invalid, Token{1}, Interest::readable),
               std::system_error);
#else
  EXPECT_THROW(poll.registry().register_source(source, Token{1}, Interest::readable),
               std::system_error);
#endif
  EXPECT_NO_THROW(poll.registry().reregister(source, Token{2}, Interest::readable));
  ASSERT_TRUE(test::eventfd_add(fd.get()));
  test::expect_events(poll, events, {{Token{2}, Ready::readable}});
  EXPECT_NO_THROW(poll.registry().deregister(source));
  EXPECT_THROW(poll.registry().deregister(source), std::system_error);
}
#endif

}  // namespace
