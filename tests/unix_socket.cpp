// What net::UnixStream and net::UnixDatagram do alike, tested once for each: adopting and
// releasing the descriptor, try_io, and deregistering before any event. Their own tests are in
// unix_stream.cpp and unix_datagram.cpp.
#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <cstddef>
#include <string_view>
#include <system_error>
#include <type_traits>

#include <gtest/gtest.h>

#include "support/expect.hpp"
#include "support/io.hpp"
#include "support/raw_fd.hpp"
#include "support/setup.hpp"
#include "support/uds.hpp"
#include <miocpp/miocpp.hpp>

namespace {

using miocpp::Interest, miocpp::Token;
using miocpp::net::UnixDatagram, miocpp::net::UnixStream;

constexpr Token token_1{0};
constexpr std::string_view data_1 = "Hello same host!";

/// The socket type (SOCK_STREAM, SOCK_DGRAM) of each kind of socket.
template <class Socket>
constexpr int socket_type = std::is_same_v<Socket, UnixStream> ? SOCK_STREAM : SOCK_DGRAM;

/// Each test leaves the descriptors as it found them.
template <class Socket>
class UnixSocket : public test::LeakChecked<> {};

using Sockets = ::testing::Types<UnixStream, UnixDatagram>;
TYPED_TEST_SUITE(UnixSocket, Sockets);

TYPED_TEST(UnixSocket, FromNativeAdoptsAndClosesOnDestruction) {
  std::array<int, 2> fds{-1, -1};
  ASSERT_EQ(
      ::socketpair(AF_UNIX, socket_type<TypeParam> | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds.data()),
      0);
  const test::OwnedFd other(fds[1]);
  {
    TypeParam socket = TypeParam::from_native(fds[0]);
    EXPECT_EQ(socket.native_handle(), fds[0]);
    test::write_all(socket, data_1);
    std::array<char, 64> buffer{};
    EXPECT_EQ(::recv(other.get(), buffer.data(), buffer.size(), 0),
              static_cast<ssize_t>(data_1.size()));
  }
  EXPECT_FALSE(test::is_open_descriptor(fds[0]));
}

TYPED_TEST(UnixSocket, ReleaseGivesTheDescriptorUp) {
  test::Pair<TypeParam> p = test::open_pair<TypeParam>();
  const int fd = p.first.native_handle();
  EXPECT_EQ(p.first.release(), fd);
  EXPECT_EQ(p.first.native_handle(), -1);
  EXPECT_TRUE(test::is_open_descriptor(fd));
  TypeParam adopted = TypeParam::from_native(fd);
  test::write_all(adopted, data_1);
  test::expect_read(p.second, data_1);
}

TYPED_TEST(UnixSocket, TryIoRunsTheCallersOwnSystemCall) {
  test::Pair<TypeParam> p = test::open_pair<TypeParam>();
  std::error_code ec;
  std::array<std::byte, 64> buffer{};
  const auto peek = test::raw_recv_operation(p.first.native_handle(), buffer, MSG_PEEK);
  EXPECT_EQ(p.first.try_io(peek, ec), 0U);
  EXPECT_EQ(ec, std::errc::operation_would_block) << ec.message();
  test::write_all(p.second, data_1);
  EXPECT_EQ(p.first.try_io(peek, ec), data_1.size());
  EXPECT_FALSE(ec) << ec.message();
  test::expect_read(p.first, data_1);
}

TYPED_TEST(UnixSocket, DeregisteredBeforeAnyEventGivesNone) {
  OPEN_POLL(poll, events(8));
  test::Pair<TypeParam> p = test::open_pair<TypeParam>();
  REGISTER(poll, p.first, token_1, Interest::readable | Interest::writable);
  DEREGISTER(poll, p.first);
  test::write_all(p.second, data_1);
  test::expect_no_events(poll, events);
}

}  // namespace
