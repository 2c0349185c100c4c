// net::TcpListener on POSIX only: accept(2) running out of descriptors (EMFILE, provoked with
// setrlimit) and recovering. Windows has no per-process descriptor limit to lower. The portable
// listener tests are in tcp_listener.cpp.
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "support/descriptors.hpp"
#include "support/expect.hpp"
#include "support/net.hpp"
#include "support/raw_fd.hpp"
#include <miocpp/miocpp.hpp>

namespace {

using miocpp::Events;
using miocpp::Interest;
using miocpp::Poll;
using miocpp::Token;
using miocpp::net::SocketAddr;
using miocpp::net::TcpListener;
using miocpp::net::TcpStream;
using test::Ready;

constexpr Token id1{0};

/// A Poll that must open; the test stops if it does not.
#define OPEN_POLL(name)      \
  std::error_code name##_ec; \
  Poll name(name##_ec);      \
  ASSERT_FALSE(name##_ec) << name##_ec.message()

/// A listener bound to `address` and its local address; the test stops if binding fails.
#define BIND_LISTENER(listener, bound, address)                                 \
  std::error_code listener##_ec;                                                \
  TcpListener listener = TcpListener::bind(address, listener##_ec);             \
  ASSERT_FALSE(listener##_ec) << listener##_ec.message();                       \
  [[maybe_unused]] const SocketAddr bound = listener.local_addr(listener##_ec); \
  ASSERT_FALSE(listener##_ec) << listener##_ec.message()

/// Checks one accepted connection: the peer is the client, the local end is the listener's.
void expect_accepted(const TcpStream& stream, const SocketAddr& peer, const SocketAddr& listener,
                     const SocketAddr& client_local) {
  std::error_code ec;
  EXPECT_EQ(stream.peer_addr(ec), peer);
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_EQ(stream.local_addr(ec), listener);
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_EQ(peer, client_local) << "accept must report the connecting socket's address";
}

/// The address of a raw connected socket, read through a TcpStream that borrows it.
SocketAddr local_addr_of(int fd) {
  TcpStream borrowed = TcpStream::from_native(fd);
  std::error_code ec;
  const SocketAddr address = borrowed.local_addr(ec);
  EXPECT_FALSE(ec) << ec.message();
  (void)borrowed.release();
  return address;
}

class TcpListenerTest : public test::FamilyTest {};

INSTANTIATE_TEST_SUITE_P(Loopback, TcpListenerTest, ::testing::ValuesIn(test::loopback_families()),
                         test::family_name);

TEST_P(TcpListenerTest, AcceptReportsEmfileAndRecovers) {
  OPEN_POLL(poll);
  Events events(16);
  BIND_LISTENER(listener, address, any_local());
  std::error_code ec;
  poll.registry().register_source(listener, id1, Interest::readable, ec);
  ASSERT_FALSE(ec) << ec.message();
  const test::OwnedFd client = test::raw_connect(address);
  ASSERT_TRUE(client.valid());
  test::expect_events(poll, events, {{id1, Ready::readable}});

  ::rlimit saved{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &saved), 0);
  std::vector<int> fillers;
  std::error_code emfile_ec;
  std::pair<TcpStream, SocketAddr> refused;
  {
    // Just above what is open now, then filled up to the limit.
    ::rlimit lowered = saved;
    lowered.rlim_cur = static_cast<rlim_t>(test::open_descriptor_count() + 8);
    ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &lowered), 0) << std::strerror(errno);
    for (;;) {
      const int fd = ::dup(client.get());
      if (fd < 0) {
        break;
      }
      fillers.push_back(fd);
    }
    const int fill_errno = errno;
    refused = listener.accept(emfile_ec);
    for (const int fd : fillers) {
      ::close(fd);
    }
    ::setrlimit(RLIMIT_NOFILE, &saved);
    EXPECT_EQ(fill_errno, EMFILE);
  }
  EXPECT_EQ(emfile_ec, std::errc::too_many_files_open) << emfile_ec.message();
  EXPECT_EQ(refused.first.native_handle(), test::invalid_socket);
  EXPECT_EQ(refused.second, SocketAddr());

  // With descriptors free again, the pending connection is still there to accept.
  auto [stream, peer] = listener.accept(ec);
  ASSERT_FALSE(ec) << ec.message();
  expect_accepted(stream, peer, address, local_addr_of(client.get()));
  (void)listener.accept(ec);
  EXPECT_EQ(ec, std::errc::operation_would_block);

  // And the listener keeps reporting new connections.
  const test::OwnedFd later = test::raw_connect(address);
  test::expect_events(poll, events, {{id1, Ready::readable}});
  auto next = listener.accept(ec);
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_NE(next.first.native_handle(), test::invalid_socket);
}

}  // namespace
