// Registry::register_source / reregister / deregister on POSIX only: raw descriptors through
// posix::SourceFd (eventfds, regular files, invalid and closed descriptors), pipe ends as owned
// sources, and the interests each backend refuses for them. The socket cases are in
// registering.cpp.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

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
#include "support/raw_fd.hpp"
#include "support/setup.hpp"
#include <miocpp/miocpp.hpp>

namespace {

using namespace std::chrono_literals;
using miocpp::Events, miocpp::Interest, miocpp::Poll, miocpp::Registry, miocpp::Token;
using miocpp::posix::SourceFd, miocpp::posix::pipe::Receiver, miocpp::posix::pipe::Sender;
using test::Ready;

static_assert(miocpp::event::Source<SourceFd>);
static_assert(miocpp::event::Source<const SourceFd>, "SourceFd's members are const");
static_assert(miocpp::event::Source<Sender>);
static_assert(miocpp::event::Source<Receiver>);
static_assert(!miocpp::event::Source<const Receiver>);

/// Polls for `wait` and asserts that no event carries `token`.
void expect_no_event_for(Poll& poll, Events& events, Token token,
                         std::chrono::milliseconds wait = 50ms) {
  std::error_code ec;
  poll.poll(events, wait, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_FALSE(test::has_token(events, token)) << test::describe(events);
}

/// Every test leaves the descriptors as it found them.
class Registering : public test::LeakChecked<> {};

// ---- Register, reregister, deregister
// ------------------------------------------------------------

TEST_F(Registering, RegisterReregisterDeregisterAnEventfd) {
  OPEN_POLL(poll, events(8));
  std::error_code ec;
  test::OwnedFd fd = test::make_eventfd();
  SourceFd source{fd.get()};

  ec = std::make_error_code(std::errc::io_error);  // stale: success must clear it
  REGISTER(poll, source, Token{1}, Interest::readable);
  test::expect_no_events(poll, events);  // counter 0: not readable
  ASSERT_TRUE(test::eventfd_add(fd.get()));
  test::expect_events(poll, events, {{Token{1}, Ready::readable}});

  ec = std::make_error_code(std::errc::io_error);
  REREGISTER(poll, source, Token{2}, Interest::readable | Interest::writable);
  test::expect_events(poll, events, {{Token{2}, Ready::readable | Ready::writable}});

  ec = std::make_error_code(std::errc::io_error);
  DEREGISTER(poll, source);
  ASSERT_TRUE(test::eventfd_add(fd.get()));
  test::expect_no_events(poll, events);
}

// ---- Errors of a raw descriptor (posix::SourceFd)
// ------------------------------------------------

TEST_F(Registering, SourceFdRegisteredTwiceIsFileExists) {
  OPEN_POLL(poll, events(8));
  std::error_code ec;
  test::OwnedFd fd = test::make_eventfd();
  SourceFd source{fd.get()};
  REGISTER(poll, source, Token{1}, Interest::readable);

#if MIOCPP_SELECTOR_KQUEUE
  // kqueue has no "add only if absent" (every registration is EV_ADD): registering again updates
  // the registration. Here it adds the write filter, with its own token; the read filter keeps 1.
  poll.registry().register_source(source, Token{1}, Interest::readable, ec);
  EXPECT_FALSE(ec) << ec.message();
  poll.registry().register_source(source, Token{2}, Interest::writable, ec);
  EXPECT_FALSE(ec) << ec.message();
  ASSERT_TRUE(test::eventfd_add(fd.get()));
  poll.poll(events, 1s, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(events.size(), 2U) << test::describe(events);
  EXPECT_EQ(test::readiness_for(events, Token{1}), Ready::readable) << test::describe(events);
  EXPECT_EQ(test::readiness_for(events, Token{2}), Ready::writable) << test::describe(events);
#else
  poll.registry().register_source(source, Token{1}, Interest::readable, ec);
  EXPECT_EQ(ec, std::errc::file_exists) << ec.message();
  poll.registry().register_source(source, Token{2}, Interest::writable, ec);
  EXPECT_EQ(ec, std::errc::file_exists) << ec.message();

  // The first registration is untouched.
  ASSERT_TRUE(test::eventfd_add(fd.get()));
  poll.poll(events, 1s, ec);
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_EQ(events.size(), 1U) << test::describe(events);
  EXPECT_EQ(events.begin()->token(), Token{1});
  EXPECT_FALSE(events.begin()->is_writable()) << test::describe(events);
#endif
}

TEST_F(Registering, SourceFdNotRegisteredIsNoSuchFileOrDirectory) {
  OPEN_POLL(poll);
  std::error_code ec;
  test::OwnedFd fd = test::make_eventfd();
  SourceFd source{fd.get()};

#if MIOCPP_SELECTOR_KQUEUE
  // kqueue cannot tell a reregistration from a registration (both are EV_ADD): reregistering a
  // descriptor that is not registered registers it. Deregistering one is still ENOENT.
  poll.registry().reregister(source, Token{1}, Interest::readable, ec);
  EXPECT_FALSE(ec) << ec.message();
  poll.registry().deregister(source, ec);
  EXPECT_FALSE(ec) << ec.message();
#else
  poll.registry().reregister(source, Token{1}, Interest::readable, ec);
  EXPECT_EQ(ec, std::errc::no_such_file_or_directory) << ec.message();
  ec.clear();
#endif
  poll.registry().deregister(source, ec);
  EXPECT_EQ(ec, std::errc::no_such_file_or_directory) << ec.message();

  // And again once it has been registered and deregistered.
  REGISTER(poll, source, Token{1}, Interest::readable);
  DEREGISTER(poll, source);
  poll.registry().deregister(source, ec);
  EXPECT_EQ(ec, std::errc::no_such_file_or_directory) << ec.message();
#if !MIOCPP_SELECTOR_KQUEUE
  poll.registry().reregister(source, Token{1}, Interest::readable, ec);
  EXPECT_EQ(ec, std::errc::no_such_file_or_directory) << ec.message();
#endif
}

TEST_F(Registering, InvalidDescriptorIsBadFileDescriptor) {
  OPEN_POLL(poll);
  std::error_code ec;

  test::OwnedFd closed = test::make_eventfd();
  const int closed_fd = closed.get();
  closed.reset();

  for (const int fd : {-1, closed_fd}) {
    SourceFd source{fd};
    poll.registry().register_source(source, Token{1}, Interest::readable, ec);
    EXPECT_EQ(ec, std::errc::bad_file_descriptor) << "fd " << fd << ": " << ec.message();
    ec.clear();
    poll.registry().reregister(source, Token{1}, Interest::readable, ec);
    EXPECT_EQ(ec, std::errc::bad_file_descriptor) << "fd " << fd << ": " << ec.message();
    ec.clear();
    poll.registry().deregister(source, ec);
    EXPECT_EQ(ec, std::errc::bad_file_descriptor) << "fd " << fd << ": " << ec.message();
  }
}

// A regular file is always ready, so there is nothing to wait for: epoll refuses it (EPERM), while
// poll(2) accepts it and reports it ready, once per arming like any other descriptor.
TEST_F(Registering, RegularFileIsRefusedByEpollAndAcceptedByPollAndKqueue) {
  OPEN_POLL(poll);
  std::error_code ec;

  std::string path = ::testing::TempDir() + "miocpp-registering-XXXXXX";
  test::OwnedFd file(::mkstemp(path.data()));
  ASSERT_TRUE(file.valid()) << path;
  ::unlink(path.c_str());

  SourceFd source{file.get()};
#if MIOCPP_SELECTOR_POLL
  REGISTER(poll, source, Token{1}, Interest::readable | Interest::writable);
  Events events(4);
  test::expect_events(poll, events, {{Token{1}, Ready::readable | Ready::writable}});
  test::expect_no_events(poll, events);
  poll.registry().deregister(source, ec);
  EXPECT_FALSE(ec) << ec.message();
#elif MIOCPP_SELECTOR_KQUEUE && MIOCPP_FORCE_KQUEUE
  GTEST_SKIP() << "the kqueue emulation is built on epoll, which refuses regular files; a real "
                  "kqueue accepts them (EVFILT_WRITE always fires on a vnode)";
#elif MIOCPP_SELECTOR_KQUEUE
  REGISTER(poll, source, Token{1}, Interest::writable);
  Events events(4);
  test::expect_events(poll, events, {{Token{1}, Ready::writable}});
  poll.registry().deregister(source, ec);
  EXPECT_FALSE(ec) << ec.message();
#else
  poll.registry().register_source(source, Token{1}, Interest::readable, ec);
  EXPECT_EQ(ec, std::errc::operation_not_permitted) << ec.message();
  // Nothing was registered.
  ec.clear();
  poll.registry().deregister(source, ec);
  EXPECT_TRUE(ec);
#endif
}

TEST_F(Registering, ClosingARegisteredDescriptorEndsItsEvents) {
  OPEN_POLL(poll, events(8));
  std::error_code ec;

  test::OwnedFd fd = test::make_eventfd();
  REGISTER_FD(poll, fd.get(), Token{1}, Interest::readable);
  ASSERT_TRUE(test::eventfd_add(fd.get()));
  fd.reset();  // ready, then closed before anyone polled
  test::expect_no_events(poll, events);

  {
    test::PipeEnds pipe = test::open_pipe();
    REGISTER(poll, pipe.receiver, Token{2}, Interest::readable);
    ASSERT_EQ(pipe.sender.write(test::bytes_of("x"), ec), 1U);
  }  // both ends closed while registered
  test::expect_no_events(poll, events);
}

// ---- Errors of an owned source (IoSource: pipe ends, sockets)
// ------------------------------------

TEST_F(Registering, PipeEndRegisteredTwiceIsFileExistsAndUnregisteredIsNoSuchFile) {
  OPEN_POLL(poll);
  std::error_code ec;
  test::PipeEnds pipe = test::open_pipe();

  poll.registry().reregister(pipe.receiver, Token{1}, Interest::readable, ec);
  EXPECT_EQ(ec, std::errc::no_such_file_or_directory) << ec.message();
  ec.clear();
  poll.registry().deregister(pipe.receiver, ec);
  EXPECT_EQ(ec, std::errc::no_such_file_or_directory) << ec.message();

  REGISTER(poll, pipe.receiver, Token{1}, Interest::readable);
  poll.registry().register_source(pipe.receiver, Token{2}, Interest::readable, ec);
  EXPECT_EQ(ec, std::errc::file_exists) << ec.message();

  DEREGISTER(poll, pipe.receiver);
  poll.registry().deregister(pipe.receiver, ec);
  EXPECT_EQ(ec, std::errc::no_such_file_or_directory) << ec.message();
}

TEST_F(Registering, PipeEndRegisteredWithAnotherPollIsRejected) {
  std::error_code ec;
  Poll first(ec);
  ASSERT_FALSE(ec) << ec.message();
  Poll second(ec);
  ASSERT_FALSE(ec) << ec.message();
  Events events(8);
  test::PipeEnds pipe = test::open_pipe();

  REGISTER(first, pipe.receiver, Token{1}, Interest::readable);

  second.registry().register_source(pipe.receiver, Token{2}, Interest::readable, ec);
  EXPECT_EQ(ec, std::errc::file_exists) << ec.message();
  second.registry().reregister(pipe.receiver, Token{2}, Interest::readable, ec);
  EXPECT_EQ(ec, std::errc::file_exists) << ec.message();
  ec.clear();
  second.registry().deregister(pipe.receiver, ec);
  EXPECT_EQ(ec, std::errc::no_such_file_or_directory) << ec.message();

  // None of that disturbed the registration with the first Poll.
  ASSERT_EQ(pipe.sender.write(test::bytes_of("1"), ec), 1U);
  test::expect_events(first, events, {{Token{1}, Ready::readable}});
  expect_no_event_for(second, events, Token{2});
  EXPECT_EQ(test::drain(pipe.receiver.native_handle()), 1U);

  // Deregistered from the first, it may join the second.
  DEREGISTER(first, pipe.receiver);
  REGISTER(second, pipe.receiver, Token{2}, Interest::readable);
  ASSERT_EQ(pipe.sender.write(test::bytes_of("2"), ec), 1U);
  test::expect_events(second, events, {{Token{2}, Ready::readable}});
  expect_no_event_for(first, events, Token{1});
}

TEST_F(Registering, PipeEndMayJoinAnotherPollOnceItsPollIsGone) {
  std::error_code ec;
  Poll second(ec);
  ASSERT_FALSE(ec) << ec.message();
  Events events(8);
  test::PipeEnds pipe = test::open_pipe();
  {
    std::optional<Poll> first(std::in_place, ec);
    ASSERT_FALSE(ec) << ec.message();
    first->registry().register_source(pipe.receiver, Token{1}, Interest::readable, ec);
    ASSERT_FALSE(ec) << ec.message();

    // A clone of the first Poll's registry keeps the registration alive.
    std::optional<Registry> clone = first->registry().try_clone(ec);
    ASSERT_FALSE(ec) << ec.message();
    first.reset();
    second.registry().register_source(pipe.receiver, Token{2}, Interest::readable, ec);
    EXPECT_EQ(ec, std::errc::file_exists) << ec.message();
    clone.reset();
  }

  REGISTER(second, pipe.receiver, Token{2}, Interest::readable);
  ASSERT_EQ(pipe.sender.write(test::bytes_of("x"), ec), 1U);
  test::expect_events(second, events, {{Token{2}, Ready::readable}});
}

TEST_F(Registering, PipeEndStaysRegisteredWithAPollThatWasMoved) {
  std::error_code ec;
  Poll original(ec);
  ASSERT_FALSE(ec) << ec.message();
  Poll other(ec);
  ASSERT_FALSE(ec) << ec.message();
  Events events(8);
  test::PipeEnds pipe = test::open_pipe();
  REGISTER(original, pipe.receiver, Token{1}, Interest::readable);

  Poll moved(std::move(original));
  other.registry().register_source(pipe.receiver, Token{2}, Interest::readable, ec);
  EXPECT_EQ(ec, std::errc::file_exists) << ec.message();

  REREGISTER(moved, pipe.receiver, Token{3}, Interest::readable);
  ASSERT_EQ(pipe.sender.write(test::bytes_of("x"), ec), 1U);
  test::expect_events(moved, events, {{Token{3}, Ready::readable}});
  DEREGISTER(moved, pipe.receiver);
}

TEST_F(Registering, AMovedPipeEndKeepsItsRegistration) {
  OPEN_POLL(poll, events(8));
  std::error_code ec;
  test::PipeEnds pipe = test::open_pipe();
  REGISTER(poll, pipe.receiver, Token{1}, Interest::readable);

  Receiver moved(std::move(pipe.receiver));
  poll.registry().register_source(moved, Token{1}, Interest::readable, ec);
  EXPECT_EQ(ec, std::errc::file_exists) << ec.message();
  ASSERT_EQ(pipe.sender.write(test::bytes_of("x"), ec), 1U);
  test::expect_events(poll, events, {{Token{1}, Ready::readable}});
  poll.registry().deregister(moved, ec);
  EXPECT_FALSE(ec) << ec.message();
}

// ---- Interests
// ------------------------------------------------------------------------------------

#if MIOCPP_SELECTOR_EPOLL || MIOCPP_SELECTOR_POLL
TEST_F(Registering, AioAndLioAreNotSupportedOnEpollAndPoll) {
  OPEN_POLL(poll, events(8));
  std::error_code ec;
  test::OwnedFd fd = test::make_eventfd();
  SourceFd source{fd.get()};
  test::PipeEnds pipe = test::open_pipe();

  for (const Interest interest : {Interest::aio, Interest::lio, Interest::readable | Interest::aio,
                                  Interest::writable | Interest::lio}) {
    poll.registry().register_source(source, Token{1}, interest, ec);
    EXPECT_EQ(ec, std::errc::not_supported) << interest << ": " << ec.message();
    ec.clear();
    poll.registry().register_source(pipe.receiver, Token{2}, interest, ec);
    EXPECT_EQ(ec, std::errc::not_supported) << interest << ": " << ec.message();
  }

  // Nothing was registered by the failed calls.
  REGISTER(poll, source, Token{1}, Interest::readable);
  REGISTER(poll, pipe.receiver, Token{2}, Interest::readable);

  // Nor does a reregistration with them change anything.
  poll.registry().reregister(source, Token{3}, Interest::readable | Interest::aio, ec);
  EXPECT_EQ(ec, std::errc::not_supported) << ec.message();
  ec.clear();
  poll.registry().reregister(pipe.receiver, Token{4}, Interest::lio, ec);
  EXPECT_EQ(ec, std::errc::not_supported) << ec.message();

  ASSERT_TRUE(test::eventfd_add(fd.get()));
  ASSERT_EQ(pipe.sender.write(test::bytes_of("x"), ec), 1U);
  test::expect_events(poll, events, {{Token{1}, Ready::readable}, {Token{2}, Ready::readable}});
}

TEST_F(Registering, PriorityInterestReportsOutOfBandData) {
  OPEN_POLL(poll, events(8));

  // A loopback TCP connection, built by hand: the net types are tested elsewhere.
  test::OwnedFd listener(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  ASSERT_TRUE(listener.valid());
  ::sockaddr_in address{};
  address.sin_family = AF_INET;
  ASSERT_EQ(::inet_pton(AF_INET, "127.0.0.1", &address.sin_addr), 1);
  ::socklen_t length = sizeof address;
  auto* generic = reinterpret_cast<::sockaddr*>(&address);  // NOLINT(*-reinterpret-cast)
  ASSERT_EQ(::bind(listener.get(), generic, length), 0);
  ASSERT_EQ(::listen(listener.get(), 1), 0);
  ASSERT_EQ(::getsockname(listener.get(), generic, &length), 0);
  test::OwnedFd client(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  ASSERT_TRUE(client.valid());
  ASSERT_EQ(::connect(client.get(), generic, length), 0);
  test::OwnedFd server(::accept4(listener.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
  ASSERT_TRUE(server.valid());

  REGISTER_FD(poll, server.get(), Token{7}, Interest::priority);
  test::expect_no_events(poll, events);  // connected and idle: no priority data

  const char urgent = '!';
  ASSERT_EQ(::send(client.get(), &urgent, 1, MSG_OOB), 1);
  test::expect_events(poll, events, {{Token{7}, Ready::priority}});

  // Priority combines with the other interests.
  REGISTER_FD(poll, client.get(), Token{8},
              Interest::readable | Interest::writable | Interest::priority);
  test::expect_events(poll, events, {{Token{8}, Ready::writable}});
}
#endif

#if MIOCPP_SELECTOR_KQUEUE
// kqueue has no out-of-band filter, so priority is refused before anything reaches the kernel.
// aio and lio name EVFILT_AIO / EVFILT_LIO (not_supported where the system lacks them); kernels
// attach those only to the AIO requests that name the kqueue, so a descriptor registration with
// them is the kernel's to refuse. Either way a failed registration leaves nothing registered.
TEST_F(Registering, PriorityIsNotSupportedOnKqueueAndAioLioFailWithoutRegistering) {
  OPEN_POLL(poll, events(8));
  std::error_code ec;
  test::OwnedFd fd = test::make_eventfd();
  SourceFd source{fd.get()};
  test::PipeEnds pipe = test::open_pipe();

  for (const Interest interest : {Interest::priority, Interest::readable | Interest::priority,
                                  Interest::writable | Interest::priority}) {
    poll.registry().register_source(source, Token{1}, interest, ec);
    EXPECT_EQ(ec, std::errc::not_supported) << interest << ": " << ec.message();
    ec.clear();
    poll.registry().register_source(pipe.receiver, Token{2}, interest, ec);
    EXPECT_EQ(ec, std::errc::not_supported) << interest << ": " << ec.message();
  }
  for (const Interest interest : {Interest::aio, Interest::lio, Interest::readable | Interest::aio,
                                  Interest::writable | Interest::lio}) {
    poll.registry().register_source(source, Token{1}, interest, ec);
    EXPECT_TRUE(ec) << interest << ": registered";
    ec.clear();
    poll.registry().register_source(pipe.receiver, Token{2}, interest, ec);
    EXPECT_TRUE(ec) << interest << ": registered";
  }

  // Nothing was registered by the failed calls (the filters the kernel accepted were removed).
  poll.registry().deregister(source, ec);
  EXPECT_EQ(ec, std::errc::no_such_file_or_directory) << ec.message();
  test::expect_no_events(poll, events);
  REGISTER(poll, source, Token{1}, Interest::readable);
  REGISTER(poll, pipe.receiver, Token{2}, Interest::readable);

  // A reregistration with priority is refused before it changes anything.
  poll.registry().reregister(source, Token{3}, Interest::readable | Interest::priority, ec);
  EXPECT_EQ(ec, std::errc::not_supported) << ec.message();
  ec.clear();
  poll.registry().reregister(pipe.receiver, Token{4}, Interest::priority, ec);
  EXPECT_EQ(ec, std::errc::not_supported) << ec.message();

  ASSERT_TRUE(test::eventfd_add(fd.get()));
  ASSERT_EQ(pipe.sender.write(test::bytes_of("x"), ec), 1U);
  test::expect_events(poll, events, {{Token{1}, Ready::readable}, {Token{2}, Ready::readable}});
}
#endif

// ---- The throwing overloads
// -----------------------------------------------------------------------

#if MIOCPP_HAS_EXCEPTIONS
/// Runs `call`, which must throw std::system_error carrying `expected`.
template <class Call>
void expect_system_error(Call&& call, std::errc expected) {
  EXPECT_EQ(test::thrown_code(std::forward<Call>(call)), expected);
}

TEST_F(Registering, ThrowingOverloadsThrowSystemErrorWithTheCode) {
  Poll poll;
  Poll other;
  Events events(8);
  test::OwnedFd fd = test::make_eventfd();
  SourceFd source{fd.get()};
  test::PipeEnds pipe = test::open_pipe();
  const Registry& registry = poll.registry();

#if MIOCPP_SELECTOR_KQUEUE
  // Reregistering registers on kqueue (see SourceFdNotRegisteredIsNoSuchFileOrDirectory).
  EXPECT_NO_THROW(registry.reregister(source, Token{1}, Interest::readable));
  EXPECT_NO_THROW(registry.deregister(source));
#else
  expect_system_error([&] { registry.reregister(source, Token{1}, Interest::readable); },
                      std::errc::no_such_file_or_directory);
#endif
  expect_system_error([&] { registry.deregister(source); }, std::errc::no_such_file_or_directory);
  expect_system_error([&] { registry.deregister(pipe.receiver); },
                      std::errc::no_such_file_or_directory);

  registry.register_source(source, Token{1}, Interest::readable);
  registry.register_source(pipe.receiver, Token{2}, Interest::readable);
#if MIOCPP_SELECTOR_KQUEUE
  // A second registration updates the first on kqueue (see SourceFdRegisteredTwiceIsFileExists).
  EXPECT_NO_THROW(registry.register_source(source, Token{1}, Interest::readable));
#else
  expect_system_error([&] { registry.register_source(source, Token{1}, Interest::readable); },
                      std::errc::file_exists);
#endif
  expect_system_error(
      [&] { registry.register_source(pipe.receiver, Token{2}, Interest::writable); },
      std::errc::file_exists);
  expect_system_error(
      [&] { other.registry().register_source(pipe.receiver, Token{2}, Interest::readable); },
      std::errc::file_exists);

  SourceFd invalid{-1};
  expect_system_error([&] { registry.register_source(invalid, Token{3}, Interest::readable); },
                      std::errc::bad_file_descriptor);
#if MIOCPP_SELECTOR_EPOLL || MIOCPP_SELECTOR_POLL
  expect_system_error([&] { registry.reregister(source, Token{1}, Interest::aio); },
                      std::errc::not_supported);
#elif MIOCPP_SELECTOR_KQUEUE
  expect_system_error([&] { registry.reregister(source, Token{1}, Interest::priority); },
                      std::errc::not_supported);
#endif

  // The successful calls did their job.
  registry.reregister(source, Token{4}, Interest::readable);
  ASSERT_TRUE(test::eventfd_add(fd.get()));
  test::expect_events(poll, events, {{Token{4}, Ready::readable}});
  registry.deregister(source);
  registry.deregister(pipe.receiver);
  ASSERT_TRUE(test::eventfd_add(fd.get()));
  ASSERT_EQ(pipe.sender.write(test::bytes_of("x")), 1U);
  test::expect_no_events(poll, events);
}
#endif

}  // namespace
