// Running out of descriptors (RLIMIT_NOFILE lowered and the table filled): every call that opens a
// descriptor reports std::errc::too_many_files_open through its std::error_code overload and
// throws std::system_error with that code from its throwing one, hands back empty objects and
// leaves nothing open -- also when it fails after opening part of what it needs. An edge-triggered
// event loop whose accept was refused that way accepts the pending connection once it has freed
// descriptors, as long as it retries by itself.
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstring>
#include <filesystem>
#include <limits>
#include <string>
#include <system_error>
#include <utility>

#include <gtest/gtest.h>

#include "support/descriptor_limit.hpp"
#include "support/descriptors.hpp"
#include "support/expect.hpp"
#include "support/net.hpp"
#include "support/raw_fd.hpp"
#include "support/setup.hpp"
#include "support/temp_dir.hpp"
#include "support/text.hpp"
#include "support/uds.hpp"
#include <miocpp/miocpp.hpp>

namespace {

namespace net = miocpp::net;
using namespace std::chrono_literals;
using miocpp::Events, miocpp::Interest, miocpp::Poll, miocpp::Registry, miocpp::Token;
using test::DescriptorShortage, test::Ready;

constexpr Token listen_token{1}, waker_token{2};

/// The most descriptors one call here opens: a Waker's pipe (MIOCPP_FORCE_WAKER_PIPE) plus the
/// duplicate the poll(2) selector keeps of it.
constexpr std::size_t most_opened = 3;

/// Returned by room_needed when the call never succeeded.
constexpr std::size_t never = std::numeric_limits<std::size_t>::max();

/// Whether what a call handed back is empty: no descriptor, no address, a Poll, Registry or Waker
/// that the backend calls a bad descriptor. Asking opens nothing, so it works during a shortage.
struct IsEmpty {
  template <class Source>
  requires requires(const Source& source) { source.native_handle(); }
  bool operator()(const Source& source) const { return source.native_handle() == -1; }
  template <class First, class Second>
  bool operator()(std::pair<First, Second>& both) const {
    return (*this)(both.first) && (*this)(both.second);
  }
  bool operator()(const net::SocketAddr& address) const { return address == net::SocketAddr(); }
  bool operator()(const net::UnixSocketAddr& address) const { return address.is_unnamed(); }
  bool operator()(Poll& poll) const {
    Events events(1);
    std::error_code ec;
    poll.poll(events, 0ms, ec);
    return ec == std::errc::bad_file_descriptor;
  }
  // A live Registry can be cloned (a clone opens nothing); an empty one has nothing to clone.
  bool operator()(const Registry& registry) const {
    std::error_code ec;
    (void)registry.try_clone(ec);
    return ec == std::errc::bad_file_descriptor;
  }
  bool operator()(const miocpp::Waker& waker) const {
    std::error_code ec;
    waker.wake(ec);
    return ec == std::errc::bad_file_descriptor;
  }
};

/// How many free descriptors `make(context, ec)` (a call that reports through its std::error_code
/// and returns what it made) needs: it runs with none free, then one, two, ... until it succeeds,
/// so a call that opens several descriptors one after the other fails at each of them in turn.
/// Every refusal must be too_many_files_open with an empty result, and every attempt, refused or
/// not, must leave as many descriptors open as there were before it (counted outside the
/// shortage, once what it made and the attempt's `context`, from `setup()`, are gone). `never`
/// if it did not succeed with most_opened free.
template <class Setup, class Make>
std::size_t room_needed(Setup setup, Make make) {
  for (std::size_t room = 0; room <= most_opened; ++room) {
    const std::size_t before = test::open_descriptor_count();
    std::error_code ec;
    bool empty = false;
    {
      auto context = setup();
      const DescriptorShortage shortage(room);
      if (!shortage.ok()) {
        ADD_FAILURE() << "cannot set up the shortage: " << shortage.error();
        return never;
      }
      auto made = make(context, ec);
      empty = IsEmpty()(made);
    }
    EXPECT_EQ(test::open_descriptor_count(), before) << "with " << room << " free";
    if (!ec) {
      EXPECT_FALSE(empty) << "succeeded with " << room << " free, but made nothing";
      return room;
    }
    EXPECT_EQ(ec, std::errc::too_many_files_open) << ec.message() << ", with " << room << " free";
    EXPECT_TRUE(empty) << "refused with " << room << " free, but made something";
    if (ec != std::errc::too_many_files_open) {
      return never;
    }
  }
  ADD_FAILURE() << "still refused with " << most_opened << " descriptors free";
  return never;
}

/// room_needed for a call without a context.
template <class Make>
std::size_t room_needed(Make make) {
  return room_needed([] { return 0; },
                     [&make](int /*none*/, std::error_code& ec) { return make(ec); });
}

/// A new Poll, the context of an attempt at making a Waker.
Poll new_poll() {
  std::error_code ec;
  Poll poll(ec);
  EXPECT_FALSE(ec) << ec.message();
  return poll;
}

#if MIOCPP_HAS_EXCEPTIONS
/// Expects `call` (a throwing overload) to throw std::system_error with too_many_files_open when
/// no descriptor is free, and to leave nothing open.
template <class Call>
void expect_throws_out_of_descriptors(Call call) {
  const std::size_t before = test::open_descriptor_count();
  std::error_code thrown;
  {
    const DescriptorShortage shortage;
    ASSERT_TRUE(shortage.ok()) << shortage.error();
    thrown = test::thrown_code([&call] { (void)call(); });
  }
  EXPECT_EQ(thrown, std::errc::too_many_files_open) << thrown.message();
  EXPECT_EQ(test::open_descriptor_count(), before);
}
#endif

class DescriptorExhaustion : public test::LeakChecked<> {};

// ---- Poll, Waker, Registry ------------------------------------------------------------------

TEST_F(DescriptorExhaustion, PollIsRefused) {
  EXPECT_GE(room_needed([](std::error_code& ec) { return Poll(ec); }), 1U);
#if MIOCPP_HAS_EXCEPTIONS
  expect_throws_out_of_descriptors([] { return Poll(); });
#endif
}

TEST_F(DescriptorExhaustion, WakerIsRefusedAndLeavesThePollsSlotFree) {
  // A Poll per attempt: the poll(2) selector keeps a duplicate of its Waker's descriptor until
  // the next Waker or its own end, so only a Poll that is gone has given everything back.
  EXPECT_GE(room_needed(new_poll,
                        [](Poll& poll, std::error_code& ec) {
                          return miocpp::Waker(poll.registry(), waker_token, ec);
                        }),
            1U);

  OPEN_POLL(poll, events(4));
  {
    const DescriptorShortage shortage;
    ASSERT_TRUE(shortage.ok()) << shortage.error();
    std::error_code ec;
    const miocpp::Waker refused(poll.registry(), waker_token, ec);
    EXPECT_EQ(ec, std::errc::too_many_files_open) << ec.message();
  }
#if MIOCPP_HAS_EXCEPTIONS
  expect_throws_out_of_descriptors([&poll] { return miocpp::Waker(poll.registry(), waker_token); });
#endif
  // The refused Wakers gave the Poll's single Waker slot back: the next one can have it.
  std::error_code ec;
  const miocpp::Waker waker(poll.registry(), waker_token, ec);
  ASSERT_FALSE(ec) << ec.message();
  waker.wake(ec);
  EXPECT_FALSE(ec) << ec.message();
  test::expect_events(poll, events, {{waker_token, Ready::readable}});
}

// Registry::try_clone opens nothing on any backend: clones share their Poll's selector (one epoll
// or kqueue descriptor, or the poll(2) table). So it is never refused for want of descriptors.
TEST_F(DescriptorExhaustion, RegistryCloneNeedsNoDescriptor) {
  OPEN_POLL(poll, events(4));
  EXPECT_EQ(room_needed([&poll](std::error_code& ec) { return poll.registry().try_clone(ec); }),
            0U);
  OPEN_PIPE(sender, receiver);
  {
    const DescriptorShortage shortage;
    ASSERT_TRUE(shortage.ok()) << shortage.error();
#if MIOCPP_HAS_EXCEPTIONS
    EXPECT_NO_THROW((void)poll.registry().try_clone());
#endif
    // A clone made with no descriptor free works: what it registers, the Poll reports.
    std::error_code ec;
    const Registry clone = poll.registry().try_clone(ec);
    ASSERT_FALSE(ec) << ec.message();
    clone.register_source(receiver, Token(3), Interest::readable, ec);
    ASSERT_FALSE(ec) << ec.message();
    ASSERT_EQ(sender.write(test::bytes_of("x"), ec), 1U) << ec.message();
    test::expect_events(poll, events, {{Token(3), Ready::readable}});
  }
}

// ---- Sockets and pipes ----------------------------------------------------------------------

TEST_F(DescriptorExhaustion, TcpListenerBindIsRefused) {
  EXPECT_GE(room_needed([](std::error_code& ec) {
              return net::TcpListener::bind(test::any_local_address(), ec);
            }),
            1U);
#if MIOCPP_HAS_EXCEPTIONS
  expect_throws_out_of_descriptors(
      [] { return net::TcpListener::bind(test::any_local_address()); });
#endif
}

TEST_F(DescriptorExhaustion, TcpStreamConnectIsRefused) {
  BIND_LISTENER(listener, address, test::any_local_address());
  EXPECT_GE(
      room_needed([&address](std::error_code& ec) { return net::TcpStream::connect(address, ec); }),
      1U);
#if MIOCPP_HAS_EXCEPTIONS
  expect_throws_out_of_descriptors([&address] { return net::TcpStream::connect(address); });
#endif
}

TEST_F(DescriptorExhaustion, UdpSocketBindIsRefused) {
  EXPECT_GE(room_needed([](std::error_code& ec) {
              return net::UdpSocket::bind(test::any_local_address(), ec);
            }),
            1U);
#if MIOCPP_HAS_EXCEPTIONS
  expect_throws_out_of_descriptors([] { return net::UdpSocket::bind(test::any_local_address()); });
#endif
}

TEST_F(DescriptorExhaustion, UnixListenerBindIsRefusedAndLeavesNoSocketFile) {
  const test::TempDir dir;
  const std::string path = dir.path("listener.sock");
  {
    const DescriptorShortage shortage;
    ASSERT_TRUE(shortage.ok()) << shortage.error();
    std::error_code ec;
    const net::UnixListener refused = net::UnixListener::bind(path, ec);
    EXPECT_EQ(ec, std::errc::too_many_files_open) << ec.message();
  }
  EXPECT_TRUE(dir.empty()) << "a refused bind created its path";
  EXPECT_GE(room_needed([&path](std::error_code& ec) { return net::UnixListener::bind(path, ec); }),
            1U);
#if MIOCPP_HAS_EXCEPTIONS
  const std::string other = dir.path("other.sock");
  expect_throws_out_of_descriptors([&other] { return net::UnixListener::bind(other); });
  EXPECT_FALSE(std::filesystem::exists(other));
#endif
}

TEST_F(DescriptorExhaustion, UnixStreamConnectIsRefused) {
  const test::TempDir dir;
  const std::string path = dir.path("listener.sock");
  std::error_code bind_ec;
  const net::UnixListener listener = net::UnixListener::bind(path, bind_ec);
  ASSERT_FALSE(bind_ec) << bind_ec.message();
  EXPECT_GE(
      room_needed([&path](std::error_code& ec) { return net::UnixStream::connect(path, ec); }), 1U);
#if MIOCPP_HAS_EXCEPTIONS
  expect_throws_out_of_descriptors([&path] { return net::UnixStream::connect(path); });
#endif
}

TEST_F(DescriptorExhaustion, UnixStreamPairIsRefused) {
  // Both ends or neither: socketpair(2) opens the two at once.
  EXPECT_GE(room_needed([](std::error_code& ec) { return net::UnixStream::pair(ec); }), 2U);
#if MIOCPP_HAS_EXCEPTIONS
  expect_throws_out_of_descriptors([] { return net::UnixStream::pair(); });
#endif
}

TEST_F(DescriptorExhaustion, UnixDatagramBindIsRefusedAndLeavesNoSocketFile) {
  const test::TempDir dir;
  const std::string path = dir.path("datagram.sock");
  {
    const DescriptorShortage shortage;
    ASSERT_TRUE(shortage.ok()) << shortage.error();
    std::error_code ec;
    const net::UnixDatagram refused = net::UnixDatagram::bind(path, ec);
    EXPECT_EQ(ec, std::errc::too_many_files_open) << ec.message();
  }
  EXPECT_TRUE(dir.empty()) << "a refused bind created its path";
  EXPECT_GE(room_needed([&path](std::error_code& ec) { return net::UnixDatagram::bind(path, ec); }),
            1U);
#if MIOCPP_HAS_EXCEPTIONS
  const std::string other = dir.path("other.sock");
  expect_throws_out_of_descriptors([&other] { return net::UnixDatagram::bind(other); });
  EXPECT_FALSE(std::filesystem::exists(other));
#endif
}

TEST_F(DescriptorExhaustion, UnixDatagramUnboundIsRefused) {
  EXPECT_GE(room_needed([](std::error_code& ec) { return net::UnixDatagram::unbound(ec); }), 1U);
#if MIOCPP_HAS_EXCEPTIONS
  expect_throws_out_of_descriptors([] { return net::UnixDatagram::unbound(); });
#endif
}

TEST_F(DescriptorExhaustion, UnixDatagramPairIsRefused) {
  EXPECT_GE(room_needed([](std::error_code& ec) { return net::UnixDatagram::pair(ec); }), 2U);
#if MIOCPP_HAS_EXCEPTIONS
  expect_throws_out_of_descriptors([] { return net::UnixDatagram::pair(); });
#endif
}

TEST_F(DescriptorExhaustion, PipeCreateIsRefused) {
  EXPECT_GE(room_needed([](std::error_code& ec) { return miocpp::posix::pipe::create(ec); }), 2U);
#if MIOCPP_HAS_EXCEPTIONS
  expect_throws_out_of_descriptors([] { return miocpp::posix::pipe::create(); });
#endif
}

// ---- Accepting ------------------------------------------------------------------------------

// accept(2) takes the new descriptor's number before it takes the connection off the queue, so
// a refused accept leaves the connection pending for the next one.

TEST_F(DescriptorExhaustion, TcpAcceptIsRefusedAndTheConnectionStaysPending) {
  BIND_LISTENER(listener, address, test::any_local_address());
  RAW_CONNECT(client, address);
  ASSERT_TRUE(test::raw_wait(listener.native_handle(), POLLIN));
  EXPECT_EQ(room_needed([&listener](std::error_code& ec) { return listener.accept(ec); }), 1U);
#if MIOCPP_HAS_EXCEPTIONS
  RAW_CONNECT(second, address);
  ASSERT_TRUE(test::raw_wait(listener.native_handle(), POLLIN));
  expect_throws_out_of_descriptors([&listener] { return listener.accept(); });
  EXPECT_NO_THROW((void)listener.accept());
#endif
}

TEST_F(DescriptorExhaustion, UnixAcceptIsRefusedAndTheConnectionStaysPending) {
  const test::TempDir dir;
  const std::string path = dir.path("listener.sock");
  std::error_code bind_ec;
  net::UnixListener listener = net::UnixListener::bind(path, bind_ec);
  ASSERT_FALSE(bind_ec) << bind_ec.message();
  const test::OwnedFd client = test::raw_connect_unix(path);
  ASSERT_TRUE(client.valid());
  EXPECT_EQ(room_needed([&listener](std::error_code& ec) { return listener.accept(ec); }), 1U);
#if MIOCPP_HAS_EXCEPTIONS
  const test::OwnedFd second = test::raw_connect_unix(path);
  ASSERT_TRUE(second.valid());
  expect_throws_out_of_descriptors([&listener] { return listener.accept(); });
  EXPECT_NO_THROW((void)listener.accept());
#endif
}

// ---- The event loop recovers ----------------------------------------------------------------

/// Clients of a TCP listener at `address`, as raw blocking sockets.
struct TcpClients {
  net::SocketAddr address;

  [[nodiscard]] test::OwnedFd connected() const { return test::raw_connect(address); }
  [[nodiscard]] test::OwnedFd unconnected() const { return test::raw_tcp_socket(address); }
  [[nodiscard]] bool connect(const test::OwnedFd& client) const {
    const test::RawAddress raw = test::to_raw_address(address);
    return ::connect(client.get(), raw.get(), raw.length) == 0;
  }
};

/// Clients of a Unix-domain listener at `path`, as raw blocking sockets.
struct UnixClients {
  std::string path;

  [[nodiscard]] test::OwnedFd connected() const { return test::raw_connect_unix(path); }
  [[nodiscard]] static test::OwnedFd unconnected() {
    return test::OwnedFd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  }
  [[nodiscard]] bool connect(const test::OwnedFd& client) const {
    const ::sockaddr_un address = test::sockaddr_for(path);
    return ::connect(client.get(), test::as_sockaddr(address), sizeof address) == 0;
  }
};

/// One accept that must succeed; the new connection, which the caller keeps while its descriptor
/// is to stay taken.
template <class Listener>
auto expect_accepted(Listener& listener) {
  std::error_code ec;
  auto [stream, peer] = listener.accept(ec);
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_FALSE(IsEmpty()(stream));
  return std::move(stream);
}

/// One accept that must fail with `expected`, handing back nothing.
template <class Listener>
void expect_not_accepted(Listener& listener, std::errc expected) {
  std::error_code ec;
  auto refused = listener.accept(ec);
  EXPECT_EQ(ec, expected) << ec.message();
  EXPECT_TRUE(IsEmpty()(refused));
}

constexpr std::errc refused = std::errc::too_many_files_open;
constexpr std::errc would_block = std::errc::operation_would_block;

/// After the loop has drained `listener` to would-block: the next connection is reported and
/// accepted, and nothing else is left.
template <class Listener, class Clients>
void expect_loop_serves_next_connection(miocpp::Poll& poll, miocpp::Events& events,
                                        Listener& listener, const Clients& clients) {
  const test::OwnedFd next = clients.connected();
  ASSERT_TRUE(next.valid());
  test::expect_events(poll, events, {{listen_token, Ready::readable}});
  const auto stream = expect_accepted(listener);
  expect_not_accepted(listener, would_block);
  test::expect_no_events(poll, events);
}

// What edge-triggered means when accept runs out of descriptors. The listener's readable event
// reported the pending connection once. A refused accept (too_many_files_open) is no
// would-block, so it re-arms nothing; the connection already pending is no new activity, and
// neither is a descriptor being freed: no further event comes for that connection, however long
// the loop polls. So an application that stops accepting on too_many_files_open must retry accept
// by itself once it has freed descriptors; then the accept succeeds, and draining the listener to
// would-block (which takes a free descriptor as well: accept(2) wants one before it looks at its
// queue) re-arms it for the connections that come next. Same on every backend.
template <class Listener, class Clients>
void expect_loop_accepts_pending_connection_on_retry(Listener& listener, const Clients& clients) {
  OPEN_POLL(poll, events(8));
  REGISTER(poll, listener, listen_token, Interest::readable);
  const test::OwnedFd client = clients.connected();
  ASSERT_TRUE(client.valid());
  test::expect_events(poll, events, {{listen_token, Ready::readable}});
  {
    DescriptorShortage shortage;
    ASSERT_TRUE(shortage.ok()) << shortage.error();
    expect_not_accepted(listener, refused);

    // No edge for the connection already pending: a loop that only waits would wait for good.
    test::expect_no_events(poll, events, 100ms);
    shortage.make_room(1);
    test::expect_no_events(poll, events, 100ms);

    // The application's own retry, with a descriptor free again.
    const auto stream = expect_accepted(listener);
    // The queue is empty now, but the last free descriptor went to that connection.
    expect_not_accepted(listener, refused);
    shortage.make_room(1);
    expect_not_accepted(listener, would_block);
  }
  expect_loop_serves_next_connection(poll, events, listener, clients);
}

// A connection that arrives while accept is refused is new activity on the listener. epoll and
// kqueue report it (an edge of its own); the poll(2) backend, which emulates edges by disarming a
// registration after its event until an operation would block, reports nothing, as the edge
// contract allows (after an event, the next one is only promised after would-block). Either way
// the retry above is what makes the loop go on.
template <class Listener, class Clients>
void expect_new_connection_while_refused(Listener& listener, const Clients& clients) {
  OPEN_POLL(poll, events(8));
  REGISTER(poll, listener, listen_token, Interest::readable);
  const test::OwnedFd first = clients.connected();
  ASSERT_TRUE(first.valid());
  // Opened now, connected during the shortage (connecting opens nothing).
  const test::OwnedFd late = clients.unconnected();
  ASSERT_TRUE(late.valid());
  test::expect_events(poll, events, {{listen_token, Ready::readable}});
  {
    DescriptorShortage shortage;
    ASSERT_TRUE(shortage.ok()) << shortage.error();
    expect_not_accepted(listener, refused);
    test::expect_no_events(poll, events, 100ms);

    ASSERT_TRUE(clients.connect(late)) << std::strerror(errno);
#if MIOCPP_SELECTOR_POLL
    test::expect_no_events(poll, events, 100ms);
#else
    test::expect_events(poll, events, {{listen_token, Ready::readable}});
#endif
    expect_not_accepted(listener, refused);

    shortage.make_room(3);
    const auto first_stream = expect_accepted(listener);
    const auto late_stream = expect_accepted(listener);
    expect_not_accepted(listener, would_block);
  }
  expect_loop_serves_next_connection(poll, events, listener, clients);
}

TEST_F(DescriptorExhaustion, EdgeTriggeredTcpLoopAcceptsThePendingConnectionOnRetry) {
  BIND_LISTENER(listener, address, test::any_local_address());
  expect_loop_accepts_pending_connection_on_retry(listener, TcpClients{address});
}

TEST_F(DescriptorExhaustion, EdgeTriggeredUnixLoopAcceptsThePendingConnectionOnRetry) {
  const test::TempDir dir;
  const std::string path = dir.path("listener.sock");
  std::error_code ec;
  net::UnixListener listener = net::UnixListener::bind(path, ec);
  ASSERT_FALSE(ec) << ec.message();
  expect_loop_accepts_pending_connection_on_retry(listener, UnixClients{path});
}

TEST_F(DescriptorExhaustion, TcpConnectionArrivingWhileAcceptIsRefused) {
  BIND_LISTENER(listener, address, test::any_local_address());
  expect_new_connection_while_refused(listener, TcpClients{address});
}

TEST_F(DescriptorExhaustion, UnixConnectionArrivingWhileAcceptIsRefused) {
  const test::TempDir dir;
  const std::string path = dir.path("listener.sock");
  std::error_code ec;
  net::UnixListener listener = net::UnixListener::bind(path, ec);
  ASSERT_FALSE(ec) << ec.message();
  expect_new_connection_while_refused(listener, UnixClients{path});
}

}  // namespace
