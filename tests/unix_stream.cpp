// net::UnixStream: connecting, pairs, readiness events, reads and writes (vectored too), shutdown
// and closed peers, addresses, bad paths, abstract names, ownership and empty objects.
#include <fcntl.h>
#include <signal.h>  // NOLINT(modernize-deprecated-headers): sigaction is POSIX
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "support/descriptors.hpp"
#include "support/expect.hpp"
#include "support/raw_fd.hpp"
#include "support/temp_dir.hpp"
#include <miocpp/miocpp.hpp>

namespace {

using namespace std::chrono_literals;
using miocpp::Events;
using miocpp::Interest;
using miocpp::IoSlice;
using miocpp::IoSliceMut;
using miocpp::Poll;
using miocpp::Token;
using miocpp::net::Shutdown;
using miocpp::net::UnixListener;
using miocpp::net::UnixSocketAddr;
using miocpp::net::UnixStream;
using test::Ready;

constexpr Token token_1{0};
constexpr Token token_2{1};
constexpr std::string_view data_1 = "Hello same host!";
constexpr std::string_view data_2 = "Why hello mio!";

static_assert(miocpp::event::Source<UnixStream>);
static_assert(std::is_nothrow_default_constructible_v<UnixStream>);
static_assert(std::is_nothrow_move_constructible_v<UnixStream> &&
              std::is_nothrow_move_assignable_v<UnixStream>);
static_assert(!std::is_copy_constructible_v<UnixStream> && !std::is_copy_assignable_v<UnixStream>);
static_assert(std::is_same_v<UnixStream::native_handle_type, int>);

using test::TempDir;

/// A name in Linux's abstract namespace (with its leading NUL) that no other test or process
/// uses.
std::string unique_abstract_path(std::string_view what) {
  static std::atomic<unsigned> counter{0};
  std::string path(1, '\0');
  path += "miocpp-test-" + std::to_string(::getpid()) + '-' + std::to_string(counter++) + '-';
  path += what;
  return path;
}

std::string as_string(std::span<const std::byte> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};  // NOLINT(*-reinterpret-cast)
}

bool is_nonblocking(int fd) {
  const int flags = ::fcntl(fd, F_GETFL);
  return flags >= 0 && (flags & O_NONBLOCK) != 0;
}
bool is_close_on_exec(int fd) {
  const int flags = ::fcntl(fd, F_GETFD);
  return flags >= 0 && (flags & FD_CLOEXEC) != 0;
}
bool is_open(int fd) {
  return ::fcntl(fd, F_GETFD) >= 0;
}

/// Expects one read to return exactly `expected`.
void expect_read(UnixStream& stream, std::string_view expected) {
  std::array<std::byte, 64> buffer{};
  std::error_code ec;
  const std::size_t count = stream.read(buffer, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(as_string(std::span(buffer).first(count)), expected);
}

void expect_read_would_block(UnixStream& stream) {
  std::array<std::byte, 64> buffer{};
  std::error_code ec;
  EXPECT_EQ(stream.read(buffer, ec), 0U);
  EXPECT_EQ(ec, std::errc::operation_would_block) << ec.message();
}

void write_all(UnixStream& stream, std::string_view text) {
  std::error_code ec;
  EXPECT_EQ(stream.write(test::bytes_of(text), ec), text.size());
  EXPECT_FALSE(ec) << ec.message();
}

/// Writes until the socket would block; returns how much went in.
std::size_t fill(UnixStream& stream) {
  const std::vector<std::byte> chunk(16384, std::byte{0x5a});
  std::size_t total = 0;
  for (;;) {
    std::error_code ec;
    const std::size_t written = stream.write(chunk, ec);
    if (ec) {
      EXPECT_EQ(ec, std::errc::operation_would_block) << ec.message();
      return total;
    }
    total += written;
  }
}

/// Reads until would_block or end of stream; returns how much came out.
std::size_t drain(UnixStream& stream) {
  std::vector<std::byte> buffer(16384);
  std::size_t total = 0;
  for (;;) {
    std::error_code ec;
    const std::size_t count = stream.read(buffer, ec);
    if (ec) {
      EXPECT_EQ(ec, std::errc::operation_would_block) << ec.message();
      return total;
    }
    if (count == 0) {
      return total;
    }
    total += count;
  }
}

/// A listener on `path` and a stream connected to it, with the accepted end.
struct Connection {
  UnixListener listener;
  UnixStream client;
  UnixStream server;
};

Connection connect_through(const std::string& path) {
  Connection connection;
  std::error_code ec;
  connection.listener = UnixListener::bind(path, ec);
  EXPECT_FALSE(ec) << "bind: " << ec.message();
  connection.client = UnixStream::connect(path, ec);
  EXPECT_FALSE(ec) << "connect: " << ec.message();
  auto [server, peer] = connection.listener.accept(ec);
  EXPECT_FALSE(ec) << "accept: " << ec.message();
  connection.server = std::move(server);
  return connection;
}

struct StreamPair {
  UnixStream first;
  UnixStream second;
};

StreamPair open_pair() {
  std::error_code ec;
  auto [first, second] = UnixStream::pair(ec);
  EXPECT_FALSE(ec) << "pair: " << ec.message();
  return {std::move(first), std::move(second)};
}

TEST(UnixStream, ConnectGivesANonBlockingCloseOnExecSocket) {
  const test::DescriptorLeakCheck leak_check;
  const TempDir dir;
  Connection c = connect_through(dir.path("socket"));
  for (const int fd : {c.client.native_handle(), c.server.native_handle()}) {
    SCOPED_TRACE(fd);
    ASSERT_GE(fd, 0);
    EXPECT_TRUE(is_nonblocking(fd));
    EXPECT_TRUE(is_close_on_exec(fd));
    int type = 0;
    ::socklen_t length = sizeof type;
    ASSERT_EQ(::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &length), 0);
    EXPECT_EQ(type, SOCK_STREAM);
  }
}

// As mio's smoke test: writable first, then readable once the other side writes; vectored I/O
// keeps the order and leaves the rest of the buffers alone.
TEST(UnixStream, SmokeConnectWritableReadableAndVectoredIo) {
  const test::DescriptorLeakCheck leak_check;
  const TempDir dir;
  OPEN_POLL(poll);
  Events events(8);
  Connection c = connect_through(dir.path("socket"));
  std::error_code ec;
  poll.registry().register_source(c.client, token_1, Interest::readable | Interest::writable, ec);
  ASSERT_FALSE(ec) << ec.message();
  test::expect_events(poll, events, {{token_1, Ready::writable}});
  expect_read_would_block(c.client);

  write_all(c.client, data_1);
  expect_read(c.server, data_1);
  write_all(c.server, data_1);
  test::expect_events(poll, events, {{token_1, Ready::readable}});
  expect_read(c.client, data_1);
  EXPECT_FALSE(c.client.take_error(ec)) << "pending error";
  EXPECT_FALSE(ec) << ec.message();
  expect_read_would_block(c.client);

  const std::array<IoSlice, 2> out = {IoSlice(test::bytes_of(data_1)),
                                      IoSlice(test::bytes_of(data_2))};
  EXPECT_EQ(c.server.write_vectored(out, ec), data_1.size() + data_2.size());
  ASSERT_FALSE(ec) << ec.message();
  test::expect_events(poll, events, {{token_1, Ready::readable}});

  std::array<std::byte, data_1.size()> first{};
  std::array<std::byte, data_2.size() + 1> second{};
  second.back() = std::byte{2};
  std::array<IoSliceMut, 2> in = {IoSliceMut(first), IoSliceMut(second)};
  EXPECT_EQ(c.client.read_vectored(in, ec), data_1.size() + data_2.size());
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(as_string(first), data_1);
  EXPECT_EQ(as_string(std::span(second).first(data_2.size())), data_2);
  EXPECT_EQ(second.back(), std::byte{2});  // untouched
  EXPECT_EQ(c.client.read_vectored(in, ec), 0U);
  EXPECT_EQ(ec, std::errc::operation_would_block) << ec.message();
}

// A connection accepted only after the client registered still reports writable, then readable.
TEST(UnixStream, ConnectThenAcceptGivesWritableThenReadable) {
  const test::DescriptorLeakCheck leak_check;
  const TempDir dir;
  OPEN_POLL(poll);
  Events events(8);
  const std::string path = dir.path("socket");
  std::error_code ec;
  UnixListener listener = UnixListener::bind(path, ec);
  ASSERT_FALSE(ec) << ec.message();
  UnixStream stream = UnixStream::connect(path, ec);
  ASSERT_FALSE(ec) << ec.message();
  poll.registry().register_source(stream, token_1, Interest::readable | Interest::writable, ec);
  ASSERT_FALSE(ec) << ec.message();
  test::expect_events(poll, events, {{token_1, Ready::writable}});

  auto [accepted, peer] = listener.accept(ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_TRUE(peer.is_unnamed()) << peer;
  accepted = UnixStream();  // dropping it makes the client readable (end of stream)
  test::expect_events(poll, events, {{token_1, Ready::readable}});
  std::array<std::byte, 8> buffer{};
  EXPECT_EQ(stream.read(buffer, ec), 0U);
  EXPECT_FALSE(ec) << ec.message();
}

TEST(UnixStream, PairEndsTalkBothWays) {
  const test::DescriptorLeakCheck leak_check;
  OPEN_POLL(poll);
  Events events(8);
  StreamPair p = open_pair();
  for (const int fd : {p.first.native_handle(), p.second.native_handle()}) {
    ASSERT_GE(fd, 0);
    EXPECT_TRUE(is_nonblocking(fd));
    EXPECT_TRUE(is_close_on_exec(fd));
  }
  std::error_code ec;
  poll.registry().register_source(p.first, token_1, Interest::readable | Interest::writable, ec);
  ASSERT_FALSE(ec) << ec.message();
  poll.registry().register_source(p.second, token_2, Interest::readable | Interest::writable, ec);
  ASSERT_FALSE(ec) << ec.message();
  test::expect_events(poll, events, {{token_1, Ready::writable}, {token_2, Ready::writable}});

  expect_read_would_block(p.first);
  write_all(p.first, data_1);
  test::expect_events(poll, events, {{token_2, Ready::readable}});
  expect_read(p.second, data_1);
  expect_read_would_block(p.second);

  write_all(p.second, data_2);
  test::expect_events(poll, events, {{token_1, Ready::readable}});
  expect_read(p.first, data_2);
  expect_read_would_block(p.first);
}

TEST(UnixStream, PairEndsAreUnnamed) {
  const test::DescriptorLeakCheck leak_check;
  StreamPair p = open_pair();
  std::error_code ec;
  for (UnixStream* end : {&p.first, &p.second}) {
    const UnixSocketAddr local = end->local_addr(ec);
    ASSERT_FALSE(ec) << ec.message();
    EXPECT_TRUE(local.is_unnamed()) << local;
    const UnixSocketAddr peer = end->peer_addr(ec);
    ASSERT_FALSE(ec) << ec.message();
    EXPECT_TRUE(peer.is_unnamed()) << peer;
    EXPECT_FALSE(peer.as_pathname());
    EXPECT_FALSE(peer.as_abstract_name());
  }
}

TEST(UnixStream, PeerAddrIsTheListenersPathAndLocalAddrIsUnnamed) {
  const test::DescriptorLeakCheck leak_check;
  const TempDir dir;
  const std::string path = dir.path("socket");
  Connection c = connect_through(path);
  std::error_code ec;
  const UnixSocketAddr peer = c.client.peer_addr(ec);
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_TRUE(peer.as_pathname());
  EXPECT_EQ(*peer.as_pathname(), path);
  EXPECT_FALSE(peer.is_unnamed());
  const UnixSocketAddr local = c.client.local_addr(ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_TRUE(local.is_unnamed()) << local;
  EXPECT_FALSE(local.as_pathname());

  // The accepted end is the other way round.
  const UnixSocketAddr server_local = c.server.local_addr(ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(server_local.as_pathname(), std::optional<std::string_view>(path));
  EXPECT_TRUE(c.server.peer_addr(ec).is_unnamed());
  EXPECT_FALSE(ec) << ec.message();

  std::ostringstream printed;
  printed << peer << ' ' << local;
  EXPECT_EQ(printed.str(), path + " (unnamed)");
}

TEST(UnixStream, PeerShutdownWriteGivesReadClosedAndEndOfStream) {
  const test::DescriptorLeakCheck leak_check;
  OPEN_POLL(poll);
  Events events(8);
  StreamPair p = open_pair();
  std::error_code ec;
  poll.registry().register_source(p.first, token_1, Interest::readable, ec);
  ASSERT_FALSE(ec) << ec.message();
  test::expect_no_events(poll, events);

  write_all(p.second, data_1);
  p.second.shutdown(Shutdown::write, ec);
  ASSERT_FALSE(ec) << ec.message();
  test::expect_events(poll, events, {{token_1, Ready::readable | Ready::read_closed}});
  expect_read(p.first, data_1);
  std::array<std::byte, 8> buffer{};
  EXPECT_EQ(p.first.read(buffer, ec), 0U);
  EXPECT_FALSE(ec) << ec.message();  // end of stream, not would_block
  // The other direction still works.
  write_all(p.first, data_2);
  expect_read(p.second, data_2);
}

TEST(UnixStream, DroppedPeerGivesReadClosedAndEndOfStream) {
  const test::DescriptorLeakCheck leak_check;
  OPEN_POLL(poll);
  Events events(8);
  StreamPair p = open_pair();
  std::error_code ec;
  poll.registry().register_source(p.first, token_1, Interest::readable, ec);
  ASSERT_FALSE(ec) << ec.message();

  p.second = UnixStream();
  test::expect_events(poll, events, {{token_1, Ready::read_closed}});
  std::array<std::byte, 8> buffer{};
  EXPECT_EQ(p.first.read(buffer, ec), 0U);
  EXPECT_FALSE(ec) << ec.message();
}

// No SIGPIPE handler is installed here: were the library to raise the signal, the process would
// die.
TEST(UnixStream, WriteToADroppedPeerIsBrokenPipeWithoutASignal) {
  const test::DescriptorLeakCheck leak_check;
  struct ::sigaction current {};
  ASSERT_EQ(::sigaction(SIGPIPE, nullptr, &current), 0);
  if (current.sa_handler != SIG_DFL) {  // NOLINT(*-cstyle-cast)
    GTEST_SKIP() << "SIGPIPE is not at its default disposition in this process";
  }
  OPEN_POLL(poll);
  Events events(8);
  StreamPair p = open_pair();
  std::error_code ec;
  poll.registry().register_source(p.first, token_1, Interest::writable, ec);
  ASSERT_FALSE(ec) << ec.message();
  test::expect_events(poll, events, {{token_1, Ready::writable}});

  p.second = UnixStream();
  test::expect_events(poll, events, {{token_1, Ready::write_closed}});
  EXPECT_EQ(p.first.write(test::bytes_of(data_1), ec), 0U);
  EXPECT_EQ(ec, std::errc::broken_pipe) << ec.message();
  const std::array<IoSlice, 2> out = {IoSlice(test::bytes_of(data_1)),
                                      IoSlice(test::bytes_of(data_2))};
  EXPECT_EQ(p.first.write_vectored(out, ec), 0U);
  EXPECT_EQ(ec, std::errc::broken_pipe) << ec.message();
}

TEST(UnixStream, ShutdownReadGivesReadClosed) {
  const test::DescriptorLeakCheck leak_check;
  const TempDir dir;
  OPEN_POLL(poll);
  Events events(8);
  Connection c = connect_through(dir.path("socket"));
  std::error_code ec;
  poll.registry().register_source(c.client, token_1, Interest::readable | Interest::writable, ec);
  ASSERT_FALSE(ec) << ec.message();
  test::expect_events(poll, events, {{token_1, Ready::writable}});
  write_all(c.server, data_1);
  test::expect_events(poll, events, {{token_1, Ready::readable}});

  c.client.shutdown(Shutdown::read, ec);
  ASSERT_FALSE(ec) << ec.message();
  test::expect_events(poll, events, {{token_1, Ready::read_closed}});
  // Writing still works.
  write_all(c.client, data_2);
  expect_read(c.server, data_2);
}

TEST(UnixStream, ShutdownWriteEndsTheStreamForThePeerAndRefusesWrites) {
  const test::DescriptorLeakCheck leak_check;
  const TempDir dir;
  OPEN_POLL(poll);
  Events events(8);
  Connection c = connect_through(dir.path("socket"));
  std::error_code ec;
  poll.registry().register_source(c.server, token_2, Interest::readable, ec);
  ASSERT_FALSE(ec) << ec.message();
  write_all(c.client, data_1);
  write_all(c.server, data_2);

  c.client.shutdown(Shutdown::write, ec);
  ASSERT_FALSE(ec) << ec.message();
  test::expect_events(poll, events, {{token_2, Ready::readable | Ready::read_closed}});
  EXPECT_EQ(c.client.write(test::bytes_of(data_1), ec), 0U);
  EXPECT_EQ(ec, std::errc::broken_pipe) << ec.message();
  expect_read(c.server, data_1);
  std::array<std::byte, 8> buffer{};
  EXPECT_EQ(c.server.read(buffer, ec), 0U);
  EXPECT_FALSE(ec) << ec.message();
  // The read half of the client still works.
  expect_read(c.client, data_2);
}

TEST(UnixStream, ShutdownBothGivesWriteClosed) {
  const test::DescriptorLeakCheck leak_check;
  const TempDir dir;
  OPEN_POLL(poll);
  Events events(8);
  Connection c = connect_through(dir.path("socket"));
  std::error_code ec;
  poll.registry().register_source(c.client, token_1, Interest::readable | Interest::writable, ec);
  ASSERT_FALSE(ec) << ec.message();
  test::expect_events(poll, events, {{token_1, Ready::writable}});

  c.client.shutdown(Shutdown::both, ec);
  ASSERT_FALSE(ec) << ec.message();
  test::expect_events(poll, events, {{token_1, Ready::write_closed | Ready::read_closed}});
  EXPECT_EQ(c.client.write(test::bytes_of(data_2), ec), 0U);
  EXPECT_EQ(ec, std::errc::broken_pipe) << ec.message();
  std::array<std::byte, 8> buffer{};
  EXPECT_EQ(c.server.read(buffer, ec), 0U);  // the peer reads end of stream
  EXPECT_FALSE(ec) << ec.message();
}

TEST(UnixStream, ReadableAgainAfterDrainingToWouldBlock) {
  const test::DescriptorLeakCheck leak_check;
  OPEN_POLL(poll);
  Events events(8);
  StreamPair p = open_pair();
  std::error_code ec;
  poll.registry().register_source(p.first, token_1, Interest::readable, ec);
  ASSERT_FALSE(ec) << ec.message();

  write_all(p.second, data_1);
  test::expect_events(poll, events, {{token_1, Ready::readable}});
  test::expect_no_events(poll, events);  // edge-triggered: once
  expect_read(p.first, data_1);
  expect_read_would_block(p.first);
  test::expect_no_events(poll, events);

  write_all(p.second, data_2);
  test::expect_events(poll, events, {{token_1, Ready::readable}});
  expect_read(p.first, data_2);
}

TEST(UnixStream, WritableAgainAfterThePeerDrains) {
  const test::DescriptorLeakCheck leak_check;
  OPEN_POLL(poll);
  Events events(8);
  StreamPair p = open_pair();
  std::error_code ec;
  poll.registry().register_source(p.first, token_1, Interest::writable, ec);
  ASSERT_FALSE(ec) << ec.message();
  test::expect_events(poll, events, {{token_1, Ready::writable}});

  const std::size_t written = fill(p.first);
  ASSERT_GT(written, 0U);
  test::expect_no_events(poll, events);
  EXPECT_EQ(drain(p.second), written);
  test::expect_events(poll, events, {{token_1, Ready::writable}});
  write_all(p.first, data_1);
}

TEST(UnixStream, RegisterReregisterDeregister) {
  const test::DescriptorLeakCheck leak_check;
  const TempDir dir;
  OPEN_POLL(poll);
  Events events(8);
  Connection c = connect_through(dir.path("socket"));
  std::error_code ec;

  // Readable only, nothing to read: no event.
  poll.registry().register_source(c.client, token_1, Interest::readable, ec);
  ASSERT_FALSE(ec) << ec.message();
  test::expect_no_events(poll, events);

  poll.registry().reregister(c.client, token_2, Interest::writable, ec);
  ASSERT_FALSE(ec) << ec.message();
  test::expect_events(poll, events, {{token_2, Ready::writable}});

  poll.registry().deregister(c.client, ec);
  ASSERT_FALSE(ec) << ec.message();
  write_all(c.server, data_1);
  test::expect_no_events(poll, events);
}

TEST(UnixStream, DeregisteredBeforeAnyEventGivesNone) {
  const test::DescriptorLeakCheck leak_check;
  OPEN_POLL(poll);
  Events events(8);
  StreamPair p = open_pair();
  std::error_code ec;
  poll.registry().register_source(p.first, token_1, Interest::readable | Interest::writable, ec);
  ASSERT_FALSE(ec) << ec.message();
  poll.registry().deregister(p.first, ec);
  ASSERT_FALSE(ec) << ec.message();
  write_all(p.second, data_1);
  test::expect_no_events(poll, events);
}

TEST(UnixStream, ConnectToAMissingPathIsNoSuchFile) {
  const test::DescriptorLeakCheck leak_check;
  const TempDir dir;
  std::error_code ec;
  const UnixStream stream = UnixStream::connect(dir.path("missing"), ec);
  EXPECT_EQ(ec, std::errc::no_such_file_or_directory) << ec.message();
  EXPECT_EQ(stream.native_handle(), -1);
}

TEST(UnixStream, ConnectToASocketNobodyListensOnIsRefused) {
  const test::DescriptorLeakCheck leak_check;
  const TempDir dir;
  const std::string path = dir.path("socket");
  std::error_code ec;
  {
    // A listener that is gone leaves its socket file behind.
    const UnixListener listener = UnixListener::bind(path, ec);
    ASSERT_FALSE(ec) << ec.message();
  }
  ASSERT_TRUE(std::filesystem::is_socket(path));
  UnixStream stream = UnixStream::connect(path, ec);
  EXPECT_EQ(ec, std::errc::connection_refused) << ec.message();
  EXPECT_EQ(stream.native_handle(), -1);

  // A bound stream socket that does not listen refuses too.
  const std::string bound_path = dir.path("bound");
  test::OwnedFd bound(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  ASSERT_TRUE(bound.valid());
  ::sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::memcpy(&address.sun_path[0], bound_path.c_str(), bound_path.size() + 1);
  ASSERT_EQ(::bind(bound.get(), reinterpret_cast<const ::sockaddr*>(&address),  // NOLINT
                   sizeof address),
            0);
  stream = UnixStream::connect(bound_path, ec);
  EXPECT_EQ(ec, std::errc::connection_refused) << ec.message();
}

TEST(UnixStream, BadPathsAreRefusedBeforeAnySocketIsMade) {
  const test::DescriptorLeakCheck leak_check;
  const TempDir dir;
  std::error_code ec;
  const std::string long_path = dir.path(std::string(UnixSocketAddr::max_length, 'x'));
  UnixStream stream = UnixStream::connect(long_path, ec);
  EXPECT_EQ(ec, std::errc::filename_too_long) << ec.message();
  EXPECT_EQ(stream.native_handle(), -1);

  using namespace std::string_view_literals;
  stream = UnixStream::connect(dir.path("a\0b"sv), ec);
  EXPECT_EQ(ec, std::errc::invalid_argument) << ec.message();
  stream = UnixStream::connect("", ec);
  EXPECT_EQ(ec, std::errc::invalid_argument) << ec.message();
  EXPECT_EQ(stream.native_handle(), -1);
}

#if MIOCPP_OS_LINUX
TEST(UnixStream, AbstractNamesConnectAndPrint) {
  const test::DescriptorLeakCheck leak_check;
  OPEN_POLL(poll);
  Events events(8);
  const std::string path = unique_abstract_path("stream");
  std::error_code ec;
  UnixListener listener = UnixListener::bind(path, ec);
  ASSERT_FALSE(ec) << ec.message();
  UnixStream client = UnixStream::connect(path, ec);
  ASSERT_FALSE(ec) << ec.message();
  poll.registry().register_source(client, token_1, Interest::readable, ec);
  ASSERT_FALSE(ec) << ec.message();
  auto [server, peer] = listener.accept(ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_TRUE(peer.is_unnamed()) << peer;

  const UnixSocketAddr address = client.peer_addr(ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_FALSE(address.as_pathname());
  ASSERT_TRUE(address.as_abstract_name());
  EXPECT_EQ(*address.as_abstract_name(), std::string_view(path).substr(1));
  std::ostringstream printed;
  printed << address;
  EXPECT_EQ(printed.str(), '@' + path.substr(1));

  write_all(server, data_1);
  test::expect_events(poll, events, {{token_1, Ready::readable}});
  expect_read(client, data_1);

  // The same through an address value.
  const UnixSocketAddr by_name =
      UnixSocketAddr::from_abstract_name(std::string_view(path).substr(1), ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(by_name, address);
  UnixStream second = UnixStream::connect_addr(by_name, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(second.peer_addr(ec), address);
}
#endif

TEST(UnixStream, FromNativeAdoptsAndClosesOnDestruction) {
  const test::DescriptorLeakCheck leak_check;
  std::array<int, 2> fds{-1, -1};
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds.data()), 0);
  const test::OwnedFd other(fds[1]);
  {
    UnixStream stream = UnixStream::from_native(fds[0]);
    EXPECT_EQ(stream.native_handle(), fds[0]);
    write_all(stream, data_1);
    std::array<char, 64> buffer{};
    EXPECT_EQ(::read(other.get(), buffer.data(), buffer.size()),
              static_cast<ssize_t>(data_1.size()));
  }
  EXPECT_FALSE(is_open(fds[0]));
}

TEST(UnixStream, ReleaseGivesTheDescriptorUp) {
  const test::DescriptorLeakCheck leak_check;
  StreamPair p = open_pair();
  const int fd = p.first.native_handle();
  EXPECT_EQ(p.first.release(), fd);
  EXPECT_EQ(p.first.native_handle(), -1);
  EXPECT_TRUE(is_open(fd));
  UnixStream adopted = UnixStream::from_native(fd);
  write_all(adopted, data_1);
  expect_read(p.second, data_1);
}

TEST(UnixStream, TryIoRunsTheCallersOwnSystemCall) {
  const test::DescriptorLeakCheck leak_check;
  StreamPair p = open_pair();
  std::error_code ec;
  const int fd = p.first.native_handle();
  const auto peek = [fd](std::error_code& op_ec) -> std::size_t {
    std::array<char, 64> buffer{};
    const ssize_t count = ::recv(fd, buffer.data(), buffer.size(), MSG_PEEK);
    if (count < 0) {
      op_ec = std::error_code(errno, std::system_category());
      return 0;
    }
    op_ec.clear();
    return static_cast<std::size_t>(count);
  };
  EXPECT_EQ(p.first.try_io(peek, ec), 0U);
  EXPECT_EQ(ec, std::errc::operation_would_block) << ec.message();
  write_all(p.second, data_1);
  EXPECT_EQ(p.first.try_io(peek, ec), data_1.size());
  EXPECT_FALSE(ec) << ec.message();
  expect_read(p.first, data_1);
}

TEST(UnixStream, DefaultConstructedIsEmptyAndReportsBadDescriptor) {
  const test::DescriptorLeakCheck leak_check;
  OPEN_POLL(poll);
  UnixStream stream;
  EXPECT_EQ(stream.native_handle(), -1);
  std::error_code ec;
  std::array<std::byte, 8> buffer{};
  EXPECT_EQ(stream.read(buffer, ec), 0U);
  EXPECT_EQ(ec, std::errc::bad_file_descriptor) << ec.message();
  EXPECT_EQ(stream.write(test::bytes_of(data_1), ec), 0U);
  EXPECT_EQ(ec, std::errc::bad_file_descriptor) << ec.message();
  std::array<IoSliceMut, 1> in = {IoSliceMut(buffer)};
  EXPECT_EQ(stream.read_vectored(in, ec), 0U);
  EXPECT_EQ(ec, std::errc::bad_file_descriptor) << ec.message();
  const std::array<IoSlice, 1> out = {IoSlice(test::bytes_of(data_1))};
  EXPECT_EQ(stream.write_vectored(out, ec), 0U);
  EXPECT_EQ(ec, std::errc::bad_file_descriptor) << ec.message();
  stream.shutdown(Shutdown::both, ec);
  EXPECT_EQ(ec, std::errc::bad_file_descriptor) << ec.message();
  EXPECT_TRUE(stream.local_addr(ec).is_unnamed());
  EXPECT_EQ(ec, std::errc::bad_file_descriptor) << ec.message();
  EXPECT_TRUE(stream.peer_addr(ec).is_unnamed());
  EXPECT_EQ(ec, std::errc::bad_file_descriptor) << ec.message();
  EXPECT_FALSE(stream.take_error(ec));
  EXPECT_EQ(ec, std::errc::bad_file_descriptor) << ec.message();
  poll.registry().register_source(stream, token_1, Interest::readable, ec);
  EXPECT_EQ(ec, std::errc::bad_file_descriptor) << ec.message();
  EXPECT_EQ(stream.release(), -1);

  // Moved-from is empty too.
  StreamPair p = open_pair();
  UnixStream moved(std::move(p.first));
  EXPECT_EQ(p.first.native_handle(), -1);  // NOLINT(bugprone-use-after-move): under test
  EXPECT_EQ(p.first.write(test::bytes_of(data_1), ec), 0U);
  EXPECT_EQ(ec, std::errc::bad_file_descriptor) << ec.message();
  write_all(moved, data_1);
  expect_read(p.second, data_1);
}

TEST(UnixStream, ManyConnectionsLeaveNoDescriptorBehind) {
  const test::DescriptorLeakCheck leak_check;
  const TempDir dir;
  const std::string path = dir.path("socket");
  std::error_code ec;
  UnixListener listener = UnixListener::bind(path, ec);
  ASSERT_FALSE(ec) << ec.message();
  for (int i = 0; i < 50; ++i) {
    UnixStream client = UnixStream::connect(path, ec);
    ASSERT_FALSE(ec) << ec.message();
    auto [server, peer] = listener.accept(ec);
    ASSERT_FALSE(ec) << ec.message();
    auto [first, second] = UnixStream::pair(ec);
    ASSERT_FALSE(ec) << ec.message();
  }
  // Failures leave nothing open either.
  for (int i = 0; i < 10; ++i) {
    const UnixStream refused = UnixStream::connect(dir.path("missing"), ec);
    EXPECT_TRUE(ec);
  }
}

#if MIOCPP_HAS_EXCEPTIONS
TEST(UnixStream, ThrowingOverloadsThrowSystemError) {
  const test::DescriptorLeakCheck leak_check;
  const TempDir dir;
  auto [first, second] = UnixStream::pair();
  EXPECT_EQ(first.write(test::bytes_of(data_1)), data_1.size());
  std::array<std::byte, 64> buffer{};
  EXPECT_EQ(second.read(buffer), data_1.size());
  EXPECT_TRUE(first.local_addr().is_unnamed());
  EXPECT_TRUE(first.peer_addr().is_unnamed());
  EXPECT_FALSE(first.take_error());
  try {
    (void)second.read(buffer);
    ADD_FAILURE() << "read of an empty stream did not throw";
  } catch (const std::system_error& error) {
    EXPECT_EQ(error.code(), std::errc::operation_would_block) << error.what();
  }
  try {
    (void)UnixStream::connect(dir.path("missing"));
    ADD_FAILURE() << "connect to a missing path did not throw";
  } catch (const std::system_error& error) {
    EXPECT_EQ(error.code(), std::errc::no_such_file_or_directory) << error.what();
  }
  EXPECT_THROW((void)UnixStream::connect_addr(UnixSocketAddr()), std::system_error);
  first.shutdown(Shutdown::write);
  EXPECT_THROW((void)first.write(test::bytes_of(data_1)), std::system_error);
  UnixStream empty;
  std::array<IoSliceMut, 1> in = {IoSliceMut(buffer)};
  EXPECT_THROW((void)empty.read_vectored(in), std::system_error);
  const std::array<IoSlice, 1> out = {IoSlice(test::bytes_of(data_1))};
  EXPECT_THROW((void)empty.write_vectored(out), std::system_error);
  EXPECT_THROW(empty.shutdown(Shutdown::read), std::system_error);
  EXPECT_THROW((void)empty.local_addr(), std::system_error);
  EXPECT_THROW((void)empty.peer_addr(), std::system_error);
  EXPECT_THROW((void)empty.take_error(), std::system_error);
}
#endif

}  // namespace
