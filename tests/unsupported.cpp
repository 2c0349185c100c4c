// Every type exists on every backend, and what a backend cannot do reports
// std::errc::not_supported: Unix-domain sockets, pipes and raw descriptors where there are no POSIX
// descriptors, named pipes outside Windows, signals and child processes outside POSIX and Windows.
// Each backend asserts its own answer to each call.
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <optional>
#include <string>
#include <system_error>
#include <type_traits>
#include <utility>

#include <gtest/gtest.h>

#include "support/socket_options.hpp"
#include <miocpp/miocpp.hpp>

namespace {

using miocpp::Interest, miocpp::Poll, miocpp::Token;
using miocpp::net::UnixDatagram, miocpp::net::UnixListener, miocpp::net::UnixStream;

// What the backend in use can do, by config.hpp's macros. The POSIX backends make Unix-domain
// sockets and pipes and poll raw descriptors; WASI polls the descriptors the runtime handed over
// but can make neither; Windows has named pipes and no POSIX descriptors; the shell backend
// cannot even open a Poll.
constexpr bool posix_backend =
    MIOCPP_SELECTOR_EPOLL || MIOCPP_SELECTOR_KQUEUE || MIOCPP_SELECTOR_POLL;
constexpr bool makes_unix_sockets = posix_backend;
constexpr bool makes_pipes = posix_backend;
constexpr bool polls_raw_descriptors = posix_backend || MIOCPP_SELECTOR_WASI;
constexpr bool makes_named_pipes = MIOCPP_SELECTOR_IOCP;
constexpr bool opens_a_poll = !MIOCPP_SELECTOR_SHELL;
// IP sockets are made everywhere but the shell and WASI (where the runtime pre-opens them). Of the
// socket options, some are Linux's alone, some every POSIX system's (and not Windows'); on a
// backend that makes no sockets, every option of the empty socket reports not_supported.
constexpr bool makes_ip_sockets = test::makes_ip_sockets;
constexpr bool linux_options = makes_ip_sockets && MIOCPP_OS_LINUX;
constexpr bool posix_options = makes_ip_sockets && MIOCPP_OS_POSIX;

/// Expects a call's error: none where the backend `can` do it, not_supported where it cannot.
void expect_done_or_refused(const std::error_code& ec, bool can) {
  if (can) {
    EXPECT_FALSE(ec) << ec.message();
  } else {
    EXPECT_EQ(ec, std::errc::not_supported) << ec.message();
  }
}

/// A name no other test run uses, for the objects that have one.
std::string unique_name(const char* what) {
  return std::string("miocpp-support-") + what + '-' +
         std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
}

TEST(PlatformSupport, UnixStreamPair) {
  std::error_code ec;
  auto [first, second] = UnixStream::pair(ec);
  expect_done_or_refused(ec, makes_unix_sockets);
  EXPECT_EQ(first.native_handle() != UnixStream().native_handle(), makes_unix_sockets);
  EXPECT_EQ(second.native_handle() != UnixStream().native_handle(), makes_unix_sockets);
}

TEST(PlatformSupport, UnixListenerBind) {
  const std::string path = unique_name("listener");
  std::error_code ec;
  const UnixListener listener = UnixListener::bind(path, ec);
  expect_done_or_refused(ec, makes_unix_sockets);
  EXPECT_EQ(listener.native_handle() != UnixListener().native_handle(), makes_unix_sockets);
  // The socket file, where one was made: a refusal makes none.
  EXPECT_EQ(std::remove(path.c_str()) == 0, makes_unix_sockets);
}

TEST(PlatformSupport, UnixDatagramUnbound) {
  std::error_code ec;
  const UnixDatagram socket = UnixDatagram::unbound(ec);
  expect_done_or_refused(ec, makes_unix_sockets);
  EXPECT_EQ(socket.native_handle() != UnixDatagram().native_handle(), makes_unix_sockets);
}

// Passing descriptors goes over Unix-domain sockets: where none can be made, the calls of the
// empty sockets are refused. Standard error (2) is the descriptor every program has.
TEST(PlatformSupport, PassingDescriptors) {
  const std::array<std::byte, 1> byte{};
  const std::array<int, 1> fds{2};
  std::array<std::byte, 1> buffer{};
  std::array<miocpp::posix::OwnedFd, 1> received;
  std::error_code ec;
  auto [first, second] = UnixStream::pair(ec);
  (void)first.send_with_fds(byte, fds, ec);
  expect_done_or_refused(ec, makes_unix_sockets);
  EXPECT_EQ(second.recv_with_fds(buffer, received, ec).fds, makes_unix_sockets ? 1U : 0U);
  expect_done_or_refused(ec, makes_unix_sockets);
  EXPECT_EQ(static_cast<bool>(received[0]), makes_unix_sockets);

  auto [sender, receiver] = UnixDatagram::pair(ec);
  (void)sender.send_with_fds(byte, fds, ec);
  expect_done_or_refused(ec, makes_unix_sockets);
  EXPECT_EQ(receiver.recv_with_fds(buffer, received, ec).fds, makes_unix_sockets ? 1U : 0U);
  expect_done_or_refused(ec, makes_unix_sockets);
}

// Batches of Unix-domain datagrams, where such sockets can be made (tests/unix_datagram_batch.cpp
// has the rest).
TEST(PlatformSupport, UnixDatagramBatches) {
  const std::array<std::byte, 1> byte{};
  std::array<std::byte, 1> buffer{};
  const std::array<miocpp::net::UnixSendDatagram, 1> entries{
      miocpp::net::UnixSendDatagram{byte, std::nullopt}};
  std::array<miocpp::net::UnixRecvDatagram, 1> slots{};
  slots[0].buffer = buffer;
  std::error_code ec;
  auto [sender, receiver] = UnixDatagram::pair(ec);
  EXPECT_EQ(sender.send_batch(entries, ec), makes_unix_sockets ? 1U : 0U);
  expect_done_or_refused(ec, makes_unix_sockets);
  EXPECT_EQ(receiver.recv_batch(slots, ec), makes_unix_sockets ? 1U : 0U);
  expect_done_or_refused(ec, makes_unix_sockets);
}

TEST(PlatformSupport, PipeCreate) {
  std::error_code ec;
  auto [sender, receiver] = miocpp::posix::pipe::create(ec);
  expect_done_or_refused(ec, makes_pipes);
  EXPECT_EQ(sender.native_handle() >= 0, makes_pipes);
  EXPECT_EQ(receiver.native_handle() >= 0, makes_pipes);
}

TEST(PlatformSupport, RegisteringASourceFd) {
  std::error_code ec;
  const Poll poll(ec);
  expect_done_or_refused(ec, opens_a_poll);
  if (!opens_a_poll) {
    return;  // without a Poll there is nothing to register with: the refusal above is the answer
  }
  ASSERT_FALSE(ec) << ec.message();
  // A descriptor to register: a pipe's writing end where pipes can be made, else the standard
  // error every program is handed (Windows refuses a raw descriptor before it looks at it).
  auto [sender, receiver] = miocpp::posix::pipe::create(ec);
  const int fd = makes_pipes ? sender.native_handle() : 2;
  const miocpp::posix::SourceFd source{fd};
  poll.registry().register_source(source, Token{1}, Interest::writable, ec);
  expect_done_or_refused(ec, polls_raw_descriptors);
  poll.registry().deregister(source, ec);
  expect_done_or_refused(ec, polls_raw_descriptors);
}

TEST(PlatformSupport, NamedPipeCreate) {
  std::error_code ec;
  const miocpp::windows::NamedPipe pipe =
      miocpp::windows::NamedPipe::create("\\\\.\\pipe\\" + unique_name("pipe"), ec);
  expect_done_or_refused(ec, makes_named_pipes);
  EXPECT_EQ(pipe.native_handle() != miocpp::windows::NamedPipe().native_handle(),
            makes_named_pipes);
}

TEST(PlatformSupport, TcpSocketAndTheOptionsEachSystemLacks) {
  using namespace std::chrono_literals;
  std::error_code ec;
  miocpp::net::TcpSocket socket = miocpp::net::TcpSocket::v4(ec);
  expect_done_or_refused(ec, makes_ip_sockets);
  EXPECT_EQ(socket.native_handle() != miocpp::net::TcpSocket().native_handle(), makes_ip_sockets);

  socket.set_nodelay(true, ec);
  expect_done_or_refused(ec, makes_ip_sockets);
  socket.set_linger(std::nullopt, ec);
  expect_done_or_refused(ec, makes_ip_sockets);
  socket.set_reuse_port(true, ec);
  expect_done_or_refused(ec, posix_options);
  socket.set_cork(true, ec);
  expect_done_or_refused(ec, posix_options);
  socket.set_quickack(true, ec);
  expect_done_or_refused(ec, linux_options);
  socket.set_user_timeout(1000ms, ec);
  expect_done_or_refused(ec, linux_options);
  socket.set_bind_device("lo", ec);
  expect_done_or_refused(ec, linux_options);
  (void)socket.mark(ec);  // reading needs no privilege
  expect_done_or_refused(ec, linux_options);
  (void)socket.fastopen(ec);
  expect_done_or_refused(ec, linux_options || (posix_options && MIOCPP_OS_FREEBSD));
  (void)socket.fastopen_connect(ec);
  expect_done_or_refused(ec, linux_options);
}

// Signals are POSIX's, and Windows' console control events (SIGTERM: closing the console):
// elsewhere watching reports not_supported and leaves an empty watcher.
TEST(PlatformSupport, WatchingSignals) {
  constexpr int signal = 15;  // SIGTERM's number on every POSIX system, and Windows' too
  constexpr bool watches_signals = posix_backend || MIOCPP_SELECTOR_IOCP;
  std::error_code ec;
  const miocpp::Signals signals = miocpp::Signals::watch({signal}, ec);
  expect_done_or_refused(ec, watches_signals);
  EXPECT_EQ(signals.native_handle() != miocpp::Signals().native_handle(), watches_signals);
}

/// A process the test cannot watch: pid 1 where processes are numbers (on POSIX never this
/// test's child), a null handle where they are handles (Windows).
template <class ProcessId>
ProcessId unwatchable_process() {
  if constexpr (std::is_integral_v<ProcessId>) {
    return 1;
  } else {
    return ProcessId{};
  }
}

// Child processes are POSIX's and Windows' (process handles): elsewhere watching one reports
// not_supported. Here the call is made, and refused for what it was given.
TEST(PlatformSupport, WatchingAChildProcess) {
  std::error_code ec;
  const miocpp::ChildExit child =
      miocpp::ChildExit::watch(unwatchable_process<miocpp::ChildExit::process_id>(), ec);
  const std::errc expected = posix_backend          ? std::errc::no_child_process
                             : MIOCPP_SELECTOR_IOCP ? std::errc::invalid_argument
                                                    : std::errc::not_supported;
  EXPECT_EQ(ec, expected) << ec.message();
  EXPECT_EQ(child.native_handle(), miocpp::ChildExit().native_handle());
}

// Batched UDP exists wherever UDP does (not on the shell, nor on WASI, which has no UDP); GRO and
// GSO are Linux's (tests/udp_batch.cpp has the rest).
TEST(PlatformSupport, UdpBatchesAndOffload) {
  using miocpp::net::SendDatagram, miocpp::net::SocketAddr;
  const SocketAddr loopback(miocpp::net::Ipv4Addr::localhost(), 0);
  std::error_code ec;
  miocpp::net::UdpSocket socket = miocpp::net::UdpSocket::bind(loopback, ec);
  expect_done_or_refused(ec, makes_ip_sockets);
  std::array<std::byte, 16> buffer{};
  std::array<miocpp::net::RecvDatagram, 1> slots{};
  slots[0].buffer = buffer;
  EXPECT_EQ(socket.recv_batch(slots, ec), 0U);
  EXPECT_EQ(ec, makes_ip_sockets ? std::errc::operation_would_block : std::errc::not_supported);
  const std::array<SendDatagram, 1> segmented{SendDatagram{buffer, loopback, 8}};
  if (!makes_ip_sockets) {
    EXPECT_EQ(socket.send_batch(segmented, ec), 0U);
    EXPECT_EQ(ec, std::errc::not_supported) << ec.message();
  }
  socket.set_receive_destination(true, ec);
  expect_done_or_refused(ec, makes_ip_sockets);
  socket.set_receive_ecn(true, ec);
  expect_done_or_refused(ec, makes_ip_sockets);
  socket.set_gro(true, ec);
  expect_done_or_refused(ec, linux_options);
  socket.set_segment_size(1200, ec);
  expect_done_or_refused(ec, linux_options);
}

}  // namespace
