// What the TCP and UDP tests share: loopback addresses of both families, raw (blocking) peer
// sockets written against the socket API directly rather than through miocpp, connected miocpp
// stream pairs, a SIGPIPE detector and a leak-checking fixture. Each has a POSIX and a Winsock
// implementation (socket_api.hpp), so the tests that use them run on both.
#pragma once

#include <miocpp/config.hpp>

#if MIOCPP_OS_WINDOWS
#include <miocpp/sys/windows/windows.hpp>
#else
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#endif

#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "support/descriptors.hpp"
#include "support/raw_fd.hpp"
#include "support/setup.hpp"
#include "support/socket_api.hpp"
#include <miocpp/miocpp.hpp>

namespace test {

// ---- Addresses ----------------------------------------------------------------------------------

/// 127.0.0.1:0 -- any free port on the IPv4 loopback.
inline miocpp::net::SocketAddr any_local_address() {
  return {miocpp::net::Ipv4Addr::localhost(), 0};
}

/// [::1]:0 -- any free port on the IPv6 loopback.
inline miocpp::net::SocketAddr any_local_ipv6_address() {
  return {miocpp::net::Ipv6Addr::localhost(), 0};
}

/// The two messages the stream and datagram tests send, as mio's tests do.
inline constexpr std::string_view data1 = "Hello world!";
inline constexpr std::string_view data2 = "Hello mars!";

/// The parameter of the tests that run once per address family.
struct Family {
  const char* name;
  miocpp::net::SocketAddr any_local;
};

/// Names the parameter in GoogleTest's messages (instead of a byte dump).
inline void PrintTo(const Family& family, std::ostream* os) {
  *os << family.name;
}

inline std::vector<Family> loopback_families() {
  return {{"ipv4", any_local_address()}, {"ipv6", any_local_ipv6_address()}};
}

inline std::string family_name(const ::testing::TestParamInfo<Family>& info) {
  return info.param.name;
}

/// A sockaddr for the raw socket API, built from the address's octets (not through miocpp's own
/// conversion, which is under test).
struct RawAddress {
  ::sockaddr_storage storage{};
  SockLen length = 0;

  [[nodiscard]] const ::sockaddr* get() const {
    return reinterpret_cast<const ::sockaddr*>(&storage);  // NOLINT(*-reinterpret-cast)
  }
  [[nodiscard]] int family() const { return storage.ss_family; }
};

inline RawAddress to_raw_address(const miocpp::net::SocketAddr& address) {
  RawAddress raw;
  if (const auto v4 = address.ip().v4()) {
    ::sockaddr_in in{};
    in.sin_family = AF_INET;
    in.sin_port = htons(address.port());
    std::memcpy(&in.sin_addr, v4->octets().data(), 4);
    std::memcpy(&raw.storage, &in, sizeof in);
    raw.length = sizeof in;
  } else {
    ::sockaddr_in6 in6{};
    in6.sin6_family = AF_INET6;
    in6.sin6_port = htons(address.port());
    in6.sin6_scope_id = address.scope_id();
    std::memcpy(&in6.sin6_addr, address.ip().v6()->octets().data(), 16);
    std::memcpy(&raw.storage, &in6, sizeof in6);
    raw.length = sizeof in6;
  }
  return raw;
}

/// The port of a bound raw socket (getsockname), 0 on failure.
inline std::uint16_t raw_local_port(NativeSocket fd) {
  ::sockaddr_storage storage{};
  SockLen length = sizeof storage;
  if (::getsockname(fd, reinterpret_cast<::sockaddr*>(&storage), &length) != 0) {  // NOLINT
    return 0;
  }
  if (storage.ss_family == AF_INET) {
    ::sockaddr_in in{};
    std::memcpy(&in, &storage, sizeof in);
    return ntohs(in.sin_port);
  }
  ::sockaddr_in6 in6{};
  std::memcpy(&in6, &storage, sizeof in6);
  return ntohs(in6.sin6_port);
}

/// SO_LINGER {on, 0 s}: closing the socket then sends RST instead of FIN. True on success.
inline bool set_linger_zero(NativeSocket fd) {
  ::linger value{};
  value.l_onoff = 1;
  value.l_linger = 0;
  return set_option(fd, SOL_SOCKET, SO_LINGER, value);
}

/// Caps a socket's send and receive buffers (SO_SNDBUF, SO_RCVBUF), which also stops the kernel
/// from growing them, so that a bulk transfer must wait for the other side many times.
inline bool set_small_buffers(NativeSocket fd, int bytes = 256 * 1024) {
  return set_option(fd, SOL_SOCKET, SO_SNDBUF, bytes) &&
         set_option(fd, SOL_SOCKET, SO_RCVBUF, bytes);
}

/// Hands a raw socket over to a miocpp from_native: non-blocking, as from_native expects, and
/// released from `raw`. invalid_socket (and a test failure) if it cannot be made non-blocking.
inline NativeSocket release_nonblocking(OwnedFd& raw) {
  if (!set_nonblocking(raw.get())) {
    ADD_FAILURE() << "making a raw socket non-blocking: " << last_socket_error_message();
    return invalid_socket;
  }
  return raw.release();
}

/// A listener bound to `address` and, as `bound`, its local address; the test stops if binding
/// fails.
// NOLINTNEXTLINE(cppcoreguidelines-macro-usage): ASSERT_ must sit in the test body
#define BIND_LISTENER(listener, bound, address)                                               \
  std::error_code listener##_ec;                                                              \
  miocpp::net::TcpListener listener = miocpp::net::TcpListener::bind(address, listener##_ec); \
  ASSERT_FALSE(listener##_ec) << listener##_ec.message();                                     \
  [[maybe_unused]] const miocpp::net::SocketAddr bound = listener.local_addr(listener##_ec);  \
  ASSERT_FALSE(listener##_ec) << listener##_ec.message()

/// Checks one accepted connection: the peer is the client on the loopback, the local end is the
/// listener's.
inline void expect_accepted(const miocpp::net::TcpStream& stream,
                            const miocpp::net::SocketAddr& peer,
                            const miocpp::net::SocketAddr& listener,
                            const miocpp::net::SocketAddr& client_local) {
  std::error_code ec;
  EXPECT_TRUE(peer.ip().is_loopback()) << peer;
  EXPECT_EQ(peer.is_ipv6(), listener.is_ipv6());
  EXPECT_EQ(stream.peer_addr(ec), peer);
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_EQ(stream.local_addr(ec), listener);
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_EQ(peer, client_local) << "accept must report the connecting socket's address";
}

/// The address of a raw connected socket, read through a TcpStream that borrows it.
inline miocpp::net::SocketAddr local_addr_of(NativeSocket fd) {
  miocpp::net::TcpStream borrowed = miocpp::net::TcpStream::from_native(fd);
  std::error_code ec;
  const miocpp::net::SocketAddr address = borrowed.local_addr(ec);
  EXPECT_FALSE(ec) << ec.message();
  (void)borrowed.release();
  return address;
}

// ---- Raw (blocking) peers -----------------------------------------------------------------------

/// Limits every blocking call on a raw socket, so that a test whose library side misbehaves fails
/// instead of hanging.
inline void set_raw_timeouts(NativeSocket fd,
                             std::chrono::seconds limit = std::chrono::seconds(10)) {
#if MIOCPP_OS_WINDOWS
  // Winsock takes the timeouts as a DWORD of milliseconds.
  const auto value = static_cast<DWORD>(limit.count() * 1000);
#else
  ::timeval value{};
  value.tv_sec = static_cast<decltype(value.tv_sec)>(limit.count());
#endif
  set_option(fd, SOL_SOCKET, SO_RCVTIMEO, value);
  set_option(fd, SOL_SOCKET, SO_SNDTIMEO, value);
}

/// A blocking TCP socket of the family of `address`; empty on failure.
inline OwnedFd raw_tcp_socket(const miocpp::net::SocketAddr& address) {
  start_sockets();
#if MIOCPP_OS_WINDOWS
  OwnedFd fd(::WSASocketW(address.is_ipv4() ? AF_INET : AF_INET6, SOCK_STREAM, 0, nullptr, 0,
                          WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT));
#else
  OwnedFd fd(::socket(address.is_ipv4() ? AF_INET : AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0));
#endif
  if (fd.valid()) {
    set_raw_timeouts(fd.get());
  }
  return fd;
}

/// A blocking socket connected to `address` (connect(2) returns once the handshake is done).
inline OwnedFd raw_connect(const miocpp::net::SocketAddr& address) {
  OwnedFd fd = raw_tcp_socket(address);
  const RawAddress raw = to_raw_address(address);
  if (!fd.valid() || ::connect(fd.get(), raw.get(), raw.length) != 0) {
    ADD_FAILURE() << "raw connect to " << address << ": " << last_socket_error_message();
    return {};
  }
  return fd;
}

/// `fd`, a raw blocking socket connected to `address`; the test stops if there is none.
// NOLINTNEXTLINE(cppcoreguidelines-macro-usage): ASSERT_ must sit in the test body
#define RAW_CONNECT(fd, address)                       \
  const test::OwnedFd fd = test::raw_connect(address); \
  ASSERT_TRUE(fd.valid())

/// A blocking listening socket on `address`; `bound` receives its address with the real port.
inline OwnedFd raw_listen(const miocpp::net::SocketAddr& address, miocpp::net::SocketAddr& bound) {
  OwnedFd fd = raw_tcp_socket(address);
  const RawAddress raw = to_raw_address(address);
  if (!fd.valid() || ::bind(fd.get(), raw.get(), raw.length) != 0 || ::listen(fd.get(), 128) != 0) {
    ADD_FAILURE() << "raw listen on " << address << ": " << last_socket_error_message();
    return {};
  }
  bound = address;
  bound.set_port(raw_local_port(fd.get()));
  return fd;
}

/// A TCP socket bound to a free loopback port but not listening: a connection to its port is
/// refused (RST), and the port stays reserved for as long as it is open.
inline OwnedFd raw_bound_not_listening(const miocpp::net::SocketAddr& address,
                                       miocpp::net::SocketAddr& bound) {
  OwnedFd fd = raw_tcp_socket(address);
  const RawAddress raw = to_raw_address(address);
  if (!fd.valid() || ::bind(fd.get(), raw.get(), raw.length) != 0) {
    ADD_FAILURE() << "raw bind on " << address << ": " << last_socket_error_message();
    return {};
  }
  bound = address;
  bound.set_port(raw_local_port(fd.get()));
  return fd;
}

/// `fd`, a raw socket made by `make(any_local, address)` (raw_listen, raw_bound_not_listening),
/// with `address` where it is bound; the test stops if there is none.
// NOLINTNEXTLINE(cppcoreguidelines-macro-usage): ASSERT_ must sit in the test body
#define OPEN_RAW(fd, address, make, any_local) \
  miocpp::net::SocketAddr address;             \
  test::OwnedFd fd = make(any_local, address); \
  ASSERT_TRUE(fd.valid())

/// Blocking accept; the new socket gets the raw timeouts.
inline OwnedFd raw_accept(NativeSocket listener) {
#if MIOCPP_OS_WINDOWS
  OwnedFd fd(::accept(listener, nullptr, nullptr));
#else
  OwnedFd fd(::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC));
#endif
  if (!fd.valid()) {
    ADD_FAILURE() << "raw accept: " << last_socket_error_message();
    return {};
  }
  set_raw_timeouts(fd.get());
  return fd;
}

/// Blocking: runs `step` (one raw send or receive of what is left) until all of `bytes` went
/// through, retrying when a signal interrupts it; false on an error or the stream's end first.
template <class Byte, class Step>
bool raw_transfer_all(std::span<Byte> bytes, Step step) {
  while (!bytes.empty()) {
    const std::ptrdiff_t done = step(bytes);
    if (done < 0 && last_socket_error() == std::errc::interrupted) {
      continue;
    }
    if (done <= 0) {
      return false;
    }
    bytes = bytes.subspan(static_cast<std::size_t>(done));
  }
  return true;
}

/// Blocking: sends all of `bytes` (MSG_NOSIGNAL: the test process must not die of SIGPIPE).
inline bool raw_send_all(NativeSocket fd, std::span<const std::byte> bytes) {
  return raw_transfer_all(bytes, [fd](std::span<const std::byte> rest) {
    return raw_send(fd, rest.data(), rest.size(), send_no_signal);
  });
}

/// Blocking: receives exactly `buffer.size()` bytes; false on error or end-of-stream first.
inline bool raw_receive_exact(NativeSocket fd, std::span<std::byte> buffer) {
  return raw_transfer_all(
      buffer, [fd](std::span<std::byte> rest) { return raw_recv(fd, rest.data(), rest.size()); });
}

/// Waits with poll(2) (WSAPoll on Windows) -- not miocpp -- until `fd` reports `events`; false
/// after `timeout`.
inline bool raw_wait(NativeSocket fd, short events,
                     std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
#if MIOCPP_OS_WINDOWS
  ::WSAPOLLFD entry{fd, events, 0};
  const int ready = ::WSAPoll(&entry, 1, static_cast<int>(timeout.count()));
#else
  ::pollfd entry{fd, events, 0};
  const int ready = ::poll(&entry, 1, static_cast<int>(timeout.count()));
#endif
  return ready == 1 && (entry.revents & events) != 0;
}

// ---- miocpp pairs -------------------------------------------------------------------------------

/// Both ends of an established loopback connection made with miocpp, neither registered.
struct StreamPair {
  miocpp::net::TcpStream client;
  miocpp::net::TcpStream server;
  miocpp::net::SocketAddr listener_address;
};

/// Binds a TcpListener on `any_local`, connects a TcpStream to it and accepts, waiting with
/// poll(2). On failure the test fails and the streams are empty.
inline StreamPair connected_pair(const miocpp::net::SocketAddr& any_local) {
  StreamPair pair;
  std::error_code ec;
  miocpp::net::TcpListener listener = miocpp::net::TcpListener::bind(any_local, ec);
  if (ec) {
    ADD_FAILURE() << "bind " << any_local << ": " << ec.message();
    return {};
  }
  pair.listener_address = listener.local_addr(ec);
  pair.client = miocpp::net::TcpStream::connect(pair.listener_address, ec);
  if (ec) {
    ADD_FAILURE() << "connect " << pair.listener_address << ": " << ec.message();
    return {};
  }
  if (!raw_wait(listener.native_handle(), POLLIN)) {
    ADD_FAILURE() << "no connection arrived at " << pair.listener_address;
    return {};
  }
  pair.server = listener.accept(ec).first;
  if (ec) {
    ADD_FAILURE() << "accept: " << ec.message();
    return {};
  }
  if (!raw_wait(pair.client.native_handle(), POLLOUT)) {
    ADD_FAILURE() << "the client never connected";
    return {};
  }
  return pair;
}

/// An established connection from `any_local`, as `pair`; the test stops if there is none.
// NOLINTNEXTLINE(cppcoreguidelines-macro-usage): ASSERT_ must sit in the test body
#define OPEN_PAIR(pair, any_local)                                                 \
  test::StreamPair pair = test::connected_pair(any_local);                         \
  ASSERT_NE(pair.client.native_handle(), test::invalid_socket) << "no connection"; \
  ASSERT_NE(pair.server.native_handle(), test::invalid_socket) << "no connection"

/// A source that a test makes readable at will, on every platform: a UDP socket bound to a free
/// loopback port, and a second one that sends it datagrams. It stands in for an eventfd or a pipe
/// where a test only needs "something that becomes ready". `socket` is the one to register;
/// `make_ready` may be called from any thread.
struct ReadySource {
  miocpp::net::UdpSocket socket;
  miocpp::net::UdpSocket sender;
  miocpp::net::SocketAddr address;

  [[nodiscard]] bool valid() const { return socket.native_handle() != invalid_socket; }

  /// Sends one datagram of `text` to `socket`; true on success.
  bool make_ready(std::string_view text = "x") {
    std::error_code ec;
    const std::size_t sent =
        sender.send_to(std::as_bytes(std::span(text.data(), text.size())), address, ec);
    return !ec && sent == text.size();
  }

  /// Receives datagrams until `socket` would block; returns how many there were.
  std::size_t drain() {
    std::array<std::byte, 64> buffer{};
    std::size_t count = 0;
    for (;;) {
      std::error_code ec;
      (void)socket.recv(buffer, ec);
      if (ec) {
        EXPECT_EQ(ec, std::errc::operation_would_block) << ec.message();
        return count;
      }
      ++count;
    }
  }
};

/// `name`, a ReadySource registered readable with `poll` under `token` and made ready; the test
/// stops if it cannot be.
// NOLINTNEXTLINE(cppcoreguidelines-macro-usage): ASSERT_ must sit in the test body
#define READY_SOURCE(name, poll, token)                           \
  test::ReadySource name = test::ready_source();                  \
  REGISTER(poll, name.socket, token, miocpp::Interest::readable); \
  ASSERT_TRUE(name.make_ready())

/// Registers `source`; the error, empty on success. For
/// `ASSERT_EQ(test::register_source(...), std::error_code())`, which prints the code on failure.
template <class Source>
std::error_code register_source(const miocpp::Registry& registry, Source& source,
                                miocpp::Token token, miocpp::Interest interest) {
  std::error_code ec;
  registry.register_source(source, token, interest, ec);
  return ec;
}

/// A ReadySource on 127.0.0.1; on failure the test fails and the sockets are empty.
inline ReadySource ready_source() {
  ReadySource source;
  std::error_code ec;
  source.socket = miocpp::net::UdpSocket::bind(any_local_address(), ec);
  if (!ec) {
    source.address = source.socket.local_addr(ec);
  }
  if (!ec) {
    source.sender = miocpp::net::UdpSocket::bind(any_local_address(), ec);
  }
  if (ec) {
    ADD_FAILURE() << "a UDP ready source: " << ec.message();
    return {};
  }
  return source;
}

/// The byte at `offset` of the test streams: not periodic in any power of two, so a lost,
/// repeated or reordered chunk of any buffer size shows.
constexpr std::byte pattern_byte(std::size_t offset) {
  return static_cast<std::byte>((offset % 251U) ^ ((offset >> 16U) & 0xffU));
}

// ---- SIGPIPE ------------------------------------------------------------------------------------

#if MIOCPP_OS_WINDOWS
/// Windows has no SIGPIPE: a send on a closed connection can only fail. The counter exists so
/// that the tests read the same on both; it never counts anything.
class SigpipeCounter {
 public:
  /// What a send without MSG_NOSIGNAL on a broken connection raises: nothing, here.
  static constexpr int raised_by_a_plain_send = 0;

  [[nodiscard]] static bool ok() { return true; }
  [[nodiscard]] static int received() { return 0; }
};
#else
/// Counts the SIGPIPE signals this process receives while it exists, instead of letting the
/// default action kill it, so that a library call that raises SIGPIPE fails the test with a
/// message. The signal is neither ignored nor blocked: a handler is installed and the signal
/// unblocked for the calling thread, whatever the test runner set up. Restores both on
/// destruction.
class SigpipeCounter {
 public:
  /// What a send without MSG_NOSIGNAL on a broken connection raises: one SIGPIPE.
  static constexpr int raised_by_a_plain_send = 1;

  SigpipeCounter() { count().store(0); }

  [[nodiscard]] bool ok() const { return handler_.installed() && handler_.unblocked(); }
  /// SIGPIPEs received since construction.
  [[nodiscard]] int received() const { return count().load(); }

 private:
  static std::atomic<int>& count() {
    static std::atomic<int> value{0};
    return value;
  }
  static void on_sigpipe(int /*signal*/) { count().fetch_add(1); }

  ScopedSignalHandler handler_{SIGPIPE, &SigpipeCounter::on_sigpipe, true};
};
#endif

// ---- Fixtures -----------------------------------------------------------------------------------

/// A leak-checked test run once per loopback family.
class FamilyTest : public LeakChecked<::testing::TestWithParam<Family>> {
 protected:
  [[nodiscard]] const miocpp::net::SocketAddr& any_local() const { return GetParam().any_local; }
  [[nodiscard]] bool ipv6() const { return GetParam().any_local.is_ipv6(); }
};

}  // namespace test

/// Declares the leak-checked suite `name`, whose TEST_Ps run once per loopback family.
// NOLINTNEXTLINE(cppcoreguidelines-macro-usage): a suite is declared at namespace scope
#define FAMILY_TEST_SUITE(name)                                                            \
  class name : public test::FamilyTest {};                                                 \
  INSTANTIATE_TEST_SUITE_P(Loopback, name, ::testing::ValuesIn(test::loopback_families()), \
                           test::family_name)
