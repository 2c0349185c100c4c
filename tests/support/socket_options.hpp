// What the socket option tests share: which options each backend has (Windows' answers in one
// place), the runtime conditions some options depend on (capabilities, sysctls), whether the IPv6
// loopback exists, and the checks every option goes through -- a round trip through set and get,
// and out-of-range values refused with invalid_argument while the value stays what it was.
#pragma once

#include <miocpp/config.hpp>

#if MIOCPP_OS_LINUX
#include <fstream>
#endif

#if MIOCPP_OS_POSIX
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <net/if.h>
#endif

#include <chrono>
#include <cstdint>
#include <optional>
#include <ostream>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>

#include <gtest/gtest.h>

#include <miocpp/miocpp.hpp>

#if MIOCPP_OS_WINDOWS
#include "support/socket_api.hpp"
#endif

namespace test {

/// Every socket option of the front end, by the name of its getter.
enum class Opt {
  send_buffer_size,
  recv_buffer_size,
  reuse_address,
  reuse_port,
  only_v6,
  ttl,
  unicast_hops_v6,
  tos,
  tclass_v6,
  bind_device,
  mark,
  nodelay,
  linger,
  keepalive,
  keepalive_idle,
  keepalive_interval,
  keepalive_retries,
  quickack,
  user_timeout,
  fastopen,
  fastopen_connect,
  cork,
  multicast_hops_v6,
  multicast_if_v4,
  multicast_if_v6,
};

inline const char* name_of(Opt option) {
  switch (option) {
    case Opt::send_buffer_size:
      return "send_buffer_size";
    case Opt::recv_buffer_size:
      return "recv_buffer_size";
    case Opt::reuse_address:
      return "reuse_address";
    case Opt::reuse_port:
      return "reuse_port";
    case Opt::only_v6:
      return "only_v6";
    case Opt::ttl:
      return "ttl";
    case Opt::unicast_hops_v6:
      return "unicast_hops_v6";
    case Opt::tos:
      return "tos";
    case Opt::tclass_v6:
      return "tclass_v6";
    case Opt::bind_device:
      return "bind_device";
    case Opt::mark:
      return "mark";
    case Opt::nodelay:
      return "nodelay";
    case Opt::linger:
      return "linger";
    case Opt::keepalive:
      return "keepalive";
    case Opt::keepalive_idle:
      return "keepalive_idle";
    case Opt::keepalive_interval:
      return "keepalive_interval";
    case Opt::keepalive_retries:
      return "keepalive_retries";
    case Opt::quickack:
      return "quickack";
    case Opt::user_timeout:
      return "user_timeout";
    case Opt::fastopen:
      return "fastopen";
    case Opt::fastopen_connect:
      return "fastopen_connect";
    case Opt::cork:
      return "cork";
    case Opt::multicast_hops_v6:
      return "multicast_hops_v6";
    case Opt::multicast_if_v4:
      return "multicast_if_v4";
    case Opt::multicast_if_v6:
      return "multicast_if_v6";
  }
  return "?";
}

/// Whether this backend creates IP sockets at all (TcpSocket::v4 works): not the shell, and not
/// WASI preview 1, where only sockets the runtime pre-opened exist.
// NOLINTNEXTLINE(misc-redundant-expression): both macros are 0 on most backends
inline constexpr bool makes_ip_sockets = !MIOCPP_SELECTOR_SHELL && !MIOCPP_SELECTOR_WASI;

// ---- Windows: every expectation that differs from Linux, here and nowhere else -----------------

/// Options Winsock has no counterpart for: they report not_supported there.
inline bool windows_lacks(Opt option) {
  switch (option) {
    case Opt::reuse_port:
    case Opt::bind_device:
    case Opt::mark:
    case Opt::quickack:
    case Opt::user_timeout:
    case Opt::fastopen:
    case Opt::fastopen_connect:
    case Opt::cork:
      return true;
    default:
      return false;
  }
}

inline bool is_keepalive_time(Opt option) {
  return option == Opt::keepalive_idle || option == Opt::keepalive_interval ||
         option == Opt::keepalive_retries;
}

/// Options the Windows backend has but this run's Winsock refuses with WSAENOPROTOOPT (which the
/// backend reports as std::errc::not_supported: the OS lacks them): the keep-alive times
/// (Windows 10 1709 has them; older Windows and wine 8 do not) and IPV6_TCLASS (wine 8). Values out of range are
/// still refused with invalid_argument before Winsock sees them.
inline std::optional<std::errc> windows_refusal([[maybe_unused]] Opt option) {
#if MIOCPP_OS_WINDOWS
  if (running_under_wine() && (is_keepalive_time(option) || option == Opt::tclass_v6)) {
    return std::errc::not_supported;  // Winsock's WSAENOPROTOOPT: this stack lacks the option
  }
#endif
  return std::nullopt;
}

/// Whether setting IPV6_V6ONLY on an IPv4 socket is refused: every OS does, except wine, which
/// takes it (reading it back is refused there too).
inline bool ipv4_sockets_refuse_only_v6() {
#if MIOCPP_OS_WINDOWS
  return !running_under_wine();
#else
  return true;
#endif
}

/// Whether a TcpSocket that was never bound has no address: Winsock's getsockname and listen
/// refuse such a socket (WSAEINVAL) and the Windows backend passes that on as invalid_argument,
/// where IpSocketBase::local_addr promises the unspecified address and TcpSocket::listen a free
/// port. False everywhere else.
inline constexpr bool unbound_sockets_refuse_local_addr_and_listen = MIOCPP_OS_WINDOWS;

/// The longest SO_LINGER time the OS holds, in seconds: Winsock's l_linger is a u_short.
inline constexpr std::int64_t max_linger_seconds = MIOCPP_OS_WINDOWS ? 65'535 : 2'147'483'647;

// ---- Which options this backend has ------------------------------------------------------------

/// Whether this backend has `option`: it judges the value (out of range is invalid_argument)
/// and hands it to the OS, which can still refuse it or the caller (see expected_set_error).
/// Linux has every one; the shell and WASI none; Windows all but windows_lacks; the other POSIX
/// systems, which CI does not run, what their headers name.
inline bool os_has(Opt option) {
  if constexpr (!makes_ip_sockets) {
    return false;
  } else if constexpr (MIOCPP_OS_LINUX) {
    return true;
  } else if constexpr (MIOCPP_OS_WINDOWS) {
    return !windows_lacks(option);
  } else {
    // The branches differ by the platform's headers, not in the source.
    // NOLINTBEGIN(bugprone-branch-clone)
    switch (option) {
      case Opt::reuse_port:
#if defined(SO_REUSEPORT) || defined(SO_REUSEPORT_LB)
        return true;
#else
        return false;
#endif
      case Opt::tclass_v6:
#if defined(IPV6_TCLASS)
        return true;
#else
        return false;
#endif
      case Opt::bind_device:
#if defined(SO_BINDTODEVICE)
        return true;
#else
        return false;
#endif
      case Opt::mark:
#if defined(SO_MARK)
        return true;
#else
        return false;
#endif
      case Opt::keepalive_idle:
#if defined(TCP_KEEPIDLE) || defined(TCP_KEEPALIVE)
        return true;
#else
        return false;
#endif
      case Opt::keepalive_interval:
      case Opt::keepalive_retries:
#if defined(TCP_KEEPINTVL) && defined(TCP_KEEPCNT)
        return true;
#else
        return false;
#endif
      case Opt::quickack:
#if defined(TCP_QUICKACK)
        return true;
#else
        return false;
#endif
      case Opt::user_timeout:
#if defined(TCP_USER_TIMEOUT)
        return true;
#else
        return false;
#endif
      case Opt::fastopen:
#if defined(TCP_FASTOPEN) && !MIOCPP_OS_APPLE
        return true;
#else
        return false;
#endif
      case Opt::fastopen_connect:
#if defined(TCP_FASTOPEN_CONNECT)
        return true;
#else
        return false;
#endif
      case Opt::cork:
#if defined(TCP_CORK) || defined(TCP_NOPUSH)
        return true;
#else
        return false;
#endif
      default:
        return true;
    }
    // NOLINTEND(bugprone-branch-clone)
  }
}

// ---- Runtime conditions (Linux) ----------------------------------------------------------------

/// The first number in a /proc file, if it can be read (Linux; nothing elsewhere).
inline std::optional<long long> read_proc_number([[maybe_unused]] const char* path) {
#if MIOCPP_OS_LINUX
  std::ifstream file(path);
  long long value = 0;
  if (file >> value) {
    return value;
  }
#endif
  return std::nullopt;
}

/// Whether this process has the Linux capability numbered `bit` (CAP_NET_ADMIN is 12,
/// CAP_NET_RAW 13) in its effective set: root in a container may lack one.
inline bool has_capability([[maybe_unused]] int bit) {
#if MIOCPP_OS_LINUX
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("CapEff:", 0) == 0) {
      std::istringstream fields(line.substr(7));
      unsigned long long mask = 0;
      fields >> std::hex >> mask;
      return ((mask >> static_cast<unsigned>(bit)) & 1U) != 0;
    }
  }
#endif
  return false;
}
inline constexpr int cap_net_admin = 12;
inline constexpr int cap_net_raw = 13;

/// Whether Linux lets clients use TCP Fast Open (net.ipv4.tcp_fastopen has bit 0 set, the
/// default); without it TCP_FASTOPEN_CONNECT is refused with EOPNOTSUPP.
inline bool fastopen_client_enabled() {
  const auto sysctl = read_proc_number("/proc/sys/net/ipv4/tcp_fastopen");
  return !sysctl || (*sysctl & 1) != 0;
}

/// The error setting `option` to a valid value gives here: none, or the one expected. The shell,
/// WASI and an OS without the option say not_supported; SO_MARK needs CAP_NET_ADMIN, or on
/// recent kernels CAP_NET_RAW (else EPERM; an older kernel with only CAP_NET_RAW, which CI does
/// not have, would refuse); TCP_FASTOPEN_CONNECT needs client fast open enabled.
inline std::optional<std::errc> expected_set_error(Opt option) {
  if (!os_has(option)) {
    return std::errc::not_supported;
  }
  if (const auto refusal = windows_refusal(option)) {
    return refusal;
  }
  if constexpr (MIOCPP_OS_LINUX) {
    if (option == Opt::mark && !has_capability(cap_net_admin) && !has_capability(cap_net_raw)) {
      return std::errc::operation_not_permitted;
    }
    if (option == Opt::fastopen_connect && !fastopen_client_enabled()) {
      return std::errc::not_supported;
    }
  }
  return std::nullopt;
}

/// The error reading `option` gives here: not_supported where the backend lacks it, Winsock's
/// refusal where this run's Windows lacks it, else none.
inline std::optional<std::errc> expected_get_error(Opt option) {
  if (!os_has(option)) {
    return std::errc::not_supported;
  }
  return windows_refusal(option);
}

/// IPV6_V6ONLY on a new IPv6 socket: Linux takes net.ipv6.bindv6only (0 unless changed); Windows
/// and the BSDs keep IPv6 sockets to IPv6.
inline bool default_only_v6() {
  if constexpr (MIOCPP_OS_LINUX) {
    return read_proc_number("/proc/sys/net/ipv6/bindv6only").value_or(0) != 0;
  } else {
    return !MIOCPP_OS_APPLE;
  }
}

/// The name of the loopback interface ("lo" on Linux), for SO_BINDTODEVICE; empty if unknown.
inline std::string loopback_interface_name() {
#if MIOCPP_OS_POSIX
  const unsigned index = ::if_nametoindex("lo");
  return index != 0 ? std::string("lo") : std::string();
#else
  return "lo";
#endif
}

// ---- IPv6 ---------------------------------------------------------------------------------------

/// Whether a TCP listener can be bound on [::1]; the reason when it cannot.
inline std::optional<std::string> ipv6_loopback_missing() {
  if constexpr (!makes_ip_sockets) {
    return "this backend makes no sockets";
  } else {
    static const std::optional<std::string> missing = []() -> std::optional<std::string> {
      std::error_code ec;
      const miocpp::net::TcpListener probe =
          miocpp::net::TcpListener::bind({miocpp::net::Ipv6Addr::localhost(), 0}, ec);
      if (ec) {
        return "no IPv6 loopback (::1) here: " + ec.message();
      }
      return std::nullopt;
    }();
    return missing;
  }
}

/// Skips the test when the IPv6 loopback is missing, saying so.
// NOLINTNEXTLINE(cppcoreguidelines-macro-usage): GTEST_SKIP must sit in the test body
#define REQUIRE_IPV6_LOOPBACK()                                  \
  if (const auto ipv6_missing = test::ipv6_loopback_missing()) { \
    GTEST_SKIP() << *ipv6_missing;                               \
  }                                                              \
  static_assert(true, "a semicolon follows the macro")

// ---- Printing option values ---------------------------------------------------------------------

inline std::string describe(bool value) {
  return value ? "true" : "false";
}
inline std::string describe(const std::string& value) {
  return '"' + value + '"';
}
inline std::string describe(std::string_view value) {
  return describe(std::string(value));
}
inline std::string describe(const char* value) {
  return describe(std::string(value));
}
inline std::string describe(const miocpp::net::Ipv4Addr& value) {
  return value.to_string();
}
inline std::string describe(std::chrono::seconds value) {
  return std::to_string(value.count()) + " s";
}
inline std::string describe(std::chrono::milliseconds value) {
  return std::to_string(value.count()) + " ms";
}
inline std::string describe(std::nullopt_t /*value*/) {
  return "nullopt";
}
inline std::string describe(const std::optional<std::chrono::seconds>& value) {
  return value ? describe(*value) : std::string("nullopt");
}
template <class T>
requires std::is_integral_v<T> std::string describe(T value) {
  return std::to_string(value);
}

// ---- The checks ---------------------------------------------------------------------------------

/// An error code that a call must overwrite: each check starts its calls with it, so a call that
/// forgets to clear `ec` on success (or to set it on failure) cannot pass.
inline std::error_code stale_error() {
  return std::make_error_code(std::errc::io_error);
}

/// Expects `ec` to be the expected outcome: no error, or an error equal to `expected`.
inline void expect_outcome(const std::error_code& ec, std::optional<std::errc> expected,
                           const std::string& what) {
  if (expected) {
    EXPECT_EQ(ec, *expected) << what << ": " << ec.message() << " (expected "
                             << std::make_error_code(*expected).message() << ")";
  } else {
    EXPECT_FALSE(ec) << what << ": " << ec.message();
  }
}

/// Sets `option` to each of `values` in turn with `set(value, ec)` and reads it back with
/// `get(ec)`: each read gives what was set, where this backend has the option; elsewhere both
/// report the expected error.
template <class Set, class Get, class... Values>
void expect_round_trip(Opt option, Set set, Get get, const Values&... values) {
  const auto set_error = expected_set_error(option);
  const auto get_error = expected_get_error(option);
  const auto one = [&](const auto& value) {
    const std::string what = std::string(name_of(option)) + " = " + describe(value);
    std::error_code ec = stale_error();
    set(value, ec);
    expect_outcome(ec, set_error, "set " + what);
    ec = stale_error();
    const auto read = get(ec);
    expect_outcome(ec, get_error, "get after set " + what);
    if (!set_error && !get_error) {
      EXPECT_TRUE(read == value) << name_of(option) << ": set " << describe(value) << ", read "
                                 << describe(read);
    }
  };
  (one(values), ...);
}

/// Sets `option` to `good`, then tries each of `bad`: every one is refused with invalid_argument
/// (not_supported where the backend lacks the option) and the option keeps what it read after
/// `good` (which the OS may have rounded, as it does buffer sizes).
template <class Set, class Get, class Good, class... Bad>
void expect_refused(Opt option, Set set, Get get, const Good& good, const Bad&... bad) {
  const auto set_error = expected_set_error(option);
  const auto get_error = expected_get_error(option);
  std::error_code ec = stale_error();
  set(good, ec);
  expect_outcome(ec, set_error, std::string("set ") + name_of(option) + " = " + describe(good));
  ec = stale_error();
  const auto before = get(ec);
  expect_outcome(ec, get_error, std::string("get ") + name_of(option));
  const auto one = [&](const auto& value) {
    const std::string what = std::string(name_of(option)) + " = " + describe(value);
    std::error_code bad_ec = stale_error();
    set(value, bad_ec);
    if (os_has(option)) {
      EXPECT_EQ(bad_ec, std::errc::invalid_argument)
          << "set " << what << " must be refused, not wrapped: " << bad_ec.message();
    } else {
      EXPECT_EQ(bad_ec, std::errc::not_supported) << "set " << what << ": " << bad_ec.message();
    }
    bad_ec = stale_error();
    const auto read = get(bad_ec);
    expect_outcome(bad_ec, get_error, "get after set " + what);
    if (!get_error) {
      EXPECT_TRUE(read == before) << "the refused " << what << " changed " << name_of(option)
                                  << " from " << describe(before) << " to " << describe(read);
    }
  };
  (one(bad), ...);
}

}  // namespace test

/// expect_round_trip of the option `option` (set_<option> / <option>) of `socket`.
// NOLINTNEXTLINE(cppcoreguidelines-macro-usage): builds both calls from the option's name
#define EXPECT_ROUND_TRIP(socket, option, ...)             \
  test::expect_round_trip(                                 \
      test::Opt::option,                                   \
      [&](const auto& value, std::error_code& option_ec) { \
        (socket).set_##option(value, option_ec);           \
      },                                                   \
      [&](std::error_code& option_ec) { return (socket).option(option_ec); }, __VA_ARGS__)

/// expect_refused of the option `option` of `socket`: `good`, then the bad values.
// NOLINTNEXTLINE(cppcoreguidelines-macro-usage): builds both calls from the option's name
#define EXPECT_REFUSED(socket, option, ...)                \
  test::expect_refused(                                    \
      test::Opt::option,                                   \
      [&](const auto& value, std::error_code& option_ec) { \
        (socket).set_##option(value, option_ec);           \
      },                                                   \
      [&](std::error_code& option_ec) { return (socket).option(option_ec); }, __VA_ARGS__)

namespace test {

/// Calls every option setter (with a value in range) and every option getter that `socket`'s type
/// has, expecting each to report `expected` (bad_file_descriptor on an empty socket), except an
/// option the backend lacks, which reports not_supported, and one the OS refuses in this run,
/// which may report that refusal instead (an OS may judge the option before the handle).
template <class Socket>
void expect_every_option_reports(Socket& socket, std::errc expected) {
  using namespace std::chrono_literals;
  const auto check = [expected](Opt option, const char* what, auto call) {
    std::error_code ec = stale_error();
    call(ec);
    if (!os_has(option)) {
      EXPECT_EQ(ec, std::errc::not_supported) << what << ": " << ec.message();
      return;
    }
    const auto refusal = expected_set_error(option);
    if (!(refusal && ec == *refusal)) {
      EXPECT_EQ(ec, expected) << what << ": " << ec.message();
    }
  };
// NOLINTNEXTLINE(cppcoreguidelines-macro-usage): both calls of one option, from its name
#define MIOCPP_TEST_OPTION(option, value)                                            \
  check(Opt::option, "set_" #option,                                                 \
        [&](std::error_code& option_ec) { socket.set_##option(value, option_ec); }); \
  check(Opt::option, #option, [&](std::error_code& option_ec) { (void)socket.option(option_ec); })

  MIOCPP_TEST_OPTION(send_buffer_size, std::size_t{65536});
  MIOCPP_TEST_OPTION(recv_buffer_size, std::size_t{65536});
  if constexpr (requires(std::error_code & ec) { socket.ttl(ec); }) {
    std::error_code ec = stale_error();
    (void)socket.local_addr(ec);
    EXPECT_EQ(ec, makes_ip_sockets ? expected : std::errc::not_supported)
        << "local_addr: " << ec.message();
    MIOCPP_TEST_OPTION(reuse_address, true);
    MIOCPP_TEST_OPTION(reuse_port, true);
    MIOCPP_TEST_OPTION(only_v6, true);
    MIOCPP_TEST_OPTION(ttl, 64U);
    MIOCPP_TEST_OPTION(unicast_hops_v6, 64U);
    MIOCPP_TEST_OPTION(tos, 0x10U);
    MIOCPP_TEST_OPTION(tclass_v6, 0x10U);
    MIOCPP_TEST_OPTION(bind_device, std::string_view("lo"));
    MIOCPP_TEST_OPTION(mark, 1U);
  }
  if constexpr (requires(std::error_code & ec) { socket.nodelay(ec); }) {
    MIOCPP_TEST_OPTION(nodelay, true);
    MIOCPP_TEST_OPTION(linger, std::optional(1s));
    MIOCPP_TEST_OPTION(keepalive, true);
    MIOCPP_TEST_OPTION(keepalive_idle, 60s);
    MIOCPP_TEST_OPTION(keepalive_interval, 10s);
    MIOCPP_TEST_OPTION(keepalive_retries, 5U);
    MIOCPP_TEST_OPTION(quickack, true);
    MIOCPP_TEST_OPTION(user_timeout, 1000ms);
    MIOCPP_TEST_OPTION(fastopen, 5U);
    MIOCPP_TEST_OPTION(fastopen_connect, true);
    MIOCPP_TEST_OPTION(cork, true);
  }
  if constexpr (requires(std::error_code & ec) { socket.multicast_hops_v6(ec); }) {
    MIOCPP_TEST_OPTION(multicast_hops_v6, 1U);
    MIOCPP_TEST_OPTION(multicast_if_v4, miocpp::net::Ipv4Addr::localhost());
    MIOCPP_TEST_OPTION(multicast_if_v6, 1U);
  }
#undef MIOCPP_TEST_OPTION
}

}  // namespace test
