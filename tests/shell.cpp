// The shell backend (MIOCPP_NO_OS_POLL, or a platform with no OS poll): every type exists, and
// every call reports std::errc::not_supported through its std::error_code overload -- no abort,
// no throw -- while the throwing overloads throw std::system_error with that code.
#include <array>
#include <chrono>
#include <cstddef>
#include <optional>
#include <sstream>
#include <system_error>

#include <gtest/gtest.h>

#include "support/socket_options.hpp"
#include <miocpp/miocpp.hpp>

static_assert(MIOCPP_SELECTOR_SHELL, "this suite is built for the shell backend only");

namespace {

using miocpp::Interest;
using miocpp::Token;
using miocpp::net::SocketAddr;

constexpr auto not_supported = std::errc::not_supported;

/// Runs `call(ec)` with `ec` holding some other error first, so a call that forgot to set it
/// cannot pass.
template <class Call>
std::error_code outcome(Call&& call) {
  std::error_code ec = std::make_error_code(std::errc::io_error);
  (void)call(ec);
  return ec;
}

TEST(Shell, PollRegistryAndWakerReportNotSupported) {
  std::error_code ec;
  miocpp::Poll poll(ec);
  EXPECT_EQ(ec, not_supported);

  miocpp::Events events(8);
  EXPECT_EQ(outcome([&](std::error_code& e) {
              poll.poll(events, std::chrono::milliseconds(1), e);
              return 0;
            }),
            not_supported);
  EXPECT_TRUE(events.empty());
  EXPECT_EQ(outcome([&](std::error_code& e) { return poll.registry().try_clone(e); }),
            not_supported);

  EXPECT_EQ(
      outcome([&](std::error_code& e) { return miocpp::Waker(poll.registry(), Token{1}, e); }),
      not_supported);
}

TEST(Shell, TcpReportsNotSupported) {
  const SocketAddr address = SocketAddr::parse("127.0.0.1:0");
  EXPECT_EQ(outcome([&](std::error_code& e) { return miocpp::net::TcpListener::bind(address, e); }),
            not_supported);
  EXPECT_EQ(
      outcome([&](std::error_code& e) { return miocpp::net::TcpStream::connect(address, e); }),
      not_supported);

  miocpp::net::TcpListener listener;
  EXPECT_EQ(outcome([&](std::error_code& e) { return listener.accept(e); }), not_supported);
  EXPECT_EQ(outcome([&](std::error_code& e) { return listener.local_addr(e); }), not_supported);

  miocpp::net::TcpStream stream;
  std::array<std::byte, 16> buffer{};
  EXPECT_EQ(outcome([&](std::error_code& e) { return stream.read(buffer, e); }), not_supported);
  EXPECT_EQ(outcome([&](std::error_code& e) { return stream.write(buffer, e); }), not_supported);
  EXPECT_EQ(outcome([&](std::error_code& e) { return stream.peek(buffer, e); }), not_supported);
  EXPECT_EQ(outcome([&](std::error_code& e) { return stream.peer_addr(e); }), not_supported);
  EXPECT_EQ(outcome([&](std::error_code& e) { return stream.nodelay(e); }), not_supported);
  EXPECT_EQ(outcome([&](std::error_code& e) { return stream.ttl(e); }), not_supported);
  EXPECT_EQ(outcome([&](std::error_code& e) { return stream.take_error(e); }), not_supported);
  EXPECT_EQ(outcome([&](std::error_code& e) {
              stream.shutdown(miocpp::net::Shutdown::both, e);
              return 0;
            }),
            not_supported);
}

TEST(Shell, UdpReportsNotSupported) {
  const SocketAddr address = SocketAddr::parse("127.0.0.1:0");
  EXPECT_EQ(outcome([&](std::error_code& e) { return miocpp::net::UdpSocket::bind(address, e); }),
            not_supported);
  miocpp::net::UdpSocket socket;
  std::array<std::byte, 16> buffer{};
  EXPECT_EQ(outcome([&](std::error_code& e) { return socket.send_to(buffer, address, e); }),
            not_supported);
  EXPECT_EQ(outcome([&](std::error_code& e) { return socket.recv_from(buffer, e); }),
            not_supported);
  EXPECT_EQ(outcome([&](std::error_code& e) { return socket.broadcast(e); }), not_supported);
  EXPECT_EQ(outcome([&](std::error_code& e) {
              socket.connect(address, e);
              return 0;
            }),
            not_supported);
}

#if MIOCPP_OS_POSIX
TEST(Shell, UnixSocketsAndPipesReportNotSupported) {
  EXPECT_EQ(outcome([&](std::error_code& e) { return miocpp::net::UnixStream::pair(e); }),
            not_supported);
  EXPECT_EQ(outcome([&](std::error_code& e) { return miocpp::net::UnixDatagram::pair(e); }),
            not_supported);
  EXPECT_EQ(outcome([&](std::error_code& e) {
              return miocpp::net::UnixListener::bind("/tmp/miocpp-shell.sock", e);
            }),
            not_supported);
  EXPECT_EQ(outcome([&](std::error_code& e) { return miocpp::posix::pipe::create(e); }),
            not_supported);

  std::error_code ec;
  miocpp::Poll poll(ec);
  miocpp::posix::SourceFd source(0);
  EXPECT_EQ(outcome([&](std::error_code& e) {
              poll.registry().register_source(source, Token{0}, Interest::readable, e);
              return 0;
            }),
            not_supported);
}
#endif

#if MIOCPP_HAS_EXCEPTIONS
TEST(Shell, ThrowingOverloadsThrowSystemErrorWithNotSupported) {
  try {
    miocpp::Poll poll;
    FAIL() << "no exception";
  } catch (const std::system_error& error) {
    EXPECT_EQ(error.code(), not_supported);
  }
  try {
    (void)miocpp::net::TcpListener::bind(SocketAddr::parse("127.0.0.1:0"));
    FAIL() << "no exception";
  } catch (const std::system_error& error) {
    EXPECT_EQ(error.code(), not_supported);
  }
}
#endif

TEST(Shell, TcpSocketAndEverySocketOptionReportNotSupported) {
  using miocpp::net::TcpSocket;
  const SocketAddr address = SocketAddr::parse("127.0.0.1:0");
  EXPECT_EQ(outcome([&](std::error_code& e) { return TcpSocket::v4(e); }), not_supported);
  EXPECT_EQ(outcome([&](std::error_code& e) { return TcpSocket::v6(e); }), not_supported);
  EXPECT_EQ(outcome([&](std::error_code& e) { return TcpSocket::for_address(address, e); }),
            not_supported);

  TcpSocket socket;
  EXPECT_EQ(outcome([&](std::error_code& e) {
              socket.bind(address, e);
              return 0;
            }),
            not_supported);
  EXPECT_EQ(outcome([&](std::error_code& e) { return socket.listen(16, e); }), not_supported);
  EXPECT_EQ(outcome([&](std::error_code& e) { return socket.connect(address, e); }), not_supported);

  test::expect_every_option_reports(socket, not_supported);
  miocpp::net::TcpListener listener;
  test::expect_every_option_reports(listener, not_supported);
  miocpp::net::TcpStream stream;
  test::expect_every_option_reports(stream, not_supported);
  miocpp::net::UdpSocket udp;
  test::expect_every_option_reports(udp, not_supported);
  miocpp::net::UnixStream unix_stream;
  test::expect_every_option_reports(unix_stream, not_supported);

  // Out of range too: without the option there is nothing to judge the value against.
  EXPECT_EQ(outcome([&](std::error_code& e) {
              socket.set_ttl(1000, e);
              return 0;
            }),
            not_supported);
  EXPECT_EQ(outcome([&](std::error_code& e) {
              socket.set_keepalive_retries(0, e);
              return 0;
            }),
            not_supported);

#if MIOCPP_HAS_EXCEPTIONS
  try {
    (void)TcpSocket::v4();
    FAIL() << "no exception";
  } catch (const std::system_error& error) {
    EXPECT_EQ(error.code(), not_supported);
  }
  try {
    socket.set_nodelay(true);
    FAIL() << "no exception";
  } catch (const std::system_error& error) {
    EXPECT_EQ(error.code(), not_supported);
  }
#endif
}

TEST(Shell, ValueTypesWorkAsEverywhere) {
  const SocketAddr address = SocketAddr::parse("[::1]:8080");
  EXPECT_EQ(address.to_string(), "[::1]:8080");
  EXPECT_TRUE((Interest::readable | Interest::writable).is_writable());
  std::ostringstream os;
  os << Token{7}.value;
  EXPECT_EQ(os.str(), "7");
}

}  // namespace
