// The public API of the socket options and of net::TcpSocket, every member named with both of its
// overloads: the std::error_code one (noexcept, with its exact return type) and, where exceptions
// are enabled, the throwing one. A rename, a changed type or a lost noexcept breaks the build of
// this file on every backend. At run time every call on an empty socket reports an error --
// bad_file_descriptor, or not_supported where the backend has no socket options -- and none
// crashes.
#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>

#include <gtest/gtest.h>

#include "support/socket_options.hpp"
#include <miocpp/miocpp.hpp>

namespace {

using miocpp::net::Ipv4Addr, miocpp::net::SocketAddr;
using miocpp::net::TcpListener, miocpp::net::TcpSocket, miocpp::net::TcpStream;
using miocpp::net::UdpSocket, miocpp::net::UnixDatagram, miocpp::net::UnixListener;
using miocpp::net::UnixStream;
using Seconds = std::chrono::seconds;
using Milliseconds = std::chrono::milliseconds;

/// SocketBase: the buffer sizes, on every socket type.
template <class S>
concept BufferSizeApi = requires(S& s, const S& c, std::size_t bytes, std::error_code& ec) {
  { s.set_send_buffer_size(bytes, ec) }
  noexcept->std::same_as<void>;
  { c.send_buffer_size(ec) }
  noexcept->std::same_as<std::size_t>;
  { s.set_recv_buffer_size(bytes, ec) }
  noexcept->std::same_as<void>;
  { c.recv_buffer_size(ec) }
  noexcept->std::same_as<std::size_t>;
#if MIOCPP_HAS_EXCEPTIONS
  { s.set_send_buffer_size(bytes) } -> std::same_as<void>;
  { c.send_buffer_size() } -> std::same_as<std::size_t>;
  { s.set_recv_buffer_size(bytes) } -> std::same_as<void>;
  { c.recv_buffer_size() } -> std::same_as<std::size_t>;
#endif
};

/// IpSocketBase: the IP options, on TcpSocket, TcpListener, TcpStream and UdpSocket.
template <class S>
concept IpOptionApi = BufferSizeApi<S> && requires(S& s, const S& c, bool on, std::uint32_t n,
                                                   std::string_view name, std::error_code& ec) {
  { c.local_addr(ec) }
  noexcept->std::same_as<SocketAddr>;
  { s.set_reuse_address(on, ec) }
  noexcept->std::same_as<void>;
  { c.reuse_address(ec) }
  noexcept->std::same_as<bool>;
  { s.set_reuse_port(on, ec) }
  noexcept->std::same_as<void>;
  { c.reuse_port(ec) }
  noexcept->std::same_as<bool>;
  { s.set_only_v6(on, ec) }
  noexcept->std::same_as<void>;
  { c.only_v6(ec) }
  noexcept->std::same_as<bool>;
  { s.set_ttl(n, ec) }
  noexcept->std::same_as<void>;
  { c.ttl(ec) }
  noexcept->std::same_as<std::uint32_t>;
  { s.set_unicast_hops_v6(n, ec) }
  noexcept->std::same_as<void>;
  { c.unicast_hops_v6(ec) }
  noexcept->std::same_as<std::uint32_t>;
  { s.set_tos(n, ec) }
  noexcept->std::same_as<void>;
  { c.tos(ec) }
  noexcept->std::same_as<std::uint32_t>;
  { s.set_tclass_v6(n, ec) }
  noexcept->std::same_as<void>;
  { c.tclass_v6(ec) }
  noexcept->std::same_as<std::uint32_t>;
  { s.set_bind_device(name, ec) }
  noexcept->std::same_as<void>;
  { c.bind_device(ec) }
  noexcept->std::same_as<std::string>;
  { s.set_mark(n, ec) }
  noexcept->std::same_as<void>;
  { c.mark(ec) }
  noexcept->std::same_as<std::uint32_t>;
#if MIOCPP_HAS_EXCEPTIONS
  { c.local_addr() } -> std::same_as<SocketAddr>;
  { s.set_reuse_address(on) } -> std::same_as<void>;
  { c.reuse_address() } -> std::same_as<bool>;
  { s.set_reuse_port(on) } -> std::same_as<void>;
  { c.reuse_port() } -> std::same_as<bool>;
  { s.set_only_v6(on) } -> std::same_as<void>;
  { c.only_v6() } -> std::same_as<bool>;
  { s.set_ttl(n) } -> std::same_as<void>;
  { c.ttl() } -> std::same_as<std::uint32_t>;
  { s.set_unicast_hops_v6(n) } -> std::same_as<void>;
  { c.unicast_hops_v6() } -> std::same_as<std::uint32_t>;
  { s.set_tos(n) } -> std::same_as<void>;
  { c.tos() } -> std::same_as<std::uint32_t>;
  { s.set_tclass_v6(n) } -> std::same_as<void>;
  { c.tclass_v6() } -> std::same_as<std::uint32_t>;
  { s.set_bind_device(name) } -> std::same_as<void>;
  { c.bind_device() } -> std::same_as<std::string>;
  { s.set_mark(n) } -> std::same_as<void>;
  { c.mark() } -> std::same_as<std::uint32_t>;
#endif
};

/// TcpSocketBase: the TCP options, on TcpSocket, TcpListener and TcpStream.
template <class S>
concept TcpOptionApi = IpOptionApi<S> &&
    requires(S& s, const S& c, bool on, std::uint32_t n, Seconds seconds,
             std::optional<Seconds> linger, Milliseconds ms, std::error_code& ec) {
  { s.set_nodelay(on, ec) }
  noexcept->std::same_as<void>;
  { c.nodelay(ec) }
  noexcept->std::same_as<bool>;
  { s.set_linger(linger, ec) }
  noexcept->std::same_as<void>;
  { c.linger(ec) }
  noexcept->std::same_as<std::optional<Seconds>>;
  { s.set_keepalive(on, ec) }
  noexcept->std::same_as<void>;
  { c.keepalive(ec) }
  noexcept->std::same_as<bool>;
  { s.set_keepalive_idle(seconds, ec) }
  noexcept->std::same_as<void>;
  { c.keepalive_idle(ec) }
  noexcept->std::same_as<Seconds>;
  { s.set_keepalive_interval(seconds, ec) }
  noexcept->std::same_as<void>;
  { c.keepalive_interval(ec) }
  noexcept->std::same_as<Seconds>;
  { s.set_keepalive_retries(n, ec) }
  noexcept->std::same_as<void>;
  { c.keepalive_retries(ec) }
  noexcept->std::same_as<std::uint32_t>;
  { s.set_quickack(on, ec) }
  noexcept->std::same_as<void>;
  { c.quickack(ec) }
  noexcept->std::same_as<bool>;
  { s.set_user_timeout(ms, ec) }
  noexcept->std::same_as<void>;
  { c.user_timeout(ec) }
  noexcept->std::same_as<Milliseconds>;
  { s.set_fastopen(n, ec) }
  noexcept->std::same_as<void>;
  { c.fastopen(ec) }
  noexcept->std::same_as<std::uint32_t>;
  { s.set_fastopen_connect(on, ec) }
  noexcept->std::same_as<void>;
  { c.fastopen_connect(ec) }
  noexcept->std::same_as<bool>;
  { s.set_cork(on, ec) }
  noexcept->std::same_as<void>;
  { c.cork(ec) }
  noexcept->std::same_as<bool>;
#if MIOCPP_HAS_EXCEPTIONS
  { s.set_nodelay(on) } -> std::same_as<void>;
  { c.nodelay() } -> std::same_as<bool>;
  { s.set_linger(linger) } -> std::same_as<void>;
  { c.linger() } -> std::same_as<std::optional<Seconds>>;
  { s.set_keepalive(on) } -> std::same_as<void>;
  { c.keepalive() } -> std::same_as<bool>;
  { s.set_keepalive_idle(seconds) } -> std::same_as<void>;
  { c.keepalive_idle() } -> std::same_as<Seconds>;
  { s.set_keepalive_interval(seconds) } -> std::same_as<void>;
  { c.keepalive_interval() } -> std::same_as<Seconds>;
  { s.set_keepalive_retries(n) } -> std::same_as<void>;
  { c.keepalive_retries() } -> std::same_as<std::uint32_t>;
  { s.set_quickack(on) } -> std::same_as<void>;
  { c.quickack() } -> std::same_as<bool>;
  { s.set_user_timeout(ms) } -> std::same_as<void>;
  { c.user_timeout() } -> std::same_as<Milliseconds>;
  { s.set_fastopen(n) } -> std::same_as<void>;
  { c.fastopen() } -> std::same_as<std::uint32_t>;
  { s.set_fastopen_connect(on) } -> std::same_as<void>;
  { c.fastopen_connect() } -> std::same_as<bool>;
  { s.set_cork(on) } -> std::same_as<void>;
  { c.cork() } -> std::same_as<bool>;
#endif
};

/// UdpSocket's multicast options.
template <class S>
concept UdpOptionApi = IpOptionApi<S> &&
    requires(S& s, const S& c, std::uint32_t n, const Ipv4Addr& address, std::error_code& ec) {
  { s.set_multicast_hops_v6(n, ec) }
  noexcept->std::same_as<void>;
  { c.multicast_hops_v6(ec) }
  noexcept->std::same_as<std::uint32_t>;
  { s.set_multicast_if_v4(address, ec) }
  noexcept->std::same_as<void>;
  { c.multicast_if_v4(ec) }
  noexcept->std::same_as<Ipv4Addr>;
  { s.set_multicast_if_v6(n, ec) }
  noexcept->std::same_as<void>;
  { c.multicast_if_v6(ec) }
  noexcept->std::same_as<std::uint32_t>;
#if MIOCPP_HAS_EXCEPTIONS
  { s.set_multicast_hops_v6(n) } -> std::same_as<void>;
  { c.multicast_hops_v6() } -> std::same_as<std::uint32_t>;
  { s.set_multicast_if_v4(address) } -> std::same_as<void>;
  { c.multicast_if_v4() } -> std::same_as<Ipv4Addr>;
  { s.set_multicast_if_v6(n) } -> std::same_as<void>;
  { c.multicast_if_v6() } -> std::same_as<std::uint32_t>;
#endif
};

/// TcpSocket's factories and its hand-over.
template <class S>
concept TcpSocketApi = TcpOptionApi<S> &&
    requires(S& s, const SocketAddr& address, std::uint32_t backlog, std::error_code& ec) {
  { S::v4(ec) }
  noexcept->std::same_as<S>;
  { S::v6(ec) }
  noexcept->std::same_as<S>;
  { S::for_address(address, ec) }
  noexcept->std::same_as<S>;
  { s.bind(address, ec) }
  noexcept->std::same_as<void>;
  { s.listen(backlog, ec) }
  noexcept->std::same_as<TcpListener>;
  { s.connect(address, ec) }
  noexcept->std::same_as<TcpStream>;
#if MIOCPP_HAS_EXCEPTIONS
  { S::v4() } -> std::same_as<S>;
  { S::v6() } -> std::same_as<S>;
  { S::for_address(address) } -> std::same_as<S>;
  { s.bind(address) } -> std::same_as<void>;
  { s.listen(backlog) } -> std::same_as<TcpListener>;
  { s.connect(address) } -> std::same_as<TcpStream>;
#endif
};

static_assert(TcpSocketApi<TcpSocket>);
static_assert(TcpOptionApi<TcpListener>);
static_assert(TcpOptionApi<TcpStream>);
static_assert(UdpOptionApi<UdpSocket>);
static_assert(BufferSizeApi<UnixStream>);
static_assert(BufferSizeApi<UnixDatagram>);
static_assert(BufferSizeApi<UnixListener>);
// Not an event source: the registration calls are not its to offer.
static_assert(!miocpp::event::Source<TcpSocket>);
// Options are for IP sockets only where they make sense: no TCP option on UDP, no IP option on
// a Unix-domain socket.
static_assert(!TcpOptionApi<UdpSocket>);
static_assert(!IpOptionApi<UnixStream>);
static_assert(!UdpOptionApi<TcpStream>);

/// What every call on an empty socket reports here.
constexpr std::errc empty_socket_error =
    test::makes_ip_sockets ? std::errc::bad_file_descriptor : std::errc::not_supported;

TEST(ApiOptions, EveryOptionOfAnEmptySocketReportsAnError) {
  TcpSocket tcp_socket;
  test::expect_every_option_reports(tcp_socket, empty_socket_error);
  TcpListener listener;
  test::expect_every_option_reports(listener, empty_socket_error);
  TcpStream stream;
  test::expect_every_option_reports(stream, empty_socket_error);
  UdpSocket udp;
  test::expect_every_option_reports(udp, empty_socket_error);
}

TEST(ApiOptions, TheBuilderOfAnEmptySocketHandsNothingOver) {
  TcpSocket socket;
  const SocketAddr address(Ipv4Addr::localhost(), 9);
  std::error_code ec = test::stale_error();
  socket.bind(address, ec);
  EXPECT_EQ(ec, empty_socket_error) << ec.message();
  ec = test::stale_error();
  const TcpListener listener = socket.listen(1, ec);
  EXPECT_EQ(ec, empty_socket_error) << ec.message();
  EXPECT_EQ(listener.native_handle(), TcpListener().native_handle());
  ec = test::stale_error();
  const TcpStream stream = socket.connect(address, ec);
  EXPECT_EQ(ec, empty_socket_error) << ec.message();
  EXPECT_EQ(stream.native_handle(), TcpStream().native_handle());
}

TEST(ApiOptions, TheBuffersOfEmptyUnixSocketsReportAnError) {
  // Unix-domain sockets exist on every backend; where they cannot be made they refuse as a whole.
  UnixStream stream;
  test::expect_every_option_reports(stream, empty_socket_error);
  UnixDatagram datagram;
  test::expect_every_option_reports(datagram, empty_socket_error);
  UnixListener listener;
  test::expect_every_option_reports(listener, empty_socket_error);
}

}  // namespace
