// net::UnixListener (binding, accepting, readiness events, addresses, bad paths, abstract names,
// ownership, empty objects) and the value type net::UnixSocketAddr.
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <type_traits>
#include <utility>

#include <gtest/gtest.h>

#include "support/descriptors.hpp"
#include "support/expect.hpp"
#include "support/setup.hpp"
#include "support/source_type.hpp"
#include "support/uds.hpp"
#include <miocpp/miocpp.hpp>

namespace {

namespace net = miocpp::net;
using namespace std::chrono_literals;
using namespace std::string_view_literals;
using miocpp::Interest, miocpp::Token;
using net::UnixSocketAddr, net::UnixStream;
using test::as_sockaddr, test::printed, test::Ready, test::sockaddr_for, test::TempDir;

constexpr Token token_1{0}, token_2{1};

static_assert(test::OwningSource<net::UnixListener, int>);
static_assert(std::is_nothrow_copy_constructible_v<UnixSocketAddr> &&
              std::is_nothrow_default_constructible_v<UnixSocketAddr>);

void expect_accept_would_block(net::UnixListener& listener) {
  std::error_code ec;
  auto [stream, peer] = listener.accept(ec);
  EXPECT_EQ(ec, std::errc::operation_would_block) << ec.message();
  EXPECT_EQ(stream.native_handle(), -1);
  EXPECT_TRUE(peer.is_unnamed());
}

// ---- UnixSocketAddr
// ------------------------------------------------------------------------------

TEST(UnixSocketAddr, DefaultIsUnnamed) {
  const UnixSocketAddr address;
  EXPECT_TRUE(address.is_unnamed());
  EXPECT_FALSE(address.as_pathname());
  EXPECT_FALSE(address.as_abstract_name());
  EXPECT_EQ(printed(address), "(unnamed)");
  EXPECT_EQ(address.to_string(), "(unnamed)");
  EXPECT_EQ(address, UnixSocketAddr());
}

TEST(UnixSocketAddr, PathnameKeepsItsBytes) {
  std::error_code ec;
  const UnixSocketAddr address = UnixSocketAddr::from_pathname("/run/app.sock", ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_FALSE(address.is_unnamed());
  EXPECT_EQ(address.as_pathname(), std::optional<std::string_view>("/run/app.sock"));
  EXPECT_FALSE(address.as_abstract_name());
  EXPECT_EQ(printed(address), "/run/app.sock");

  const UnixSocketAddr relative = UnixSocketAddr::from_pathname("app.sock", ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(relative.as_pathname(), std::optional<std::string_view>("app.sock"));
  EXPECT_NE(relative, address);
  EXPECT_EQ(UnixSocketAddr::from_path("/run/app.sock", ec), address);
  EXPECT_FALSE(ec);
}

TEST(UnixSocketAddr, LongestPathnameFitsAndOneMoreIsTooLong) {
  std::error_code ec;
  const std::string longest(UnixSocketAddr::max_length, 'p');
  const UnixSocketAddr address = UnixSocketAddr::from_pathname(longest, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(address.as_pathname(), std::optional<std::string_view>(longest));

  const UnixSocketAddr too_long = UnixSocketAddr::from_pathname(longest + 'p', ec);
  EXPECT_EQ(ec, std::errc::filename_too_long) << ec.message();
  EXPECT_TRUE(too_long.is_unnamed());
  (void)UnixSocketAddr::from_pathname(std::string(4096, 'p'), ec);
  EXPECT_EQ(ec, std::errc::filename_too_long) << ec.message();
}

TEST(UnixSocketAddr, PathnameWithANulByteOrEmptyIsInvalid) {
  std::error_code ec;
  UnixSocketAddr address = UnixSocketAddr::from_pathname("/tmp/a\0b"sv, ec);
  EXPECT_EQ(ec, std::errc::invalid_argument) << ec.message();
  EXPECT_TRUE(address.is_unnamed());
  address = UnixSocketAddr::from_pathname("/tmp/ab\0"sv, ec);
  EXPECT_EQ(ec, std::errc::invalid_argument) << ec.message();
  address = UnixSocketAddr::from_pathname("\0abstract"sv, ec);
  EXPECT_EQ(ec, std::errc::invalid_argument) << ec.message();
  address = UnixSocketAddr::from_pathname("", ec);
  EXPECT_EQ(ec, std::errc::invalid_argument) << ec.message();
  address = UnixSocketAddr::from_path("", ec);
  EXPECT_EQ(ec, std::errc::invalid_argument) << ec.message();
  address = UnixSocketAddr::from_path("/tmp/a\0b"sv, ec);
  EXPECT_EQ(ec, std::errc::invalid_argument) << ec.message();
}

TEST(UnixSocketAddr, AbstractNames) {
  std::error_code ec;
  const UnixSocketAddr address = UnixSocketAddr::from_abstract_name("name\0with\x01 nul\\"sv, ec);
  if (!UnixSocketAddr::has_abstract_names) {
    EXPECT_EQ(ec, std::errc::not_supported) << ec.message();
    EXPECT_TRUE(address.is_unnamed());
    (void)UnixSocketAddr::from_path("\0name"sv, ec);
    EXPECT_EQ(ec, std::errc::not_supported) << ec.message();
    return;
  }
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_FALSE(address.is_unnamed());
  EXPECT_FALSE(address.as_pathname());
  EXPECT_EQ(address.as_abstract_name(), std::optional<std::string_view>("name\0with\x01 nul\\"sv));
  EXPECT_EQ(printed(address), "@name\\x00with\\x01 nul\\x5c");

  EXPECT_EQ(UnixSocketAddr::from_path("\0name\0with\x01 nul\\"sv, ec), address);
  EXPECT_FALSE(ec) << ec.message();
  // The same bytes as a pathname are another address.
  EXPECT_NE(UnixSocketAddr::from_pathname("name", ec),
            UnixSocketAddr::from_abstract_name("name", ec));

  const UnixSocketAddr empty = UnixSocketAddr::from_abstract_name("", ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(empty.as_abstract_name(), std::optional<std::string_view>(""));
  EXPECT_FALSE(empty.is_unnamed());
  EXPECT_EQ(printed(empty), "@");

  const std::string longest(UnixSocketAddr::max_abstract_length, 'a');
  EXPECT_EQ(UnixSocketAddr::from_abstract_name(longest, ec).as_abstract_name(),
            std::optional<std::string_view>(longest));
  EXPECT_FALSE(ec) << ec.message();
  (void)UnixSocketAddr::from_abstract_name(longest + 'a', ec);
  EXPECT_EQ(ec, std::errc::filename_too_long) << ec.message();
}

TEST(UnixSocketAddr, HashFollowsEquality) {
  std::error_code ec;
  const std::hash<UnixSocketAddr> hash;
  const UnixSocketAddr a = UnixSocketAddr::from_pathname("/tmp/a", ec);
  const UnixSocketAddr b = UnixSocketAddr::from_pathname("/tmp/a", ec);
  EXPECT_EQ(a, b);
  EXPECT_EQ(hash(a), hash(b));
  EXPECT_EQ(hash(UnixSocketAddr()), hash(UnixSocketAddr()));
}

#if MIOCPP_HAS_EXCEPTIONS
TEST(UnixSocketAddr, ThrowingFactories) {
  EXPECT_EQ(UnixSocketAddr::from_pathname("/a").as_pathname(),
            std::optional<std::string_view>("/a"));
  EXPECT_EQ(test::thrown_code([&] { (void)UnixSocketAddr::from_pathname(std::string(200, 'x')); }),
            std::errc::filename_too_long);
  EXPECT_THROW((void)UnixSocketAddr::from_path("a\0b"sv), std::system_error);
  if (UnixSocketAddr::has_abstract_names) {
    EXPECT_EQ(UnixSocketAddr::from_abstract_name("x").as_abstract_name(),
              std::optional<std::string_view>("x"));
  } else {
    EXPECT_THROW((void)UnixSocketAddr::from_abstract_name("x"), std::system_error);
  }
}
#endif

/// The suite of net::UnixListener's tests, each of which leaves the descriptors as it found them.
class UnixListener : public test::LeakChecked<> {};

// ---- UnixListener
// --------------------------------------------------------------------------------

TEST_F(UnixListener, BindCreatesANonBlockingCloseOnExecListeningSocketFile) {
  const TempDir dir;
  const std::string path = dir.path("socket");
  std::error_code ec;
  const net::UnixListener listener = net::UnixListener::bind(path, ec);
  ASSERT_FALSE(ec) << ec.message();
  const int fd = listener.native_handle();
  ASSERT_GE(fd, 0);
  EXPECT_TRUE(test::is_nonblocking(fd));
  EXPECT_TRUE(test::is_close_on_exec(fd));
  int listening = 0;
  ::socklen_t length = sizeof listening;
  ASSERT_EQ(::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &length), 0);
  EXPECT_EQ(listening, 1);
  EXPECT_TRUE(std::filesystem::is_socket(path));

  const UnixSocketAddr local = listener.local_addr(ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(local.as_pathname(), std::optional<std::string_view>(path));
  EXPECT_EQ(printed(local), path);
}

// As mio's smoke test: nothing until a client connects, then readable; accept gives a stream,
// then accept would block.
TEST_F(UnixListener, SmokeAcceptThenWouldBlock) {
  const TempDir dir;
  OPEN_POLL(poll, events(8));
  const std::string path = dir.path("socket");
  std::error_code ec;
  net::UnixListener listener = net::UnixListener::bind(path, ec);
  ASSERT_FALSE(ec) << ec.message();
  REGISTER(poll, listener, token_1, Interest::readable | Interest::writable);
  test::expect_no_events(poll, events);

  const test::OwnedFd client = test::raw_connect_unix(path);
  test::expect_events(poll, events, {{token_1, Ready::readable}});
  auto [stream, peer] = listener.accept(ec);
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_GE(stream.native_handle(), 0);
  EXPECT_TRUE(test::is_nonblocking(stream.native_handle()));
  EXPECT_TRUE(test::is_close_on_exec(stream.native_handle()));
  EXPECT_TRUE(peer.is_unnamed()) << peer;

  std::array<std::byte, 64> buffer{};
  EXPECT_EQ(stream.read(buffer, ec), 0U);
  EXPECT_EQ(ec, std::errc::operation_would_block) << ec.message();
  expect_accept_would_block(listener);
  EXPECT_FALSE(listener.take_error(ec));
  EXPECT_FALSE(ec) << ec.message();

  // The accepted stream works.
  ASSERT_EQ(::write(client.get(), "ping", 4), 4);
  EXPECT_EQ(stream.read(buffer, ec), 4U);
  EXPECT_FALSE(ec) << ec.message();
}

TEST_F(UnixListener, AcceptedStreamHasTheListenersPathAndAnUnnamedPeer) {
  const TempDir dir;
  const std::string path = dir.path("socket");
  std::error_code ec;
  net::UnixListener listener = net::UnixListener::bind(path, ec);
  ASSERT_FALSE(ec) << ec.message();
  const UnixStream client = UnixStream::connect(path, ec);
  ASSERT_FALSE(ec) << ec.message();
  auto [stream, peer] = listener.accept(ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_TRUE(peer.is_unnamed()) << peer;
  EXPECT_EQ(stream.local_addr(ec).as_pathname(), std::optional<std::string_view>(path));
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_TRUE(stream.peer_addr(ec).is_unnamed());
  EXPECT_FALSE(ec) << ec.message();
}

TEST_F(UnixListener, AcceptReportsABoundClientsPath) {
  const TempDir dir;
  const std::string path = dir.path("socket");
  const std::string client_path = dir.path("client");
  std::error_code ec;
  net::UnixListener listener = net::UnixListener::bind(path, ec);
  ASSERT_FALSE(ec) << ec.message();

  const test::OwnedFd client(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  const ::sockaddr_un client_address = sockaddr_for(client_path);
  ASSERT_EQ(::bind(client.get(), as_sockaddr(client_address), sizeof client_address), 0)
      << std::strerror(errno);
  const ::sockaddr_un server_address = sockaddr_for(path);
  ASSERT_EQ(::connect(client.get(), as_sockaddr(server_address), sizeof server_address), 0)
      << std::strerror(errno);

  auto [stream, peer] = listener.accept(ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(peer.as_pathname(), std::optional<std::string_view>(client_path));
  EXPECT_EQ(stream.peer_addr(ec), peer);
}

TEST_F(UnixListener, ReadableAgainAfterAcceptingToWouldBlock) {
  const TempDir dir;
  OPEN_POLL(poll, events(8));
  const std::string path = dir.path("socket");
  std::error_code ec;
  net::UnixListener listener = net::UnixListener::bind(path, ec);
  ASSERT_FALSE(ec) << ec.message();
  REGISTER(poll, listener, token_1, Interest::readable);

  const test::OwnedFd first = test::raw_connect_unix(path);
  const test::OwnedFd second = test::raw_connect_unix(path);
  test::expect_events(poll, events, {{token_1, Ready::readable}});
  test::expect_no_events(poll, events);  // edge-triggered: once for both
  for (int i = 0; i < 2; ++i) {
    auto [stream, peer] = listener.accept(ec);
    EXPECT_FALSE(ec) << ec.message();
  }
  expect_accept_would_block(listener);
  test::expect_no_events(poll, events);

  const test::OwnedFd third = test::raw_connect_unix(path);
  test::expect_events(poll, events, {{token_1, Ready::readable}});
  auto [stream, peer] = listener.accept(ec);
  EXPECT_FALSE(ec) << ec.message();
}

TEST_F(UnixListener, Reregister) {
  const TempDir dir;
  OPEN_POLL(poll, events(8));
  const std::string path = dir.path("socket");
  std::error_code ec;
  net::UnixListener listener = net::UnixListener::bind(path, ec);
  ASSERT_FALSE(ec) << ec.message();
  REGISTER(poll, listener, token_1, Interest::writable);

  const test::OwnedFd client = test::raw_connect_unix(path);
  test::expect_no_events(poll, events);
  REREGISTER(poll, listener, token_2, Interest::readable);
  test::expect_events(poll, events, {{token_2, Ready::readable}});
}

TEST_F(UnixListener, DeregisteredListenerGivesNoEvents) {
  const TempDir dir;
  OPEN_POLL(poll, events(8));
  const std::string path = dir.path("socket");
  std::error_code ec;
  net::UnixListener listener = net::UnixListener::bind(path, ec);
  ASSERT_FALSE(ec) << ec.message();
  REGISTER(poll, listener, token_1, Interest::readable);
  DEREGISTER(poll, listener);

  const test::OwnedFd client = test::raw_connect_unix(path);
  test::expect_no_events(poll, events);
  auto [stream, peer] = listener.accept(ec);  // the connection is still there
  EXPECT_FALSE(ec) << ec.message();
}

TEST_F(UnixListener, ConnectionsFromAnotherThread) {
  const TempDir dir;
  OPEN_POLL(poll, events(8));
  const std::string path = dir.path("socket");
  std::error_code ec;
  net::UnixListener listener = net::UnixListener::bind(path, ec);
  ASSERT_FALSE(ec) << ec.message();
  REGISTER(poll, listener, token_1, Interest::readable);

  constexpr int connections = 5;
  std::thread clients([&path] {
    for (int i = 0; i < connections; ++i) {
      std::error_code client_ec;
      const UnixStream stream = UnixStream::connect(path, client_ec);
      EXPECT_FALSE(client_ec) << client_ec.message();
    }
  });
  int accepted = 0;
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (accepted < connections && std::chrono::steady_clock::now() < deadline) {
    poll.poll(events, 100ms, ec);
    ASSERT_FALSE(ec) << ec.message();
    for (;;) {
      auto [stream, peer] = listener.accept(ec);
      if (ec) {
        EXPECT_EQ(ec, std::errc::operation_would_block) << ec.message();
        break;
      }
      ++accepted;
    }
  }
  clients.join();
  EXPECT_EQ(accepted, connections);
}

TEST_F(UnixListener, BindToAnExistingPathIsAddressInUse) {
  const TempDir dir;
  const std::string path = dir.path("socket");
  std::error_code ec;
  const net::UnixListener listener = net::UnixListener::bind(path, ec);
  ASSERT_FALSE(ec) << ec.message();
  const net::UnixListener second = net::UnixListener::bind(path, ec);
  EXPECT_EQ(ec, std::errc::address_in_use) << ec.message();
  EXPECT_EQ(second.native_handle(), -1);

  const std::string file = dir.path("file");
  std::ofstream(file) << "not a socket";
  const net::UnixListener on_file = net::UnixListener::bind(file, ec);
  EXPECT_EQ(ec, std::errc::address_in_use) << ec.message();
  EXPECT_EQ(on_file.native_handle(), -1);
}

TEST_F(UnixListener, ClosingLeavesTheSocketFileBehind) {
  const TempDir dir;
  const std::string path = dir.path("socket");
  std::error_code ec;
  {
    const net::UnixListener listener = net::UnixListener::bind(path, ec);
    ASSERT_FALSE(ec) << ec.message();
  }
  EXPECT_TRUE(std::filesystem::is_socket(path));
  // Once the file is removed the path can be bound again.
  std::filesystem::remove(path);
  const net::UnixListener again = net::UnixListener::bind(path, ec);
  EXPECT_FALSE(ec) << ec.message();
}

TEST_F(UnixListener, LongestPathBindsAndOneMoreIsTooLongWithNothingCreated) {
  const TempDir dir;
  const std::size_t prefix = dir.path("").size();
  ASSERT_LT(prefix, UnixSocketAddr::max_length);
  std::error_code ec;

  const std::string too_long = dir.path(std::string(UnixSocketAddr::max_length + 1 - prefix, 'l'));
  ASSERT_EQ(too_long.size(), UnixSocketAddr::max_length + 1);
  net::UnixListener listener = net::UnixListener::bind(too_long, ec);
  EXPECT_EQ(ec, std::errc::filename_too_long) << ec.message();
  EXPECT_EQ(listener.native_handle(), -1);
  listener = net::UnixListener::bind(dir.path(std::string(300, 'l')), ec);
  EXPECT_EQ(ec, std::errc::filename_too_long) << ec.message();
  EXPECT_TRUE(dir.empty()) << "an over-long bind created a file";

  const std::string longest = dir.path(std::string(UnixSocketAddr::max_length - prefix, 'l'));
  ASSERT_EQ(longest.size(), UnixSocketAddr::max_length);
  listener = net::UnixListener::bind(longest, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_TRUE(std::filesystem::is_socket(longest));
  EXPECT_EQ(listener.local_addr(ec).as_pathname(), std::optional<std::string_view>(longest));
  EXPECT_FALSE(ec) << ec.message();
  const UnixStream client = UnixStream::connect(longest, ec);
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_EQ(client.peer_addr(ec).as_pathname(), std::optional<std::string_view>(longest));
}

// A client bound to a path that fills sun_path with no terminating NUL: the accepted connection
// and its peer's address are the client's, never an error that closes what was accepted.
TEST_F(UnixListener, PeerBoundToAFullLengthPathIsAccepted) {
  const TempDir dir;
  const std::string client_path = test::full_length_path(dir);
  ASSERT_EQ(client_path.size(), sizeof(::sockaddr_un::sun_path));
  const std::string listener_path = dir.path("listener");
  std::error_code ec;
  net::UnixListener listener = net::UnixListener::bind(listener_path, ec);
  ASSERT_FALSE(ec) << ec.message();

  const test::OwnedFd client = test::raw_bind_unterminated(SOCK_STREAM, client_path);
  const ::sockaddr_un address = sockaddr_for(listener_path);
  ASSERT_EQ(::connect(client.get(), as_sockaddr(address), sizeof address), 0)
      << std::strerror(errno);
  ASSERT_EQ(::send(client.get(), "hello", 5, 0), 5) << std::strerror(errno);

  auto [stream, peer] = listener.accept(ec);
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_NE(stream.native_handle(), -1);
  EXPECT_EQ(peer.as_pathname(), std::optional<std::string_view>(client_path));
  EXPECT_EQ(stream.peer_addr(ec).as_pathname(), std::optional<std::string_view>(client_path));
  EXPECT_FALSE(ec) << ec.message();
  std::array<std::byte, 8> buffer{};
  EXPECT_EQ(stream.read(buffer, ec), 5U);
  EXPECT_FALSE(ec) << ec.message();

  // miocpp binds such a path too, and reports it back whole.
  const std::string own_path = dir.path(std::string(client_path.size() - dir.path("").size(), 'o'));
  const net::UnixListener own = net::UnixListener::bind(own_path, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(own.local_addr(ec).as_pathname(), std::optional<std::string_view>(own_path));
  EXPECT_FALSE(ec) << ec.message();
}

TEST_F(UnixListener, PathWithANulByteIsInvalidWithNothingCreated) {
  const TempDir dir;
  std::error_code ec;
  const std::string path = dir.path("a") + '\0' + "b";
  const net::UnixListener listener = net::UnixListener::bind(path, ec);
  EXPECT_EQ(ec, std::errc::invalid_argument) << ec.message();
  EXPECT_EQ(listener.native_handle(), -1);
  EXPECT_TRUE(dir.empty()) << "a bind with a NUL byte created a file";
  const net::UnixListener empty = net::UnixListener::bind("", ec);
  EXPECT_EQ(ec, std::errc::invalid_argument) << ec.message();
}

TEST_F(UnixListener, BindInAMissingDirectoryIsNoSuchFile) {
  const TempDir dir;
  std::error_code ec;
  const net::UnixListener listener = net::UnixListener::bind(dir.path("missing/socket"), ec);
  EXPECT_EQ(ec, std::errc::no_such_file_or_directory) << ec.message();
  EXPECT_EQ(listener.native_handle(), -1);
}

#if MIOCPP_OS_LINUX
TEST_F(UnixListener, AbstractNameBindsWithoutAFile) {
  OPEN_POLL(poll, events(8));
  const std::string path = test::unique_abstract_path("listener");
  std::error_code ec;
  net::UnixListener listener = net::UnixListener::bind(path, ec);
  ASSERT_FALSE(ec) << ec.message();
  const UnixSocketAddr local = listener.local_addr(ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(local.as_abstract_name(),
            std::optional<std::string_view>(std::string_view(path).substr(1)));
  EXPECT_EQ(printed(local), '@' + path.substr(1));

  // A second bind to the name is refused, as for a path.
  const net::UnixListener second = net::UnixListener::bind_addr(local, ec);
  EXPECT_EQ(ec, std::errc::address_in_use) << ec.message();

  REGISTER(poll, listener, token_1, Interest::readable);
  const UnixStream client = UnixStream::connect_addr(local, ec);
  ASSERT_FALSE(ec) << ec.message();
  test::expect_events(poll, events, {{token_1, Ready::readable}});
  auto [stream, peer] = listener.accept(ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_TRUE(peer.is_unnamed());
  EXPECT_EQ(stream.local_addr(ec), local);

  // The name goes away with the listener.
  listener = net::UnixListener();
  stream = UnixStream();
  const net::UnixListener again = net::UnixListener::bind(path, ec);
  EXPECT_FALSE(ec) << ec.message();
}

TEST_F(UnixListener, BindingAnUnnamedAddressPicksAnAbstractName) {
  std::error_code ec;
  const net::UnixListener listener = net::UnixListener::bind_addr(UnixSocketAddr(), ec);
  ASSERT_FALSE(ec) << ec.message();
  const UnixSocketAddr local = listener.local_addr(ec);
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_TRUE(local.as_abstract_name()) << local;
  EXPECT_FALSE(local.as_abstract_name()->empty());
  const UnixStream client = UnixStream::connect_addr(local, ec);
  EXPECT_FALSE(ec) << ec.message();
}
#endif

TEST_F(UnixListener, FromNativeAdoptsAListeningSocket) {
  const TempDir dir;
  const std::string path = dir.path("socket");
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  const ::sockaddr_un address = sockaddr_for(path);
  ASSERT_EQ(::bind(fd, as_sockaddr(address), sizeof address), 0) << std::strerror(errno);
  ASSERT_EQ(::listen(fd, 8), 0);
  {
    net::UnixListener listener = net::UnixListener::from_native(fd);
    EXPECT_EQ(listener.native_handle(), fd);
    std::error_code ec;
    expect_accept_would_block(listener);
    const test::OwnedFd client = test::raw_connect_unix(path);
    auto [stream, peer] = listener.accept(ec);
    EXPECT_FALSE(ec) << ec.message();
    EXPECT_EQ(listener.local_addr(ec).as_pathname(), std::optional<std::string_view>(path));
  }
  EXPECT_FALSE(test::is_open_descriptor(fd));
}

TEST_F(UnixListener, ReleaseGivesTheDescriptorUp) {
  const TempDir dir;
  std::error_code ec;
  net::UnixListener listener = net::UnixListener::bind(dir.path("socket"), ec);
  ASSERT_FALSE(ec) << ec.message();
  const int fd = listener.native_handle();
  EXPECT_EQ(listener.release(), fd);
  EXPECT_EQ(listener.native_handle(), -1);
  EXPECT_TRUE(test::is_open_descriptor(fd));
  ::close(fd);
}

TEST_F(UnixListener, DefaultConstructedIsEmptyAndReportsBadDescriptor) {
  OPEN_POLL(poll);
  net::UnixListener listener;
  EXPECT_EQ(listener.native_handle(), -1);
  std::error_code ec;
  auto [stream, peer] = listener.accept(ec);
  EXPECT_EQ(ec, std::errc::bad_file_descriptor) << ec.message();
  EXPECT_EQ(stream.native_handle(), -1);
  EXPECT_TRUE(peer.is_unnamed());
  EXPECT_TRUE(listener.local_addr(ec).is_unnamed());
  EXPECT_EQ(ec, std::errc::bad_file_descriptor) << ec.message();
  EXPECT_FALSE(listener.take_error(ec));
  EXPECT_EQ(ec, std::errc::bad_file_descriptor) << ec.message();
  poll.registry().register_source(listener, token_1, Interest::readable, ec);
  EXPECT_EQ(ec, std::errc::bad_file_descriptor) << ec.message();
  EXPECT_EQ(listener.release(), -1);
}

#if MIOCPP_HAS_EXCEPTIONS
TEST_F(UnixListener, ThrowingOverloadsThrowSystemError) {
  const TempDir dir;
  const std::string path = dir.path("socket");
  net::UnixListener listener = net::UnixListener::bind(path);
  EXPECT_EQ(listener.local_addr().as_pathname(), std::optional<std::string_view>(path));
  EXPECT_FALSE(listener.take_error());
  EXPECT_EQ(test::thrown_code([&] { (void)listener.accept(); }), std::errc::operation_would_block);
  const UnixStream client = UnixStream::connect(path);
  auto [stream, peer] = listener.accept();
  EXPECT_GE(stream.native_handle(), 0);
  EXPECT_EQ(test::thrown_code([&] { (void)net::UnixListener::bind(path); }),
            std::errc::address_in_use);
  EXPECT_THROW((void)net::UnixListener::bind_addr(UnixSocketAddr::from_pathname(path)),
               std::system_error);
  const net::UnixListener empty;
  EXPECT_THROW((void)empty.local_addr(), std::system_error);
  EXPECT_THROW((void)empty.take_error(), std::system_error);
}
#endif

}  // namespace
