// The socket options against the kernel itself (POSIX): each option set through miocpp is what
// getsockopt(2) reads under the option's own level and name, and what setsockopt(2) sets is what
// miocpp reads; Linux's exact buffer sizes (twice what was set, capped by net.core.wmem_max and
// rmem_max); SO_MARK without CAP_NET_ADMIN; and the buffer sizes of Unix-domain sockets.
#include <miocpp/config.hpp>

#if MIOCPP_OS_LINUX
#include <linux/capability.h>
#include <sys/syscall.h>
#endif

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <system_error>
#include <thread>
#include <utility>

#include <gtest/gtest.h>

#include <net/if.h>

#include "support/descriptors.hpp"
#include "support/interfaces.hpp"
#include "support/net.hpp"
#include "support/socket_options.hpp"
#include "support/temp_dir.hpp"
#include <miocpp/miocpp.hpp>

namespace {

using namespace std::chrono_literals;
using miocpp::net::Ipv4Addr, miocpp::net::TcpSocket;
using miocpp::net::UdpSocket, miocpp::net::UnixDatagram, miocpp::net::UnixListener;
using miocpp::net::UnixStream;
using test::Opt;

/// getsockopt(2) of an int option; the test fails (and it is -1) when the kernel refuses.
int raw_int(int fd, int level, int name) {
  int value = -1;
  ::socklen_t length = sizeof value;
  if (::getsockopt(fd, level, name, &value, &length) != 0) {
    ADD_FAILURE() << "getsockopt(" << level << ", " << name << "): " << std::strerror(errno);
    return -1;
  }
  return value;
}

/// setsockopt(2) of an int option; true on success.
bool set_raw_int(int fd, int level, int name, int value) {
  return ::setsockopt(fd, level, name, &value, sizeof value) == 0;
}

/// Sets `option` through miocpp with `set(ec)` (which must succeed) and expects getsockopt of
/// `level`/`name` to read `expected`.
template <class Set>
void expect_kernel_sees(const char* option, int fd, int level, int name, Set set, int expected) {
  std::error_code ec = test::stale_error();
  set(ec);
  ASSERT_FALSE(ec) << option << ": " << ec.message();
  EXPECT_EQ(raw_int(fd, level, name), expected) << option;
}

/// Sets `level`/`name` to `raw` with setsockopt and expects miocpp's `get(ec)` to read
/// `expected`.
template <class Get, class Value>
void expect_miocpp_reads(const char* option, int fd, int level, int name, int raw, Get get,
                         const Value& expected) {
  ASSERT_TRUE(set_raw_int(fd, level, name, raw)) << option << ": " << std::strerror(errno);
  std::error_code ec = test::stale_error();
  const auto read = get(ec);
  ASSERT_FALSE(ec) << option << ": " << ec.message();
  EXPECT_TRUE(read == expected) << option << ": set " << raw << " with setsockopt, read "
                                << test::describe(read);
}

// NOLINTNEXTLINE(cppcoreguidelines-macro-usage): builds both calls from the option's name
#define EXPECT_KERNEL_SEES(socket, option, value, level, name, expected) \
  expect_kernel_sees(                                                    \
      #option, (socket).native_handle(), level, name,                    \
      [&](std::error_code& option_ec) { (socket).set_##option(value, option_ec); }, expected)
// NOLINTNEXTLINE(cppcoreguidelines-macro-usage): builds the call from the option's name
#define EXPECT_MIOCPP_READS(socket, option, level, name, raw, expected) \
  expect_miocpp_reads(                                                  \
      #option, (socket).native_handle(), level, name, raw,              \
      [&](std::error_code& option_ec) { return (socket).option(option_ec); }, expected)

TEST(KernelCrossCheck, IpAndTcpOptionsOfAnIpv4Socket) {
  std::error_code ec;
  TcpSocket socket = TcpSocket::v4(ec);
  ASSERT_FALSE(ec) << ec.message();

  EXPECT_KERNEL_SEES(socket, reuse_address, true, SOL_SOCKET, SO_REUSEADDR, 1);
  EXPECT_MIOCPP_READS(socket, reuse_address, SOL_SOCKET, SO_REUSEADDR, 0, false);
  EXPECT_KERNEL_SEES(socket, ttl, 77U, IPPROTO_IP, IP_TTL, 77);
  EXPECT_MIOCPP_READS(socket, ttl, IPPROTO_IP, IP_TTL, 66, 66U);
  EXPECT_KERNEL_SEES(socket, tos, 0x28U, IPPROTO_IP, IP_TOS, 0x28);
  EXPECT_MIOCPP_READS(socket, tos, IPPROTO_IP, IP_TOS, 0x48, 0x48U);
  EXPECT_KERNEL_SEES(socket, nodelay, true, IPPROTO_TCP, TCP_NODELAY, 1);
  EXPECT_MIOCPP_READS(socket, nodelay, IPPROTO_TCP, TCP_NODELAY, 0, false);
  EXPECT_KERNEL_SEES(socket, keepalive, true, SOL_SOCKET, SO_KEEPALIVE, 1);
  EXPECT_MIOCPP_READS(socket, keepalive, SOL_SOCKET, SO_KEEPALIVE, 0, false);
#if defined(SO_REUSEPORT) && !defined(SO_REUSEPORT_LB)
  EXPECT_KERNEL_SEES(socket, reuse_port, true, SOL_SOCKET, SO_REUSEPORT, 1);
  EXPECT_MIOCPP_READS(socket, reuse_port, SOL_SOCKET, SO_REUSEPORT, 0, false);
#endif
#if defined(TCP_KEEPIDLE)
  EXPECT_KERNEL_SEES(socket, keepalive_idle, 321s, IPPROTO_TCP, TCP_KEEPIDLE, 321);
  EXPECT_MIOCPP_READS(socket, keepalive_idle, IPPROTO_TCP, TCP_KEEPIDLE, 123, 123s);
#endif
#if defined(TCP_KEEPINTVL) && defined(TCP_KEEPCNT)
  EXPECT_KERNEL_SEES(socket, keepalive_interval, 12s, IPPROTO_TCP, TCP_KEEPINTVL, 12);
  EXPECT_MIOCPP_READS(socket, keepalive_interval, IPPROTO_TCP, TCP_KEEPINTVL, 21, 21s);
  EXPECT_KERNEL_SEES(socket, keepalive_retries, 6U, IPPROTO_TCP, TCP_KEEPCNT, 6);
  EXPECT_MIOCPP_READS(socket, keepalive_retries, IPPROTO_TCP, TCP_KEEPCNT, 11, 11U);
#endif
#if defined(TCP_QUICKACK)
  EXPECT_KERNEL_SEES(socket, quickack, false, IPPROTO_TCP, TCP_QUICKACK, 0);
  EXPECT_MIOCPP_READS(socket, quickack, IPPROTO_TCP, TCP_QUICKACK, 1, true);
#endif
#if defined(TCP_USER_TIMEOUT)
  EXPECT_KERNEL_SEES(socket, user_timeout, 4321ms, IPPROTO_TCP, TCP_USER_TIMEOUT, 4321);
  EXPECT_MIOCPP_READS(socket, user_timeout, IPPROTO_TCP, TCP_USER_TIMEOUT, 1234, 1234ms);
#endif
#if defined(TCP_FASTOPEN) && !MIOCPP_OS_APPLE
  EXPECT_KERNEL_SEES(socket, fastopen, 9U, IPPROTO_TCP, TCP_FASTOPEN, 9);
  EXPECT_MIOCPP_READS(socket, fastopen, IPPROTO_TCP, TCP_FASTOPEN, 3, 3U);
#endif
#if defined(TCP_FASTOPEN_CONNECT)
  if (!test::expected_set_error(Opt::fastopen_connect)) {
    EXPECT_KERNEL_SEES(socket, fastopen_connect, true, IPPROTO_TCP, TCP_FASTOPEN_CONNECT, 1);
    EXPECT_MIOCPP_READS(socket, fastopen_connect, IPPROTO_TCP, TCP_FASTOPEN_CONNECT, 0, false);
  }
#endif
#if defined(TCP_CORK)
  EXPECT_KERNEL_SEES(socket, cork, true, IPPROTO_TCP, TCP_CORK, 1);
  EXPECT_MIOCPP_READS(socket, cork, IPPROTO_TCP, TCP_CORK, 0, false);
#elif defined(TCP_NOPUSH)
  EXPECT_KERNEL_SEES(socket, cork, true, IPPROTO_TCP, TCP_NOPUSH, 1);
#endif
#if defined(SO_MARK)
  if (!test::expected_set_error(Opt::mark)) {
    EXPECT_KERNEL_SEES(socket, mark, 0xdead'beefU, SOL_SOCKET, SO_MARK,
                       static_cast<int>(0xdead'beefU));
  }
#endif
  // The buffer sizes as the kernel reports them, whatever it made of the request.
  socket.set_send_buffer_size(40'000, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(socket.send_buffer_size(ec),
            static_cast<std::size_t>(raw_int(socket.native_handle(), SOL_SOCKET, SO_SNDBUF)));
  socket.set_recv_buffer_size(50'000, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(socket.recv_buffer_size(ec),
            static_cast<std::size_t>(raw_int(socket.native_handle(), SOL_SOCKET, SO_RCVBUF)));
}

TEST(KernelCrossCheck, LingerIsTheKernelsRecord) {
  std::error_code ec;
  TcpSocket socket = TcpSocket::v4(ec);
  ASSERT_FALSE(ec) << ec.message();
  const auto raw_linger = [&] {
    ::linger value{-1, -1};
    ::socklen_t length = sizeof value;
    EXPECT_EQ(::getsockopt(socket.native_handle(), SOL_SOCKET, SO_LINGER, &value, &length), 0);
    return std::pair(value.l_onoff, value.l_linger);
  };
  socket.set_linger(9s, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(raw_linger(), std::pair(1, 9));
  socket.set_linger(0s, ec);
  EXPECT_EQ(raw_linger(), std::pair(1, 0));
  socket.set_linger(std::nullopt, ec);
  EXPECT_EQ(raw_linger().first, 0);

  // Off in the kernel with a time left over is still off.
  ::linger off{0, 30};
  ASSERT_EQ(::setsockopt(socket.native_handle(), SOL_SOCKET, SO_LINGER, &off, sizeof off), 0);
  EXPECT_EQ(socket.linger(ec), std::nullopt);
  EXPECT_FALSE(ec) << ec.message();
}

TEST(KernelCrossCheck, Ipv6Options) {
  REQUIRE_IPV6_LOOPBACK();
  std::error_code ec;
  TcpSocket socket = TcpSocket::v6(ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_KERNEL_SEES(socket, only_v6, true, IPPROTO_IPV6, IPV6_V6ONLY, 1);
  EXPECT_MIOCPP_READS(socket, only_v6, IPPROTO_IPV6, IPV6_V6ONLY, 0, false);
  EXPECT_KERNEL_SEES(socket, unicast_hops_v6, 99U, IPPROTO_IPV6, IPV6_UNICAST_HOPS, 99);
  EXPECT_MIOCPP_READS(socket, unicast_hops_v6, IPPROTO_IPV6, IPV6_UNICAST_HOPS, 88, 88U);
#if defined(IPV6_TCLASS)
  EXPECT_KERNEL_SEES(socket, tclass_v6, 0x28U, IPPROTO_IPV6, IPV6_TCLASS, 0x28);
  EXPECT_MIOCPP_READS(socket, tclass_v6, IPPROTO_IPV6, IPV6_TCLASS, 0x48, 0x48U);
#endif

  UdpSocket udp = UdpSocket::bind(test::any_local_ipv6_address(), ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_KERNEL_SEES(udp, multicast_hops_v6, 7U, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, 7);
  EXPECT_MIOCPP_READS(udp, multicast_hops_v6, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, 4, 4U);
  const auto loopback = test::loopback_interface();
  ASSERT_TRUE(loopback.has_value());
  EXPECT_KERNEL_SEES(udp, multicast_if_v6, *loopback, IPPROTO_IPV6, IPV6_MULTICAST_IF,
                     static_cast<int>(*loopback));
  EXPECT_MIOCPP_READS(udp, multicast_if_v6, IPPROTO_IPV6, IPV6_MULTICAST_IF, 0, 0U);
}

TEST(KernelCrossCheck, MulticastInterfaceV4IsAnInAddr) {
  std::error_code ec;
  UdpSocket udp = UdpSocket::bind(test::any_local_address(), ec);
  ASSERT_FALSE(ec) << ec.message();
  udp.set_multicast_if_v4(Ipv4Addr::localhost(), ec);
  ASSERT_FALSE(ec) << ec.message();
  ::in_addr raw{};
  ::socklen_t length = sizeof raw;
  ASSERT_EQ(::getsockopt(udp.native_handle(), IPPROTO_IP, IP_MULTICAST_IF, &raw, &length), 0);
  EXPECT_EQ(raw.s_addr, htonl(INADDR_LOOPBACK));

  raw.s_addr = htonl(INADDR_ANY);
  ASSERT_EQ(::setsockopt(udp.native_handle(), IPPROTO_IP, IP_MULTICAST_IF, &raw, sizeof raw), 0);
  EXPECT_EQ(udp.multicast_if_v4(ec), Ipv4Addr::unspecified());
  EXPECT_FALSE(ec) << ec.message();
}

#if defined(SO_BINDTODEVICE)
TEST(KernelCrossCheck, BindDeviceIsTheInterfaceName) {
  std::error_code ec;
  TcpSocket socket = TcpSocket::v4(ec);
  ASSERT_FALSE(ec) << ec.message();
  socket.set_bind_device("lo", ec);
  ASSERT_FALSE(ec) << ec.message();
  std::array<char, IFNAMSIZ> name{};
  ::socklen_t length = name.size();
  ASSERT_EQ(::getsockopt(socket.native_handle(), SOL_SOCKET, SO_BINDTODEVICE, name.data(), &length),
            0);
  EXPECT_STREQ(name.data(), "lo");
#if defined(SO_BINDTOIFINDEX)
  // The kernel binds by index: the same interface as if_nametoindex names it.
  EXPECT_EQ(raw_int(socket.native_handle(), SOL_SOCKET, SO_BINDTOIFINDEX),
            static_cast<int>(::if_nametoindex("lo")));
#endif
}
#endif

// ---- Linux's buffer sizes -----------------------------------------------------------------------

TEST(LinuxBufferSizes, TheKernelReportsTwiceWhatWasSetUpToItsMaximum) {
  if constexpr (!MIOCPP_OS_LINUX) {
    GTEST_SKIP() << "the doubling is Linux's";
  }
  const auto wmem_max = test::read_proc_number("/proc/sys/net/core/wmem_max");
  const auto rmem_max = test::read_proc_number("/proc/sys/net/core/rmem_max");
  ASSERT_TRUE(wmem_max && rmem_max) << "cannot read net.core.wmem_max / rmem_max";
  std::error_code ec;
  TcpSocket socket = TcpSocket::v4(ec);
  ASSERT_FALSE(ec) << ec.message();

  const auto send = static_cast<std::size_t>(std::min(96LL * 1024, *wmem_max));
  socket.set_send_buffer_size(send, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(socket.send_buffer_size(ec), 2 * send);
  const auto recv = static_cast<std::size_t>(std::min(80LL * 1024, *rmem_max));
  socket.set_recv_buffer_size(recv, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(socket.recv_buffer_size(ec), 2 * recv);

  // Above the maximum the kernel takes the maximum (root included: that is SO_SNDBUFFORCE's).
  socket.set_send_buffer_size(static_cast<std::size_t>(*wmem_max) + 4096, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(socket.send_buffer_size(ec), 2 * static_cast<std::size_t>(*wmem_max));
  socket.set_recv_buffer_size(static_cast<std::size_t>(*rmem_max) + 4096, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(socket.recv_buffer_size(ec), 2 * static_cast<std::size_t>(*rmem_max));
}

// ---- SO_MARK and CAP_NET_ADMIN ------------------------------------------------------------------

#if MIOCPP_OS_LINUX
/// Drops CAP_NET_ADMIN and CAP_NET_RAW from the calling thread's effective set (capabilities
/// are per thread to the kernel; the raw system call changes only this one). True on success.
bool drop_net_capabilities_in_this_thread() {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  std::array<__user_cap_data_struct, _LINUX_CAPABILITY_U32S_3> data{};
  if (::syscall(SYS_capget, &header, data.data()) != 0) {
    return false;
  }
  data[0].effective &=
      ~((1U << static_cast<unsigned>(CAP_NET_ADMIN)) | (1U << static_cast<unsigned>(CAP_NET_RAW)));
  return ::syscall(SYS_capset, &header, data.data()) == 0;
}

TEST(LinuxMark, SettingTheMarkTakesAPrivilegeAndReadingItDoesNot) {
  std::error_code ec;
  TcpSocket socket = TcpSocket::v4(ec);
  ASSERT_FALSE(ec) << ec.message();
  socket.set_mark(17, ec);
  if (!test::expected_set_error(Opt::mark)) {
    EXPECT_FALSE(ec) << ec.message();
    EXPECT_EQ(socket.mark(ec), 17U);
    EXPECT_FALSE(ec) << ec.message();
  } else {
    EXPECT_EQ(ec, std::errc::operation_not_permitted) << ec.message();
  }

  // Without the capability, in a thread of its own so that the rest of the test run keeps it.
  std::error_code set_ec;
  std::error_code get_ec;
  std::uint32_t read = 0;
  bool dropped = false;
  std::thread([&] {
    dropped = drop_net_capabilities_in_this_thread();
    if (dropped) {
      socket.set_mark(99, set_ec);
      read = socket.mark(get_ec);
    }
  }).join();
  ASSERT_TRUE(dropped) << "capset: " << std::strerror(errno);
  EXPECT_EQ(set_ec, std::errc::operation_not_permitted) << set_ec.message();
  EXPECT_FALSE(get_ec) << get_ec.message();
  EXPECT_NE(read, 99U);
}
#endif

// ---- Unix-domain sockets ------------------------------------------------------------------------

/// Buffer sizes on any socket: they grow when set larger, and a size above INT_MAX is refused
/// with the size kept.
template <class Socket>
void expect_buffer_sizes_work(Socket& socket, const char* what) {
  SCOPED_TRACE(what);
  std::error_code ec;
  socket.set_send_buffer_size(16 * 1024, ec);
  ASSERT_FALSE(ec) << ec.message();
  const std::size_t small = socket.send_buffer_size(ec);
  socket.set_send_buffer_size(96 * 1024, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_GT(socket.send_buffer_size(ec), small);
  EXPECT_GE(socket.send_buffer_size(ec), 96U * 1024U);
  socket.set_recv_buffer_size(96 * 1024, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_GE(socket.recv_buffer_size(ec), 96U * 1024U);
  if constexpr (MIOCPP_OS_LINUX) {
    EXPECT_EQ(socket.send_buffer_size(ec), 2U * 96U * 1024U);
  }
  const auto too_big = std::size_t{INT_MAX} + 1;
  EXPECT_REFUSED(socket, send_buffer_size, std::size_t{32} * 1024, too_big, SIZE_MAX);
  EXPECT_REFUSED(socket, recv_buffer_size, std::size_t{32} * 1024, too_big, SIZE_MAX);
}

TEST(UnixSocketBuffers, EveryUnixSocketTypeTakesBufferSizes) {
  std::error_code ec;
  auto [first, second] = UnixStream::pair(ec);
  ASSERT_FALSE(ec) << ec.message();
  expect_buffer_sizes_work(first, "UnixStream");

  auto [left, right] = UnixDatagram::pair(ec);
  ASSERT_FALSE(ec) << ec.message();
  expect_buffer_sizes_work(right, "UnixDatagram");

  const test::TempDir dir;
  UnixListener listener = UnixListener::bind(dir.path("listener"), ec);
  ASSERT_FALSE(ec) << ec.message();
  expect_buffer_sizes_work(listener, "UnixListener");
}

}  // namespace
