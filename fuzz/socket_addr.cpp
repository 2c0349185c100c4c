// SocketAddr::parse against the grammar its documentation gives, with inet_pton deciding the
// address parts: `a.b.c.d:port`, `[ipv6]:port` or `[ipv6%scope]:port`, a port of decimal digits
// (leading zeros allowed) up to 65535, a scope of decimal digits up to 2^32 - 1, nothing else.
// Accepted text round-trips through to_string; refused text gives std::errc::invalid_argument
// and the default address.
//
// The input is the text to parse.
#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "support.hpp"
#include <miocpp/config.hpp>
#include <miocpp/net/ip_addr.hpp>
#include <miocpp/net/socket_addr.hpp>

namespace {

using miocpp::net::Ipv4Addr;
using miocpp::net::Ipv6Addr;
using miocpp::net::SocketAddr;
using miocpp_fuzz::libc_parse;

/// Decimal digits only, any number of them, with a value of at most `max`.
std::optional<std::uint32_t> decimal(std::string_view text, std::uint32_t max) {
  if (text.empty()) {
    return std::nullopt;
  }
  std::uint64_t value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') {
      return std::nullopt;
    }
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
    if (value > max) {
      return std::nullopt;
    }
  }
  return static_cast<std::uint32_t>(value);
}

/// The address `text` spells, if it spells one. A port holds no colon, so the last colon is the
/// one before the port.
std::optional<SocketAddr> expected_address(const std::string& text) {
  const std::size_t colon = text.rfind(':');
  if (colon == std::string::npos) {
    return std::nullopt;
  }
  const auto port = decimal(std::string_view(text).substr(colon + 1), 0xffff);
  if (!port) {
    return std::nullopt;
  }
  const std::string host = text.substr(0, colon);
  const auto port16 = static_cast<std::uint16_t>(*port);
  if (host.empty() || host.front() != '[') {
    std::array<std::uint8_t, 4> v4{};
    if (!libc_parse(AF_INET, host, v4)) {
      return std::nullopt;
    }
    return SocketAddr(Ipv4Addr(v4), port16);
  }
  if (host.size() < 2 || host.back() != ']') {
    return std::nullopt;
  }
  std::string inside = host.substr(1, host.size() - 2);
  std::uint32_t scope = 0;
  if (const std::size_t percent = inside.find('%'); percent != std::string::npos) {
    const auto parsed = decimal(std::string_view(inside).substr(percent + 1), 0xffffffff);
    if (!parsed) {
      return std::nullopt;
    }
    scope = *parsed;
    inside.resize(percent);
  }
  std::array<std::uint8_t, 16> v6{};
  if (!libc_parse(AF_INET6, inside, v6)) {
    return std::nullopt;
  }
  return SocketAddr(Ipv6Addr(v6), port16, 0, scope);
}

/// The documented text form: the address's own text, IPv6 in brackets with a non-zero scope.
std::string expected_text(const SocketAddr& address) {
  const std::string port = std::to_string(address.port());
  if (address.is_ipv4()) {
    return address.ip().to_string() + ':' + port;
  }
  std::string text = '[' + address.ip().to_string();
  if (address.scope_id() != 0) {
    text += '%' + std::to_string(address.scope_id());
  }
  return text + "]:" + port;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text = miocpp_fuzz::text_of(data, size);
  const std::optional<SocketAddr> expected = expected_address(text);
  std::error_code ec;
  const SocketAddr parsed = SocketAddr::parse(text, ec);
  MIOCPP_FUZZ_REQUIRE(!ec == expected.has_value());
  if (ec) {
    MIOCPP_FUZZ_REQUIRE(ec == std::errc::invalid_argument);
    MIOCPP_FUZZ_REQUIRE(parsed == SocketAddr());
  } else {
    MIOCPP_FUZZ_REQUIRE(parsed == *expected);
    MIOCPP_FUZZ_REQUIRE(parsed.is_ipv4() != parsed.is_ipv6());
    MIOCPP_FUZZ_REQUIRE(parsed.flowinfo() == 0);
    MIOCPP_FUZZ_REQUIRE(!parsed.is_ipv4() || parsed.scope_id() == 0);

    const std::string printed = parsed.to_string();
    MIOCPP_FUZZ_REQUIRE(printed == expected_text(parsed));
    std::error_code again_ec;
    const SocketAddr again = SocketAddr::parse(printed, again_ec);
    MIOCPP_FUZZ_REQUIRE(!again_ec && again == parsed);
    MIOCPP_FUZZ_REQUIRE(again.to_string() == printed);
    MIOCPP_FUZZ_REQUIRE(std::hash<SocketAddr>{}(again) == std::hash<SocketAddr>{}(parsed));
  }
#if MIOCPP_HAS_EXCEPTIONS
  // The throwing overload throws exactly what the other one reports.
  try {
    MIOCPP_FUZZ_REQUIRE(SocketAddr::parse(text) == parsed);
    MIOCPP_FUZZ_REQUIRE(!ec);
  } catch (const std::system_error& error) {
    MIOCPP_FUZZ_REQUIRE(error.code() == ec);
  }
#endif
  return 0;
}
