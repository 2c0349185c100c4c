// TCP on WASI preview1: sock_accept, sock_recv, sock_send and sock_shutdown on sockets the runtime
// pre-opened, and the would-block re-arming of the selector around them.
//
// Node cannot hand a host socket to a module, so the runner (cmake/wasi/run.mjs,
// MIOCPP_WASI_SOCKETS=3) plays that part of the runtime: it pre-opens a listener with three
// clients already connected to it (their server ends wait in its backlog), backs every descriptor
// with a real loopback TCP socket that its main thread drives while the module blocks, and names
// the descriptors in MIOCPP_WASI_LISTENER_FD and MIOCPP_WASI_CLIENT_FDS.
#include <chrono>
#include <cstddef>
#include <cstdlib>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "support/expect.hpp"
#include "support/socket_options.hpp"
#include <miocpp/miocpp.hpp>
#include <miocpp/net/unix_listener.hpp>
#include <miocpp/net/unix_stream.hpp>
#include <miocpp/posix/source_fd.hpp>

static_assert(MIOCPP_SELECTOR_WASI, "this suite is built for the WASI backend only");

namespace {

using namespace std::chrono_literals;
using miocpp::Events;
using miocpp::Interest;
using miocpp::Poll;
using miocpp::Token;
using miocpp::net::SocketAddr;
using miocpp::net::TcpListener;
using miocpp::net::TcpStream;

#define OPEN_POLL(name)      \
  std::error_code name##_ec; \
  Poll name(name##_ec);      \
  ASSERT_FALSE(name##_ec) << name##_ec.message()

/// The descriptors the runner pre-opened.
struct Preopened {
  int listener = -1;
  std::vector<int> clients;
};

Preopened preopened() {
  Preopened fds;
  const char* listener = std::getenv("MIOCPP_WASI_LISTENER_FD");
  const char* clients = std::getenv("MIOCPP_WASI_CLIENT_FDS");
  if (listener == nullptr || clients == nullptr) {
    return fds;
  }
  fds.listener = std::atoi(listener);
  std::istringstream list(clients);
  std::string item;
  while (std::getline(list, item, ',')) {
    fds.clients.push_back(std::atoi(item.c_str()));
  }
  return fds;
}

/// The pre-opened sockets, for the first test of this module that asks (each test closes or
/// consumes them); CTest runs every test in a module of its own.
Preopened claim() {
  static bool claimed = false;
  if (std::exchange(claimed, true)) {
    return {};
  }
  return preopened();
}

#define REQUIRE_SOCKETS(fds)                                                                  \
  const Preopened fds = claim();                                                              \
  if (fds.listener < 0 || fds.clients.size() < 3) {                                           \
    GTEST_SKIP() << "needs the sockets of cmake/wasi/run.mjs (MIOCPP_WASI_SOCKETS=3), which " \
                    "one test per module uses up";                                            \
  }

std::span<const std::byte> bytes_of(std::string_view text) {
  return std::as_bytes(std::span<const char>(text.data(), text.size()));
}

/// Reads until would-block (or end of stream); `closed` says which.
std::string drain(TcpStream& stream, bool& closed) {
  std::string text;
  closed = false;
  for (;;) {
    std::byte buffer[4096]{};
    std::error_code ec;
    const std::size_t count = stream.read(buffer, ec);
    if (ec) {
      EXPECT_EQ(ec, std::errc::operation_would_block) << ec.message();
      return text;
    }
    if (count == 0) {
      closed = true;
      return text;
    }
    text.append(reinterpret_cast<const char*>(buffer), count);
  }
}

/// The peer side of a full writer: reads what `server` has (until would-block) and polls, until
/// `token` reports writable; false if it does not within 2,000 rounds or the stream ends first.
/// The bytes read go to `read`.
bool read_until_writable(Poll& poll, Events& events, TcpStream& server, Token token,
                         std::size_t& read) {
  for (int round = 0; round < 2000; ++round) {
    bool closed = false;
    read += drain(server, closed).size();
    if (closed) {
      ADD_FAILURE() << "the stream ended after " << read << " bytes";
      return false;
    }
    std::error_code ec;
    poll.poll(events, 5ms, ec);
    if (ec) {
      ADD_FAILURE() << "poll: " << ec.message();
      return false;
    }
    if (test::has(test::readiness_for(events, token), test::Ready::writable)) {
      return true;
    }
  }
  return false;
}

/// Accepts the three pre-connected clients' server ends.
std::vector<TcpStream> accept_all(TcpListener& listener) {
  std::vector<TcpStream> streams;
  for (;;) {
    std::error_code ec;
    auto [stream, peer] = listener.accept(ec);
    if (ec) {
      EXPECT_EQ(ec, std::errc::operation_would_block) << ec.message();
      return streams;
    }
    EXPECT_GE(stream.native_handle(), 0);
    EXPECT_EQ(peer, SocketAddr());  // preview1 does not say who connected
    streams.push_back(std::move(stream));
  }
}

/// Polls until an event for `token` arrives; the readiness it reported (combined over the batch).
test::Ready wait_for(Poll& poll, Events& events, Token token) {
  for (int round = 0; round < 50; ++round) {
    std::error_code ec;
    poll.poll(events, 5s, ec);
    EXPECT_FALSE(ec) << ec.message();
    if (ec) {
      break;
    }
    const test::Ready ready = test::readiness_for(events, token);
    if (static_cast<unsigned>(ready) != 0) {
      return ready;
    }
  }
  ADD_FAILURE() << "no event for token " << token.value;
  return {};
}

TEST(WasiTcp, AcceptsEveryPendingConnectionThenWouldBlock) {
  REQUIRE_SOCKETS(fds);
  OPEN_POLL(poll);
  Events events(8);
  TcpListener listener = TcpListener::from_native(fds.listener);
  std::error_code ec;
  poll.registry().register_source(listener, Token(1), Interest::readable, ec);
  ASSERT_FALSE(ec) << ec.message();

  poll.poll(events, 5s, ec);
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(events.begin()->token(), Token(1));
  EXPECT_TRUE(events.begin()->is_readable());

  EXPECT_EQ(accept_all(listener).size(), 3U);
  // Re-armed by the would-block, and nobody else connects.
  poll.poll(events, 30ms, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_TRUE(events.empty());
}

TEST(WasiTcp, StreamsExchangeBytesAndPeekLeavesThemQueued) {
  REQUIRE_SOCKETS(fds);
  OPEN_POLL(poll);
  Events events(8);
  TcpListener listener = TcpListener::from_native(fds.listener);
  std::vector<TcpStream> servers = accept_all(listener);
  ASSERT_EQ(servers.size(), 3U);
  // The server ends come out in the order the clients connected.
  TcpStream& server = servers.front();
  TcpStream client = TcpStream::from_native(fds.clients.front());

  std::error_code ec;
  poll.registry().register_source(server, Token(10), Interest::readable, ec);
  ASSERT_FALSE(ec) << ec.message();
  poll.registry().register_source(client, Token(20), Interest::readable | Interest::writable, ec);
  ASSERT_FALSE(ec) << ec.message();

  EXPECT_TRUE(test::has(wait_for(poll, events, Token(20)), test::Ready::writable));
  EXPECT_EQ(client.write(bytes_of("ping"), ec), 4U);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_TRUE(test::has(wait_for(poll, events, Token(10)), test::Ready::readable));

  std::byte buffer[16]{};
  ASSERT_EQ(server.peek(buffer, ec), 4U);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(std::string_view(reinterpret_cast<const char*>(buffer), 4), "ping");
  bool closed = false;
  EXPECT_EQ(drain(server, closed), "ping");
  EXPECT_FALSE(closed);

  miocpp::IoSlice slices[] = {miocpp::IoSlice(bytes_of("po")), miocpp::IoSlice(bytes_of("ng"))};
  EXPECT_EQ(server.write_vectored(slices, ec), 4U);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_TRUE(test::has(wait_for(poll, events, Token(20)), test::Ready::readable));
  std::byte first[1]{};
  std::byte second[8]{};
  miocpp::IoSliceMut into[] = {miocpp::IoSliceMut(first), miocpp::IoSliceMut(second)};
  EXPECT_EQ(client.read_vectored(into, ec), 4U);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(static_cast<char>(first[0]), 'p');
  EXPECT_EQ(std::string_view(reinterpret_cast<const char*>(second), 3), "ong");
}

TEST(WasiTcp, ReadinessIsReportedAgainOnlyAfterWouldBlock) {
  REQUIRE_SOCKETS(fds);
  OPEN_POLL(poll);
  Events events(8);
  TcpListener listener = TcpListener::from_native(fds.listener);
  std::vector<TcpStream> servers = accept_all(listener);
  ASSERT_EQ(servers.size(), 3U);
  TcpStream& server = servers.front();
  TcpStream client = TcpStream::from_native(fds.clients.front());
  std::error_code ec;
  poll.registry().register_source(server, Token(10), Interest::readable, ec);
  ASSERT_FALSE(ec) << ec.message();

  EXPECT_EQ(client.write(bytes_of("abcdef"), ec), 6U);
  EXPECT_TRUE(test::has(wait_for(poll, events, Token(10)), test::Ready::readable));

  std::byte buffer[2]{};
  EXPECT_EQ(server.read(buffer, ec), 2U);  // not drained: no new edge
  poll.poll(events, 30ms, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_TRUE(events.empty());

  bool closed = false;
  EXPECT_EQ(drain(server, closed), "cdef");  // drained to would-block: armed again
  poll.poll(events, 30ms, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_TRUE(events.empty());

  EXPECT_EQ(client.write(bytes_of("g"), ec), 1U);
  EXPECT_TRUE(test::has(wait_for(poll, events, Token(10)), test::Ready::readable));
  EXPECT_EQ(drain(server, closed), "g");
}

// A short read (fewer bytes than asked) means drained: the next data is a new event without a read
// that would block in between.
TEST(WasiTcp, AShortReadDrainsAndTheNextDataIsANewEvent) {
  REQUIRE_SOCKETS(fds);
  OPEN_POLL(poll);
  Events events(8);
  TcpListener listener = TcpListener::from_native(fds.listener);
  std::vector<TcpStream> servers = accept_all(listener);
  ASSERT_EQ(servers.size(), 3U);
  TcpStream& server = servers.front();
  TcpStream client = TcpStream::from_native(fds.clients.front());
  std::error_code ec;
  poll.registry().register_source(server, Token(10), Interest::readable, ec);
  ASSERT_FALSE(ec) << ec.message();
  for (const std::string_view message : {"abcdef", "g", "hij"}) {
    EXPECT_EQ(client.write(bytes_of(message), ec), message.size());
    EXPECT_TRUE(test::has(wait_for(poll, events, Token(10)), test::Ready::readable)) << message;
    std::byte buffer[64]{};
    EXPECT_EQ(server.read(buffer, ec), message.size()) << ec.message();  // short: drained
  }
}

// A short write (fewer bytes than given) means full: the peer draining is a new writable event
// without a write that would block in between.
TEST(WasiTcp, AShortWriteFillsAndTheDrainIsANewWritableEvent) {
  REQUIRE_SOCKETS(fds);
  OPEN_POLL(poll);
  Events events(8);
  TcpListener listener = TcpListener::from_native(fds.listener);
  std::vector<TcpStream> servers = accept_all(listener);
  ASSERT_EQ(servers.size(), 3U);
  TcpStream& server = servers.front();
  TcpStream client = TcpStream::from_native(fds.clients.front());
  std::error_code ec;
  poll.registry().register_source(client, Token(20), Interest::writable, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_TRUE(test::has(wait_for(poll, events, Token(20)), test::Ready::writable));

  const std::vector<std::byte> chunk(1024 * 1024 + 7, std::byte{'s'});
  std::size_t written = 0;
  for (;;) {
    const std::size_t count = client.write(chunk, ec);
    ASSERT_FALSE(ec) << ec.message() << " after " << written << " bytes, before a short write";
    written += count;
    if (count < chunk.size()) {
      ASSERT_GT(count, 0U);
      break;
    }
  }
  std::size_t read = 0;
  EXPECT_TRUE(read_until_writable(poll, events, server, Token(20), read));
  EXPECT_GT(read, 0U);
}

TEST(WasiTcp, WriterMeetsWouldBlockAndIsWritableAgainOnceThePeerReads) {
  REQUIRE_SOCKETS(fds);
  OPEN_POLL(poll);
  Events events(8);
  TcpListener listener = TcpListener::from_native(fds.listener);
  std::vector<TcpStream> servers = accept_all(listener);
  ASSERT_EQ(servers.size(), 3U);
  TcpStream& server = servers.front();
  TcpStream client = TcpStream::from_native(fds.clients.front());
  std::error_code ec;
  poll.registry().register_source(client, Token(20), Interest::writable, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_TRUE(test::has(wait_for(poll, events, Token(20)), test::Ready::writable));

  // Write until the peer's and the kernel's buffers are full (the peer reads nothing meanwhile).
  const std::vector<std::byte> chunk(64 * 1024, std::byte{'z'});
  std::size_t written = 0;
  for (;;) {
    const std::size_t count = client.write(chunk, ec);
    if (ec) {
      ASSERT_EQ(ec, std::errc::operation_would_block) << ec.message();
      break;
    }
    written += count;
    ASSERT_LT(written, std::size_t{512} << 20U) << "never would-block";
  }
  poll.poll(events, 30ms, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_FALSE(test::has(test::readiness_for(events, Token(20)), test::Ready::writable));

  // The peer reads; at some point the writer has room again, and that is a new edge.
  std::size_t read = 0;
  EXPECT_TRUE(read_until_writable(poll, events, server, Token(20), read));
  EXPECT_GT(read, 0U);
}

TEST(WasiTcp, ShutdownOfTheWritingSideHangsUpThePeersReadingSide) {
  REQUIRE_SOCKETS(fds);
  OPEN_POLL(poll);
  Events events(8);
  TcpListener listener = TcpListener::from_native(fds.listener);
  std::vector<TcpStream> servers = accept_all(listener);
  ASSERT_EQ(servers.size(), 3U);
  TcpStream& server = servers[1];
  TcpStream client = TcpStream::from_native(fds.clients[1]);
  std::error_code ec;
  poll.registry().register_source(server, Token(10), Interest::readable, ec);
  ASSERT_FALSE(ec) << ec.message();

  EXPECT_EQ(client.write(bytes_of("bye"), ec), 3U);
  client.shutdown(miocpp::net::Shutdown::write, ec);
  ASSERT_FALSE(ec) << ec.message();
  (void)client.write(bytes_of("more"), ec);
  EXPECT_EQ(ec, std::errc::broken_pipe);

  std::string received;
  bool closed = false;
  for (int round = 0; round < 10 && !closed; ++round) {
    EXPECT_TRUE(test::has(wait_for(poll, events, Token(10)), test::Ready::readable));
    received += drain(server, closed);
  }
  EXPECT_EQ(received, "bye");
  EXPECT_TRUE(closed);

  // The end of the stream may have come with the data's event, or after it: a read of 0 is the
  // news either way, and a re-armed registration reports the hang-up as read_closed.
  poll.registry().reregister(server, Token(10), Interest::readable, ec);
  ASSERT_FALSE(ec) << ec.message();
  const test::Ready ready = wait_for(poll, events, Token(10));
  EXPECT_TRUE(test::has(ready, test::Ready::readable));
  EXPECT_TRUE(test::has(ready, test::Ready::read_closed));
  EXPECT_FALSE(test::has(ready, test::Ready::write_closed));
}

TEST(WasiTcp, ClosingAStreamHangsUpItsPeer) {
  REQUIRE_SOCKETS(fds);
  OPEN_POLL(poll);
  Events events(8);
  TcpListener listener = TcpListener::from_native(fds.listener);
  std::vector<TcpStream> servers = accept_all(listener);
  ASSERT_EQ(servers.size(), 3U);
  TcpStream client = TcpStream::from_native(fds.clients[2]);
  std::error_code ec;
  poll.registry().register_source(client, Token(30), Interest::readable, ec);
  ASSERT_FALSE(ec) << ec.message();

  servers[2] = TcpStream();  // fd_close
  const test::Ready ready = wait_for(poll, events, Token(30));
  EXPECT_TRUE(test::has(ready, test::Ready::read_closed));
  bool closed = false;
  EXPECT_EQ(drain(client, closed), "");
  EXPECT_TRUE(closed);
}

TEST(WasiTcp, ReadyEventsBeyondTheCapacityComeWithTheNextPoll) {
  REQUIRE_SOCKETS(fds);
  OPEN_POLL(poll);
  Events events(1);
  TcpListener listener = TcpListener::from_native(fds.listener);
  std::vector<TcpStream> servers = accept_all(listener);
  ASSERT_EQ(servers.size(), 3U);
  std::vector<TcpStream> clients;
  std::error_code ec;
  for (std::size_t i = 0; i < 3; ++i) {
    clients.push_back(TcpStream::from_native(fds.clients[i]));
    poll.registry().register_source(servers[i], Token(100 + i), Interest::readable, ec);
    ASSERT_FALSE(ec) << ec.message();
    EXPECT_EQ(clients[i].write(bytes_of("!"), ec), 1U);
  }
  std::vector<bool> seen(3, false);
  for (int round = 0; round < 20; ++round) {
    poll.poll(events, 1s, ec);
    ASSERT_FALSE(ec) << ec.message();
    ASSERT_LE(events.size(), 1U);
    for (const miocpp::Event& event : events) {
      ASSERT_GE(event.token().value, 100U);
      ASSERT_LT(event.token().value, 103U);
      seen[event.token().value - 100] = true;
    }
    if (seen[0] && seen[1] && seen[2]) {
      break;
    }
  }
  EXPECT_TRUE(seen[0] && seen[1] && seen[2]);
}

TEST(WasiTcp, ReadableAndWritableOnOneSocket) {
  REQUIRE_SOCKETS(fds);
  OPEN_POLL(poll);
  Events events(8);
  TcpListener listener = TcpListener::from_native(fds.listener);
  std::vector<TcpStream> servers = accept_all(listener);
  ASSERT_EQ(servers.size(), 3U);
  TcpStream client = TcpStream::from_native(fds.clients.front());
  std::error_code ec;
  EXPECT_EQ(servers.front().write(bytes_of("hi"), ec), 2U);
  poll.registry().register_source(client, Token(4), Interest::readable | Interest::writable, ec);
  ASSERT_FALSE(ec) << ec.message();

  // Both directions are subscribed; a runtime may report them in one call or in two.
  unsigned seen = 0;
  for (int round = 0; round < 10 && seen != 3; ++round) {
    const test::Ready ready = wait_for(poll, events, Token(4));
    seen |= test::has(ready, test::Ready::readable) ? 1U : 0U;
    seen |= test::has(ready, test::Ready::writable) ? 2U : 0U;
  }
  EXPECT_EQ(seen, 3U);
}

TEST(WasiTcp, PerSubscriptionErrorsAreErrorEvents) {
  REQUIRE_SOCKETS(fds);
  OPEN_POLL(poll);
  Events events(8);
  TcpListener listener = TcpListener::from_native(fds.listener);
  std::error_code ec;
  poll.registry().register_source(listener, Token(1), Interest::readable, ec);
  ASSERT_FALSE(ec) << ec.message();
  // The runner cannot watch its sockets and a real descriptor in one poll_oneoff: it answers the
  // real one's subscription with ENOTSUP, an error the selector must deliver as an error event.
  miocpp::posix::SourceFd stdin_source(0);
  poll.registry().register_source(stdin_source, Token(2), Interest::readable, ec);
  ASSERT_FALSE(ec) << ec.message();

  poll.poll(events, 5s, ec);
  ASSERT_FALSE(ec) << ec.message();
  bool error_seen = false;
  for (const miocpp::Event& event : events) {
    if (event.token() == Token(2)) {
      error_seen = true;
      EXPECT_TRUE(event.is_error());
      EXPECT_FALSE(event.is_readable());
      std::ostringstream text;
      text << event;
      EXPECT_NE(text.str().find("error, "), std::string::npos) << text.str();
      EXPECT_NE(text.str().find("error: 58"), std::string::npos) << text.str();
    } else {
      EXPECT_EQ(event.token(), Token(1));
      EXPECT_TRUE(event.is_readable());
    }
  }
  EXPECT_TRUE(error_seen);
  (void)listener.release();
}

TEST(WasiTcp, WhatPreview1CannotDoIsNotSupported) {
  constexpr auto not_supported = std::errc::not_supported;
  std::error_code ec;
  const SocketAddr loopback(miocpp::net::Ipv4Addr::localhost(), 0);
  EXPECT_LT(TcpListener::bind(loopback, ec).native_handle(), 0);
  EXPECT_EQ(ec, not_supported);
  EXPECT_LT(TcpStream::connect(loopback, ec).native_handle(), 0);
  EXPECT_EQ(ec, not_supported);
  EXPECT_LT(miocpp::net::UdpSocket::bind(loopback, ec).native_handle(), 0);
  EXPECT_EQ(ec, not_supported);
  EXPECT_LT(miocpp::net::UnixListener::bind("/tmp/socket", ec).native_handle(), 0);
  EXPECT_EQ(ec, not_supported);
  EXPECT_LT(miocpp::net::UnixStream::connect("/tmp/socket", ec).native_handle(), 0);
  EXPECT_EQ(ec, not_supported);

  REQUIRE_SOCKETS(fds);
  TcpStream client = TcpStream::from_native(fds.clients.front());
  (void)client.local_addr(ec);
  EXPECT_EQ(ec, not_supported);
  (void)client.peer_addr(ec);
  EXPECT_EQ(ec, not_supported);
  client.set_nodelay(true, ec);
  EXPECT_EQ(ec, not_supported);
  (void)client.nodelay(ec);
  EXPECT_EQ(ec, not_supported);
  client.set_ttl(10, ec);
  EXPECT_EQ(ec, not_supported);
  (void)client.ttl(ec);
  EXPECT_EQ(ec, not_supported);
  (void)client.take_error(ec);
  EXPECT_EQ(ec, not_supported);
}

TEST(WasiTcp, TcpSocketAndEverySocketOptionAreNotSupported) {
  constexpr auto not_supported = std::errc::not_supported;
  std::error_code ec;
  const SocketAddr loopback(miocpp::net::Ipv4Addr::localhost(), 0);
  EXPECT_LT(miocpp::net::TcpSocket::v4(ec).native_handle(), 0);
  EXPECT_EQ(ec, not_supported);
  EXPECT_LT(miocpp::net::TcpSocket::v6(ec).native_handle(), 0);
  EXPECT_EQ(ec, not_supported);
  EXPECT_LT(miocpp::net::TcpSocket::for_address(loopback, ec).native_handle(), 0);
  EXPECT_EQ(ec, not_supported);

  // The sockets that do exist -- the pre-opened listener, what it accepts and a pre-connected
  // client -- have no option preview1 could set or read.
  REQUIRE_SOCKETS(fds);
  TcpListener listener = TcpListener::from_native(fds.listener);
  test::expect_every_option_reports(listener, not_supported);
  std::vector<TcpStream> servers = accept_all(listener);
  ASSERT_FALSE(servers.empty());
  test::expect_every_option_reports(servers.front(), not_supported);
  TcpStream client = TcpStream::from_native(fds.clients.front());
  test::expect_every_option_reports(client, not_supported);

  // And they still work after all those refusals.
  EXPECT_EQ(client.write(bytes_of("ok"), ec), 2U);
  EXPECT_FALSE(ec) << ec.message();
}

}  // namespace
