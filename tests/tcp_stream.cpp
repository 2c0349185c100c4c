// net::TcpStream: connecting and confirming the connection, reading, peeking and writing (plain,
// vectored, empty, through try_io), closed and reset peers, SIGPIPE, shutdown, registration,
// options, ownership and empty streams. Every test that opens sockets runs on the IPv4 and the
// IPv6 loopback.
#include <array>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "support/descriptors.hpp"
#include "support/expect.hpp"
#include "support/io.hpp"
#include "support/net.hpp"
#include "support/raw_fd.hpp"
#include "support/setup.hpp"
#include "support/source_type.hpp"
#include <miocpp/miocpp.hpp>

namespace {

using namespace std::chrono_literals;
using miocpp::Event, miocpp::Events, miocpp::Interest, miocpp::IoSlice, miocpp::IoSliceMut;
using miocpp::Poll, miocpp::Token;
using miocpp::net::Shutdown, miocpp::net::SocketAddr, miocpp::net::TcpListener;
using miocpp::net::TcpStream;
using test::bytes_of, test::data1, test::data2, test::expect_would_block, test::Ready;
using test::write_all;

constexpr Token id1{0}, id2{1}, id3{2};

static_assert(test::OwningSource<TcpStream, test::NativeSocket>);

/// Reads once into a buffer of `capacity` bytes and returns what arrived ("" with `ec` set on
/// error).
std::string read_once(TcpStream& stream, std::error_code& ec, std::size_t capacity = 64) {
  std::vector<std::byte> buffer(capacity);
  const std::size_t count = stream.read(buffer, ec);
  return test::as_string(std::span(buffer).first(count));
}

/// Reads until `expected` bytes have arrived, waiting for readable events on `token` between
/// would-blocks; the stream must be registered for reading.
std::string read_exactly(Poll& poll, Events& events, TcpStream& stream, Token token,
                         std::size_t expected) {
  std::string received;
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (received.size() < expected && std::chrono::steady_clock::now() < deadline) {
    std::error_code ec;
    const std::string chunk = read_once(stream, ec, expected - received.size());
    if (ec == std::errc::operation_would_block) {
      test::wait_for_event(poll, events, token, [](const Event& e) { return e.is_readable(); });
      continue;
    }
    if (ec || chunk.empty()) {
      ADD_FAILURE() << "read: " << (ec ? ec.message() : "end of stream");
      break;
    }
    received += chunk;
  }
  return received;
}

FAMILY_TEST_SUITE(TcpStreamTest);

// ---- Connecting ---------------------------------------------------------------------------------

TEST_P(TcpStreamTest, SmokeTestAgainstAnEchoPeer) {
  OPEN_POLL(poll, events(16));
  OPEN_RAW(listener, address, test::raw_listen, any_local());
  std::jthread echo([&listener] {
    const test::OwnedFd peer = test::raw_accept(listener.get());
    std::array<char, 128> buffer{};
    for (;;) {
      const std::ptrdiff_t count = test::raw_recv(peer.get(), buffer.data(), buffer.size());
      if (count <= 0 || !test::raw_send_all(peer.get(), std::as_bytes(std::span(buffer).first(
                                                            static_cast<std::size_t>(count))))) {
        return;
      }
    }
  });

  std::error_code ec;
  TcpStream stream = TcpStream::connect(address, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_TRUE(test::is_nonblocking(stream.native_handle()));
  EXPECT_TRUE(test::is_close_on_exec(stream.native_handle()));
  REGISTER(poll, stream, id1, Interest::writable | Interest::readable);
  test::expect_events(poll, events, {{id1, Ready::writable}});

  std::array<std::byte, 16> buffer{};
  expect_would_block([&](std::error_code& e) { return stream.peek(buffer, e); });
  expect_would_block([&](std::error_code& e) { return stream.read(buffer, e); });

  // Only after the writable event is the stream known to be connected.
  EXPECT_EQ(stream.peer_addr(ec), address);
  EXPECT_FALSE(ec) << ec.message();
  const SocketAddr local = stream.local_addr(ec);
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_TRUE(local.ip().is_loopback()) << local;
  EXPECT_EQ(local.is_ipv6(), ipv6());
  EXPECT_NE(local.port(), 0);

  write_all(stream, data1);
  test::expect_events(poll, events, {{id1, Ready::readable}});
  EXPECT_EQ(stream.peek(buffer, ec), data1.size());
  EXPECT_EQ(test::as_string(std::span(buffer).first(data1.size())), data1);
  EXPECT_EQ(read_once(stream, ec), data1);
  EXPECT_FALSE(stream.take_error(ec));
  EXPECT_FALSE(ec) << ec.message();
  expect_would_block([&](std::error_code& e) { return stream.read(buffer, e); });

  const std::array slices{IoSlice(bytes_of(data1)), IoSlice(bytes_of(data2))};
  EXPECT_EQ(stream.write_vectored(slices, ec), data1.size() + data2.size());
  EXPECT_FALSE(ec) << ec.message();
  test::expect_events(poll, events, {{id1, Ready::readable}});

  std::array<std::byte, data1.size()> first{};
  std::array<std::byte, data2.size() + 1> second{};
  second.back() = std::byte{2};
  std::array read_slices{IoSliceMut(first), IoSliceMut(second)};
  EXPECT_EQ(stream.read_vectored(read_slices, ec), data1.size() + data2.size());
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_EQ(test::as_string(first), data1);
  EXPECT_EQ(test::as_string(std::span(second).first(data2.size())), data2);
  EXPECT_EQ(second.back(), std::byte{2}) << "the byte past the data must be untouched";

  stream = TcpStream();  // closing lets the echo peer finish
  echo.join();
}

TEST_P(TcpStreamTest, ConnectionIsConfirmedByTakeErrorAndPeerAddrAfterWritable) {
  OPEN_POLL(poll, events(16));
  std::error_code ec;
  BIND_LISTENER(listener, address, any_local());

  TcpStream stream = TcpStream::connect(address, ec);
  ASSERT_FALSE(ec) << ec.message();
  REGISTER(poll, stream, id1, Interest::writable);
  ASSERT_TRUE(test::wait_for_event(poll, events, id1, [](const Event& event) {
    return event.is_writable() || event.is_error() || event.is_write_closed();
  }));
  // The recipe: no pending error, and a peer address, mean connected.
  EXPECT_FALSE(stream.take_error(ec));
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_EQ(stream.peer_addr(ec), address);
  EXPECT_FALSE(ec) << ec.message();

  auto [server, peer] = listener.accept(ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(peer, stream.local_addr(ec));
}

TEST_P(TcpStreamTest, ConnectToAClosedPortReportsRefused) {
  OPEN_POLL(poll, events(16));
  OPEN_RAW(reserved, address, test::raw_bound_not_listening, any_local());

  std::error_code ec;
  TcpStream stream = TcpStream::connect(address, ec);
  if (ec) {
    // Refused before connect returned: allowed, as long as it is said clearly.
    EXPECT_EQ(ec, std::errc::connection_refused) << ec.message();
    EXPECT_EQ(stream.native_handle(), test::invalid_socket);
    return;
  }
  REGISTER(poll, stream, id1, Interest::writable);
  test::expect_events(poll, events, {{id1, Ready::write_closed | Ready::error}});

  EXPECT_EQ(stream.take_error(ec), std::errc::connection_refused);
  EXPECT_FALSE(ec) << ec.message();
#if MIOCPP_SELECTOR_IOCP
  // Winsock keeps a failed connect's error in SO_ERROR: reading it does not clear it.
  EXPECT_EQ(stream.take_error(ec), std::errc::connection_refused);
#else
  EXPECT_FALSE(stream.take_error(ec)) << "take_error clears the pending error";
#endif
  (void)stream.peer_addr(ec);
  EXPECT_EQ(ec, std::errc::not_connected) << ec.message();
  test::expect_no_events(poll, events);
}

// ---- Reading and peeking ------------------------------------------------------------------------

TEST_P(TcpStreamTest, PeekLeavesDataAndTheReadableEdgeRearmsAfterDraining) {
  OPEN_POLL(poll, events(16));
  OPEN_PAIR(pair, any_local());
  REGISTER(poll, pair.client, id1, Interest::readable);
  test::expect_no_events(poll, events);

  write_all(pair.server, data1);
  test::expect_events(poll, events, {{id1, Ready::readable}});
  std::array<std::byte, 64> buffer{};
  std::error_code ec;
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(pair.client.peek(buffer, ec), data1.size());
    EXPECT_EQ(test::as_string(std::span(buffer).first(data1.size())), data1);
  }
  EXPECT_EQ(read_once(pair.client, ec), data1) << "peeked bytes are still read";
  expect_would_block([&](std::error_code& e) { return pair.client.read(buffer, e); });
  expect_would_block([&](std::error_code& e) { return pair.client.peek(buffer, e); });
  test::expect_no_events(poll, events);

  // Drained to would-block: the next data gives a new edge.
  write_all(pair.server, data2);
  test::expect_events(poll, events, {{id1, Ready::readable}});
  EXPECT_EQ(read_once(pair.client, ec), data2);
  expect_would_block([&](std::error_code& e) { return pair.client.read(buffer, e); });
  test::expect_no_events(poll, events);
}

TEST_P(TcpStreamTest, AnUndrainedStreamReportsOnlyOnce) {
  OPEN_POLL(poll, events(16));
  OPEN_PAIR(pair, any_local());
  REGISTER(poll, pair.client, id1, Interest::readable | Interest::writable);
  test::expect_events(poll, events, {{id1, Ready::writable}});
  // Edge-triggered: still writable, but nothing changed, so nothing is reported.
  test::expect_no_events(poll, events);

  write_all(pair.server, data1);
  test::expect_events(poll, events, {{id1, Ready::readable}});
  // Not read: still readable, and still no second report.
  test::expect_no_events(poll, events);
  test::expect_no_events(poll, events);
  std::error_code ec;
  EXPECT_EQ(read_once(pair.client, ec), data1);
}

TEST_P(TcpStreamTest, PartialReadsKeepTheRestInOrder) {
  OPEN_POLL(poll, events(16));
  OPEN_PAIR(pair, any_local());
  REGISTER(poll, pair.client, id1, Interest::readable);
  write_all(pair.server, "abcdefghij");
  test::expect_events(poll, events, {{id1, Ready::readable}});
  std::error_code ec;
  EXPECT_EQ(read_once(pair.client, ec, 3), "abc");
  EXPECT_EQ(read_once(pair.client, ec, 3), "def");
  EXPECT_EQ(read_once(pair.client, ec, 64), "ghij");
  std::array<std::byte, 1> one{};
  expect_would_block([&](std::error_code& e) { return pair.client.read(one, e); });
}

// ---- Closed and reset peers ---------------------------------------------------------------------

TEST_P(TcpStreamTest, PeerShutdownOfWritingGivesReadClosedAndEndOfStream) {
  OPEN_POLL(poll, events(16));
  OPEN_PAIR(pair, any_local());
  REGISTER(poll, pair.client, id1, Interest::readable | Interest::writable);
  test::expect_events(poll, events, {{id1, Ready::writable}});

  write_all(pair.server, data1);
  std::error_code ec;
  pair.server.shutdown(Shutdown::write, ec);
  ASSERT_FALSE(ec) << ec.message();
#if MIOCPP_SELECTOR_IOCP
  // An AFD poll completes with what the socket has at that moment, so the data (readable) may
  // wake it before the FIN is in; and wine's AFD reports the FIN (AFD_POLL_DISCONNECT, which is
  // read_closed) only once the data queued before it has been read. read_closed comes at the
  // latest after the data.
  test::expect_events(poll, events, {{id1, Ready::readable}});
  const bool closed_with_the_data = test::has(test::readiness_for(events, id1), Ready::read_closed);
#else
  test::expect_events(poll, events, {{id1, Ready::readable | Ready::read_closed}});
#endif

  // The data sent before the FIN comes first, then end-of-stream, again and again.
  EXPECT_EQ(read_once(pair.client, ec), data1);
  EXPECT_FALSE(ec) << ec.message();
#if MIOCPP_SELECTOR_IOCP
  if (!closed_with_the_data) {
    test::expect_events(poll, events, {{id1, Ready::read_closed}});
  }
#endif
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(read_once(pair.client, ec), "");
    EXPECT_FALSE(ec) << "end-of-stream is 0 bytes, not an error: " << ec.message();
  }

  // Half-closed: this side can still write, and the peer still reads.
  write_all(pair.client, data2);
  ASSERT_TRUE(test::raw_wait(pair.server.native_handle(), POLLIN));
  EXPECT_EQ(read_once(pair.server, ec), data2);
}

TEST_P(TcpStreamTest, PeerCloseGivesReadClosedAndEndOfStream) {
  OPEN_POLL(poll, events(16));
  OPEN_PAIR(pair, any_local());
  REGISTER(poll, pair.client, id1, Interest::readable);
  test::expect_no_events(poll, events);

  pair.server = TcpStream();
  test::expect_events(poll, events, {{id1, Ready::readable | Ready::read_closed}});
  std::error_code ec;
  EXPECT_EQ(read_once(pair.client, ec), "");
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_FALSE(pair.client.take_error(ec)) << "a graceful close is not an error";
}

TEST_P(TcpStreamTest, ResetByPeerIsAnErrorAndReadsGiveConnectionReset) {
  test::SigpipeCounter sigpipes;
  ASSERT_TRUE(sigpipes.ok());
  OPEN_POLL(poll, events(16));
  OPEN_PAIR(pair, any_local());
  REGISTER(poll, pair.client, id1, Interest::readable | Interest::writable);
  test::expect_events(poll, events, {{id1, Ready::writable}});

  ASSERT_TRUE(test::set_linger_zero(pair.server.native_handle()));
  pair.server = TcpStream();  // sends RST
#if MIOCPP_SELECTOR_IOCP
  // AFD reports a reset as AFD_POLL_ABORT, which is both halves closed, not an error (as in mio:
  // only a failed connect is an error there).
  test::expect_events(poll, events, {{id1, Ready::read_closed | Ready::write_closed}});
#else
  test::expect_events(poll, events, {{id1, Ready::error | Ready::read_closed}});
#endif

  std::error_code ec;
  EXPECT_EQ(read_once(pair.client, ec), "");
#if MIOCPP_SELECTOR_IOCP
  // Windows' recv reports the reset (WSAECONNRESET); under wine the reset has already been
  // collected by wine's own socket polling, and recv sees a plain end of stream.
  EXPECT_TRUE(!ec || ec == std::errc::connection_reset) << ec.message();
  // A reset connection stays reset for Winsock: every later send fails with WSAECONNRESET,
  // where POSIX says EPIPE once the reset has been reported.
  const std::errc gone = std::errc::connection_reset;
#else
  EXPECT_EQ(ec, std::errc::connection_reset) << ec.message();
  const std::errc gone = std::errc::broken_pipe;
#endif

  // The reset is consumed; now the connection is simply gone. Writing must not raise SIGPIPE.
  (void)pair.client.write(bytes_of(data1), ec);
  EXPECT_EQ(ec, gone) << ec.message();
  const std::array slices{IoSlice(bytes_of(data1)), IoSlice(bytes_of(data2))};
  EXPECT_EQ(pair.client.write_vectored(slices, ec), 0U);
  EXPECT_EQ(ec, gone) << ec.message();
  EXPECT_EQ(sigpipes.received(), 0) << "a miocpp write raised SIGPIPE";

  // Control: the same write without MSG_NOSIGNAL does raise it (where there is a SIGPIPE), so
  // the check above can fail.
  EXPECT_LT(test::raw_send(pair.client.native_handle(), data1.data(), data1.size()), 0);
  EXPECT_EQ(sigpipes.received(), test::SigpipeCounter::raised_by_a_plain_send)
      << "SIGPIPE detection does not work";
}

TEST_P(TcpStreamTest, WritingToAClosedPeerFailsWithoutSigpipe) {
  test::SigpipeCounter sigpipes;
  ASSERT_TRUE(sigpipes.ok());
  OPEN_POLL(poll, events(16));
  OPEN_PAIR(pair, any_local());
  REGISTER(poll, pair.client, id1, Interest::readable | Interest::writable);
  test::expect_events(poll, events, {{id1, Ready::writable}});
  pair.server = TcpStream();
  test::expect_events(poll, events, {{id1, Ready::read_closed}});

  // The first write still leaves (the peer answers it with RST); a later one fails.
  std::error_code ec;
  const std::vector<std::byte> chunk(1024, std::byte{7});
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (std::chrono::steady_clock::now() < deadline) {
    (void)pair.client.write(chunk, ec);
    if (ec == std::errc::operation_would_block) {
      test::wait_for_event(poll, events, id1, [](const Event& e) { return e.is_writable(); });
    } else if (ec) {
      break;
    } else {
      std::this_thread::sleep_for(1ms);
    }
  }
  EXPECT_TRUE(ec == std::errc::broken_pipe || ec == std::errc::connection_reset) << ec.message();
  (void)pair.client.write(chunk, ec);
#if MIOCPP_SELECTOR_IOCP
  // Winsock keeps reporting the reset (WSAECONNRESET) where POSIX moves on to EPIPE.
  EXPECT_EQ(ec, std::errc::connection_reset) << ec.message();
#else
  EXPECT_EQ(ec, std::errc::broken_pipe) << ec.message();
#endif
  EXPECT_EQ(sigpipes.received(), 0) << "a miocpp write raised SIGPIPE";
}

// ---- Shutdown -----------------------------------------------------------------------------------

TEST_P(TcpStreamTest, ShutdownWriteSendsFinAndRefusesWrites) {
  test::SigpipeCounter sigpipes;
  ASSERT_TRUE(sigpipes.ok());
  OPEN_POLL(poll, events(16));
  OPEN_PAIR(pair, any_local());
  REGISTER(poll, pair.client, id1, Interest::readable | Interest::writable);
  REGISTER(poll, pair.server, id2, Interest::readable);
  test::expect_events(poll, events, {{id1, Ready::writable}});

  write_all(pair.client, data1);
  std::error_code ec;
  pair.client.shutdown(Shutdown::write, ec);
  ASSERT_FALSE(ec) << ec.message();
  (void)pair.client.write(bytes_of(data2), ec);
#if MIOCPP_SELECTOR_IOCP
  // Winsock refuses a send after shutdown(SD_SEND) with WSAESHUTDOWN, not EPIPE.
  EXPECT_EQ(ec.value(), WSAESHUTDOWN) << ec.message();
#else
  EXPECT_EQ(ec, std::errc::broken_pipe) << ec.message();
#endif
  EXPECT_EQ(sigpipes.received(), 0);

  // The peer reads the data, then end-of-stream.
#if MIOCPP_SELECTOR_IOCP
  // As in PeerShutdownOfWritingGivesReadClosedAndEndOfStream: AFD may report the FIN only after
  // the data.
  test::expect_events(poll, events, {{id2, Ready::readable}});
  const bool closed_with_the_data = test::has(test::readiness_for(events, id2), Ready::read_closed);
  EXPECT_EQ(read_once(pair.server, ec), data1);
  if (!closed_with_the_data) {
    test::expect_events(poll, events, {{id2, Ready::read_closed}});
  }
#else
  test::expect_events(poll, events, {{id2, Ready::readable | Ready::read_closed}});
  EXPECT_EQ(read_once(pair.server, ec), data1);
#endif
  EXPECT_EQ(read_once(pair.server, ec), "");
  EXPECT_FALSE(ec) << ec.message();

  // Reading still works on the shut-down side.
  write_all(pair.server, data2);
  EXPECT_EQ(read_exactly(poll, events, pair.client, id1, data2.size()), data2);
}

TEST_P(TcpStreamTest, ShutdownReadGivesReadClosedAndEndOfStream) {
  OPEN_POLL(poll, events(16));
  OPEN_PAIR(pair, any_local());
  REGISTER(poll, pair.client, id1, Interest::readable | Interest::writable);
  test::expect_events(poll, events, {{id1, Ready::writable}});

  std::error_code ec;
  pair.client.shutdown(Shutdown::read, ec);
  ASSERT_FALSE(ec) << ec.message();
#if MIOCPP_SELECTOR_IOCP
  // AFD reports what the peer does, not this side's own shutdown: no event (mio's Windows
  // backend behaves the same).
  test::expect_no_events(poll, events);
#else
  test::expect_events(poll, events, {{id1, Ready::read_closed}});
#endif
  EXPECT_EQ(read_once(pair.client, ec), "");
  EXPECT_FALSE(ec) << ec.message();

  // Writing is untouched.
  write_all(pair.client, data1);
  ASSERT_TRUE(test::raw_wait(pair.server.native_handle(), POLLIN));
  EXPECT_EQ(read_once(pair.server, ec), data1);
}

TEST_P(TcpStreamTest, ShutdownBothClosesBothHalves) {
  test::SigpipeCounter sigpipes;
  ASSERT_TRUE(sigpipes.ok());
  OPEN_POLL(poll, events(16));
  OPEN_PAIR(pair, any_local());
  REGISTER(poll, pair.client, id1, Interest::readable | Interest::writable);
  REGISTER(poll, pair.server, id2, Interest::readable);
  test::expect_events(poll, events, {{id1, Ready::writable}});

  std::error_code ec;
  pair.client.shutdown(Shutdown::both, ec);
  ASSERT_FALSE(ec) << ec.message();
#if MIOCPP_SELECTOR_IOCP
  // AFD does not report this side's own shutdown; only the peer sees it.
  test::expect_events(poll, events, {{id2, Ready::readable | Ready::read_closed}});
  EXPECT_FALSE(test::has(test::readiness_for(events, id1), Ready::write_closed));
#else
  test::expect_events(poll, events,
                      {{id1, Ready::read_closed | Ready::write_closed},
                       {id2, Ready::readable | Ready::read_closed}});
#endif
  EXPECT_EQ(read_once(pair.client, ec), "");
  EXPECT_FALSE(ec) << ec.message();
  (void)pair.client.write(bytes_of(data2), ec);
#if MIOCPP_SELECTOR_IOCP
  EXPECT_EQ(ec.value(), WSAESHUTDOWN) << "Winsock's answer to a send after shutdown";
#else
  EXPECT_EQ(ec, std::errc::broken_pipe) << ec.message();
#endif
  EXPECT_EQ(sigpipes.received(), 0);
  EXPECT_EQ(read_once(pair.server, ec), "");
  EXPECT_FALSE(ec) << ec.message();
}

// ---- Registration -------------------------------------------------------------------------------

TEST_P(TcpStreamTest, RegisteredIdleStreamGivesNoEvents) {
  OPEN_POLL(poll, events(16));
  OPEN_PAIR(pair, any_local());
  REGISTER(poll, pair.client, id1, Interest::readable);
  test::expect_no_events(poll, events, 100ms);
}

TEST_P(TcpStreamTest, DeregisteredStreamGivesNoEventsButStillWorks) {
  OPEN_POLL(poll, events(16));
  OPEN_PAIR(pair, any_local());
  REGISTER(poll, pair.client, id1, Interest::readable | Interest::writable);
  std::error_code ec;
  DEREGISTER(poll, pair.client);
  test::expect_no_events(poll, events);

  write_all(pair.server, data1);
  write_all(pair.client, data2);
  test::expect_no_events(poll, events, 100ms);
  ASSERT_TRUE(test::raw_wait(pair.client.native_handle(), POLLIN));
  EXPECT_EQ(read_once(pair.client, ec), data1);
  EXPECT_EQ(pair.client.peer_addr(ec), pair.listener_address);
  test::expect_no_events(poll, events);
}

TEST_P(TcpStreamTest, ReregisterChangesTokenAndInterest) {
  OPEN_POLL(poll, events(16));
  OPEN_PAIR(pair, any_local());
  REGISTER(poll, pair.client, id1, Interest::readable);
  test::expect_no_events(poll, events);

  // Readable -> writable: the writable edge shows with the new token.
  std::error_code ec;
  REREGISTER(poll, pair.client, id2, Interest::writable);
  test::expect_events(poll, events, {{id2, Ready::writable}});

  // Writable -> readable: data shows with the third token, and writability no longer does.
  REREGISTER(poll, pair.client, id3, Interest::readable);
  write_all(pair.server, data1);
  ASSERT_TRUE(test::wait_for_event(poll, events, id3,
                                   [](const Event& event) { return event.is_readable(); }));
  for (const Event& event : events) {
    EXPECT_NE(event.token(), id1) << event;
    EXPECT_NE(event.token(), id2) << event;
    if (event.token() == id3) {
      EXPECT_FALSE(event.is_writable()) << "writable was not asked for: " << event;
    }
  }
  EXPECT_EQ(read_once(pair.client, ec), data1);
}

// ---- Vectored and empty I/O ---------------------------------------------------------------------

TEST_P(TcpStreamTest, VectoredIoGathersAndScattersSeveralSlices) {
  OPEN_POLL(poll, events(16));
  OPEN_PAIR(pair, any_local());
  REGISTER(poll, pair.server, id1, Interest::readable);

  const std::string_view parts[] = {"first|", "", "second part|", "3|", "the fourth and last"};
  std::vector<IoSlice> slices;
  std::string expected;
  for (const std::string_view part : parts) {
    slices.emplace_back(bytes_of(part));
    expected += part;
  }
  std::error_code ec;
  EXPECT_EQ(pair.client.write_vectored(slices, ec), expected.size());
  ASSERT_FALSE(ec) << ec.message();
  test::expect_events(poll, events, {{id1, Ready::readable}});

  // Scatter into slices of 4, 0, 10 and 64 bytes; the tail of the last stays untouched.
  std::array<std::byte, 4> a{};
  std::array<std::byte, 10> c{};
  std::vector<std::byte> d(64, std::byte{0x5a});
  std::array read_slices{IoSliceMut(a), IoSliceMut(std::span<std::byte>()), IoSliceMut(c),
                         IoSliceMut(d)};
  const std::size_t count = pair.server.read_vectored(read_slices, ec);
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_EQ(count, expected.size());
  EXPECT_EQ(test::as_string(a), expected.substr(0, 4));
  EXPECT_EQ(test::as_string(c), expected.substr(4, 10));
  const std::size_t rest = expected.size() - 14;
  EXPECT_EQ(test::as_string(std::span(d).first(rest)), expected.substr(14));
  for (std::size_t i = rest; i < d.size(); ++i) {
    EXPECT_EQ(d[i], std::byte{0x5a}) << "byte " << i << " of the last slice was written";
  }
  expect_would_block([&](std::error_code& e) { return pair.server.read_vectored(read_slices, e); });
}

TEST_P(TcpStreamTest, EmptyBuffersAreValidAndTransferNothing) {
  OPEN_POLL(poll, events(16));
  OPEN_PAIR(pair, any_local());
  REGISTER(poll, pair.client, id1, Interest::readable);
  std::error_code ec = std::make_error_code(std::errc::io_error);
  EXPECT_EQ(pair.client.write(std::span<const std::byte>(), ec), 0U);
  EXPECT_FALSE(ec) << ec.message();
  ec = std::make_error_code(std::errc::io_error);
  EXPECT_EQ(pair.client.read(std::span<std::byte>(), ec), 0U);
  EXPECT_FALSE(ec) << "an empty read is not would-block: " << ec.message();
  EXPECT_EQ(pair.client.peek(std::span<std::byte>(), ec), 0U);
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_EQ(pair.client.write_vectored(std::span<const IoSlice>(), ec), 0U);
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_EQ(pair.client.read_vectored(std::span<IoSliceMut>(), ec), 0U);
  EXPECT_FALSE(ec) << ec.message();
  const std::array empty_slices{IoSlice(std::span<const std::byte>()),
                                IoSlice(std::span<const std::byte>())};
  EXPECT_EQ(pair.client.write_vectored(empty_slices, ec), 0U);
  EXPECT_FALSE(ec) << ec.message();

  // Nothing reached the peer.
  ASSERT_FALSE(test::raw_wait(pair.server.native_handle(), POLLIN, 50ms));

  // With data queued, an empty read takes none of it.
  write_all(pair.server, data1);
  test::expect_events(poll, events, {{id1, Ready::readable}});
  EXPECT_EQ(pair.client.read(std::span<std::byte>(), ec), 0U);
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_EQ(read_once(pair.client, ec), data1);
}

TEST_P(TcpStreamTest, TryIoRunsRawCallsAndReportsWouldBlock) {
  OPEN_POLL(poll, events(16));
  OPEN_PAIR(pair, any_local());
  REGISTER(poll, pair.client, id1, Interest::readable);
  std::array<std::byte, 64> buffer{};
  const auto receive = test::raw_recv_operation(pair.client.native_handle(), buffer);
  int calls = 0;
  const auto raw_recv = [&](std::error_code& op_ec) {
    ++calls;
    return receive(op_ec);
  };
  static_assert(
      std::is_same_v<decltype(pair.client.try_io(raw_recv, std::declval<std::error_code&>())),
                     std::size_t>);

  std::error_code ec;
  EXPECT_EQ(pair.client.try_io(raw_recv, ec), 0U);
  EXPECT_EQ(ec, std::errc::operation_would_block) << ec.message();
  EXPECT_EQ(calls, 1);

  // After the would-block, data gives an edge as usual.
  write_all(pair.server, data1);
  test::expect_events(poll, events, {{id1, Ready::readable}});
  const std::size_t count = pair.client.try_io(raw_recv, ec);
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_EQ(test::as_string(std::span(buffer).first(count)), data1);
  EXPECT_EQ(pair.client.try_io(raw_recv, ec), 0U);
  EXPECT_EQ(ec, std::errc::operation_would_block);

  // The operation's own result type comes back unchanged.
  struct Custom {
    int value;
  };
  const Custom custom = pair.client.try_io(
      [](std::error_code& op_ec) {
        op_ec.clear();
        return Custom{42};
      },
      ec);
  EXPECT_EQ(custom.value, 42);
  EXPECT_FALSE(ec);
}

// ---- Options, errors, ownership -----------------------------------------------------------------

TEST_P(TcpStreamTest, NodelayAndTtlRoundTrip) {
  OPEN_PAIR(pair, any_local());
  std::error_code ec;
  EXPECT_FALSE(pair.client.nodelay(ec)) << "Nagle is on by default";
  EXPECT_FALSE(ec) << ec.message();
  pair.client.set_nodelay(true, ec);
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_TRUE(pair.client.nodelay(ec));
  pair.client.set_nodelay(false, ec);
  EXPECT_FALSE(pair.client.nodelay(ec));
  EXPECT_FALSE(ec) << ec.message();

  const std::uint32_t initial = pair.client.ttl(ec);
  EXPECT_FALSE(ec) << "ttl without a previous set_ttl: " << ec.message();
  EXPECT_GT(initial, 0U);
  for (const std::uint32_t ttl : {10U, 1U, 255U}) {
    pair.client.set_ttl(ttl, ec);
    EXPECT_FALSE(ec) << ec.message();
    EXPECT_EQ(pair.client.ttl(ec), ttl);
  }
  for (const std::uint32_t ttl : {256U, 0x80000000U, 0xFFFFFFFFU}) {
    pair.client.set_ttl(ttl, ec);
    EXPECT_EQ(ec, std::errc::invalid_argument) << ttl << ": " << ec.message();
    EXPECT_EQ(pair.client.ttl(ec), 255U) << "a refused set_ttl(" << ttl << ") changed the TTL";
  }

  // Options are per socket.
  EXPECT_FALSE(pair.server.nodelay(ec));
  EXPECT_EQ(pair.server.ttl(ec), initial);
  EXPECT_FALSE(pair.client.take_error(ec));
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_FALSE(pair.server.take_error(ec));
}

TEST_P(TcpStreamTest, FromNativeReleaseAndNativeHandleTransferOwnership) {
  OPEN_POLL(poll, events(16));
  OPEN_RAW(listener, address, test::raw_listen, any_local());
  test::OwnedFd raw = test::raw_connect(address);
  ASSERT_TRUE(raw.valid());
  const test::OwnedFd peer = test::raw_accept(listener.get());
  const test::NativeSocket fd = test::release_nonblocking(raw);
  ASSERT_NE(fd, test::invalid_socket);

  TcpStream stream = TcpStream::from_native(fd);
  EXPECT_EQ(stream.native_handle(), fd);
  std::error_code ec;
  EXPECT_EQ(stream.peer_addr(ec), address);
  const SocketAddr local = stream.local_addr(ec);
  REGISTER(poll, stream, id1, Interest::readable);
  ASSERT_TRUE(test::raw_send_all(peer.get(), bytes_of(data1)));
  test::expect_events(poll, events, {{id1, Ready::readable}});
  EXPECT_EQ(read_once(stream, ec), data1);
#if MIOCPP_SELECTOR_POLL || MIOCPP_SELECTOR_IOCP
  // poll(2) reports new data only once a read has come back would_block; so does the Windows
  // backend, whose AFD polls are re-armed by the would-block.
  std::array<std::byte, 8> drained{};
  expect_would_block([&](std::error_code& e) { return stream.read(drained, e); });
#endif

  // Moving keeps the descriptor (and its registration) and empties the source.
  TcpStream moved = std::move(stream);
  EXPECT_EQ(moved.native_handle(), fd);
  EXPECT_EQ(stream.native_handle(), test::invalid_socket);  // NOLINT(bugprone-use-after-move)
  std::array<std::byte, 1> one{};
  (void)stream.read(one, ec);  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(ec, std::errc::bad_file_descriptor);
  ASSERT_TRUE(test::raw_send_all(peer.get(), bytes_of(data2)));
  test::expect_events(poll, events, {{id1, Ready::readable}});
  EXPECT_EQ(read_once(moved, ec), data2);

  DEREGISTER(poll, moved);
  EXPECT_EQ(moved.release(), fd);
  EXPECT_EQ(moved.native_handle(), test::invalid_socket);
  EXPECT_TRUE(test::is_open_descriptor(fd)) << "release must not close";
  {
    const TcpStream readopted = TcpStream::from_native(fd);
    EXPECT_EQ(readopted.local_addr(ec), local);
  }
  EXPECT_FALSE(test::is_open_descriptor(fd)) << "the owner closes on destruction";
}

TEST_P(TcpStreamTest, MoveAssignmentClosesTheOldStream) {
  OPEN_PAIR(first, any_local());
  OPEN_PAIR(second, any_local());
  const test::NativeSocket old_fd = first.client.native_handle();
  const test::NativeSocket new_fd = second.client.native_handle();
  first.client = std::move(second.client);
  EXPECT_EQ(first.client.native_handle(), new_fd);
  EXPECT_FALSE(test::is_open_descriptor(old_fd));
  std::error_code ec;
  EXPECT_EQ(first.client.peer_addr(ec), second.listener_address);
}

// Out-of-band data is a Linux and Windows (AFD_POLL_RECEIVE_EXPEDITED) feature here.
#if MIOCPP_OS_LINUX || MIOCPP_OS_WINDOWS
TEST_P(TcpStreamTest, OutOfBandDataGivesAPriorityEvent) {
  OPEN_POLL(poll, events(16));
  OPEN_PAIR(pair, any_local());
  std::error_code ec;
  poll.registry().register_source(pair.client, id1, Interest::readable | Interest::priority, ec);
#if MIOCPP_SELECTOR_KQUEUE
  // kqueue has no out-of-band filter: the interest is refused and nothing is registered.
  EXPECT_EQ(ec, std::errc::not_supported) << ec.message();
  poll.registry().deregister(pair.client, ec);
  EXPECT_EQ(ec, std::errc::no_such_file_or_directory) << ec.message();
  return;
#endif
  if (ec == std::errc::not_supported) {
    GTEST_SKIP() << "this backend cannot watch priority data";
  }
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_EQ(test::raw_send(pair.server.native_handle(), data1.data(), data1.size(),
                           MSG_OOB | test::send_no_signal),
            static_cast<std::ptrdiff_t>(data1.size()));
  test::expect_events(poll, events, {{id1, Ready::readable | Ready::priority}});
}
#endif

#if MIOCPP_HAS_EXCEPTIONS
TEST_P(TcpStreamTest, ThrowingOverloads) {
  OPEN_PAIR(pair, any_local());
  TcpStream& client = pair.client;
  EXPECT_EQ(client.peer_addr(), pair.listener_address);
  EXPECT_TRUE(client.local_addr().ip().is_loopback());
  client.set_nodelay(true);
  EXPECT_TRUE(client.nodelay());
  client.set_ttl(33);
  EXPECT_EQ(client.ttl(), 33U);
  EXPECT_FALSE(client.take_error());
  EXPECT_EQ(client.write(bytes_of(data1)), data1.size());
  const std::array slices{IoSlice(bytes_of(data2))};
  EXPECT_EQ(client.write_vectored(slices), data2.size());
  ASSERT_TRUE(test::raw_wait(pair.server.native_handle(), POLLIN));
  std::array<std::byte, 64> buffer{};
  std::error_code ec;
  const std::size_t peeked = pair.server.peek(buffer);
  EXPECT_GT(peeked, 0U);
  const std::string received = read_once(pair.server, ec, data1.size() + data2.size());
  EXPECT_EQ(received.substr(0, peeked), test::as_string(std::span(buffer).first(peeked)));
  EXPECT_EQ(test::thrown_code([&] { (void)client.read(buffer); }),
            std::errc::operation_would_block);
  std::array read_slices{IoSliceMut(buffer)};
  EXPECT_THROW((void)client.read_vectored(read_slices), std::system_error);
  client.shutdown(Shutdown::both);
  EXPECT_THROW((void)client.write(bytes_of(data1)), std::system_error);
  EXPECT_EQ(test::thrown_code([&] {
              (void)TcpStream::connect(
                  SocketAddr(miocpp::net::Ipv6Addr(0xfe80, 0, 0, 0, 0, 0, 0, 1), 80));
            }),
            std::errc::invalid_argument);
}
#endif

// ---- Empty streams ------------------------------------------------------------------------------

class TcpStreamEmpty : public test::LeakChecked<> {};

TEST_F(TcpStreamEmpty, EveryCallReportsBadFileDescriptor) {
  TcpStream stream;
  EXPECT_EQ(stream.native_handle(), test::invalid_socket);
  std::array<std::byte, 8> buffer{};
  std::array read_slices{IoSliceMut(buffer)};
  const std::array write_slices{IoSlice(bytes_of(data1))};
  const auto expect_bad = [](const std::error_code& ec, const char* what) {
    EXPECT_EQ(ec, std::errc::bad_file_descriptor) << what << ": " << ec.message();
  };
  std::error_code ec;

  EXPECT_EQ(stream.peer_addr(ec), SocketAddr());
  expect_bad(ec, "peer_addr");
  EXPECT_EQ(stream.local_addr(ec), SocketAddr());
  expect_bad(ec, "local_addr");
  stream.shutdown(Shutdown::both, ec);
  expect_bad(ec, "shutdown");
  stream.set_nodelay(true, ec);
  expect_bad(ec, "set_nodelay");
  EXPECT_FALSE(stream.nodelay(ec));
  expect_bad(ec, "nodelay");
  stream.set_ttl(5, ec);
  expect_bad(ec, "set_ttl");
  EXPECT_EQ(stream.ttl(ec), 0U);
  expect_bad(ec, "ttl");
  EXPECT_FALSE(stream.take_error(ec));
  expect_bad(ec, "take_error");
  EXPECT_EQ(stream.read(buffer, ec), 0U);
  expect_bad(ec, "read");
  EXPECT_EQ(stream.peek(buffer, ec), 0U);
  expect_bad(ec, "peek");
  EXPECT_EQ(stream.write(bytes_of(data1), ec), 0U);
  expect_bad(ec, "write");
  EXPECT_EQ(stream.read_vectored(read_slices, ec), 0U);
  expect_bad(ec, "read_vectored");
  EXPECT_EQ(stream.write_vectored(write_slices, ec), 0U);
  expect_bad(ec, "write_vectored");
  EXPECT_EQ(stream.read(std::span<std::byte>(), ec), 0U);
  expect_bad(ec, "empty read");
  EXPECT_EQ(stream.write(std::span<const std::byte>(), ec), 0U);
  expect_bad(ec, "empty write");
  const test::NativeSocket fd = stream.native_handle();
  EXPECT_EQ(stream.try_io(
                [fd](std::error_code& op_ec) {
                  const std::ptrdiff_t count = test::raw_recv(fd, nullptr, 0);
                  op_ec = count < 0 ? test::last_socket_error() : std::error_code();
                  return count;
                },
                ec),
            -1);
  expect_bad(ec, "try_io");

  OPEN_POLL(poll);
  poll.registry().register_source(stream, id1, Interest::readable, ec);
  expect_bad(ec, "register_source");
  poll.registry().reregister(stream, id1, Interest::readable, ec);
  EXPECT_TRUE(ec) << "reregister of a source that never registered";
  poll.registry().deregister(stream, ec);
  EXPECT_TRUE(ec) << "deregister of a source that never registered";
  EXPECT_EQ(stream.release(), test::invalid_socket);

#if MIOCPP_HAS_EXCEPTIONS
  EXPECT_EQ(test::thrown_code([&] { (void)stream.peer_addr(); }), std::errc::bad_file_descriptor);
  EXPECT_EQ(test::thrown_code([&] { (void)stream.read(buffer); }), std::errc::bad_file_descriptor);
  EXPECT_EQ(test::thrown_code([&] { (void)stream.write(bytes_of(data1)); }),
            std::errc::bad_file_descriptor);
  EXPECT_EQ(test::thrown_code([&] { stream.shutdown(Shutdown::read); }),
            std::errc::bad_file_descriptor);
  EXPECT_EQ(test::thrown_code([&] { (void)stream.nodelay(); }), std::errc::bad_file_descriptor);
  EXPECT_EQ(test::thrown_code([&] { (void)stream.take_error(); }), std::errc::bad_file_descriptor);
#endif
}

TEST_F(TcpStreamEmpty, FailedConnectGivesAnEmptyStream) {
  // A link-local address needs a scope; the connect fails at once.
  std::error_code ec;
  const TcpStream stream =
      TcpStream::connect(SocketAddr(miocpp::net::Ipv6Addr(0xfe80, 0, 0, 0, 0, 0, 0, 1), 80), ec);
  EXPECT_EQ(ec, std::errc::invalid_argument) << ec.message();
  EXPECT_EQ(stream.native_handle(), test::invalid_socket);
}

}  // namespace
