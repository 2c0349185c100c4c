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
#include "support/setup.hpp"
#include <miocpp/miocpp.hpp>

namespace {

using miocpp::Interest, miocpp::Token;
using miocpp::net::SocketAddr, miocpp::net::TcpStream;
using test::expect_accepted, test::local_addr_of, test::Ready;

constexpr Token id1{0};

FAMILY_TEST_SUITE(TcpListenerTest);

TEST_P(TcpListenerTest, AcceptReportsEmfileAndRecovers) {
  OPEN_POLL(poll, events(16));
  BIND_LISTENER(listener, address, any_local());
  std::error_code ec;
  REGISTER(poll, listener, id1, Interest::readable);
  RAW_CONNECT(client, address);
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
