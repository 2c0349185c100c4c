// net::SocketAddr to and from the sockaddr structures of Winsock (lengths are ints there).
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <system_error>

#include "../../net/socket_addr.hpp"
#include "windows.hpp"

namespace miocpp::sys::windows {

/// A sockaddr big enough for any family, with its length: what bind/connect/sendto take and
/// accept/recvfrom/getsockname fill.
struct RawSocketAddr {
  ::sockaddr_storage storage{};
  int length = static_cast<int>(sizeof(::sockaddr_storage));

  // The socket API takes every address family through a sockaddr pointer.
  [[nodiscard]] const ::sockaddr* get() const noexcept {
    return reinterpret_cast<const ::sockaddr*>(&storage);  // NOLINT(*-reinterpret-cast)
  }
  [[nodiscard]] ::sockaddr* get() noexcept {
    return reinterpret_cast<::sockaddr*>(&storage);  // NOLINT(*-reinterpret-cast)
  }
  [[nodiscard]] int family() const noexcept { return storage.ss_family; }
};

inline RawSocketAddr to_raw(const net::SocketAddr& address) noexcept {
  RawSocketAddr raw;
  if (const auto v4 = address.ip().v4()) {
    ::sockaddr_in in{};
    in.sin_family = AF_INET;
    in.sin_port = ::htons(address.port());
    std::memcpy(&in.sin_addr, v4->octets().data(), 4);
    std::memcpy(&raw.storage, &in, sizeof in);
    raw.length = static_cast<int>(sizeof in);
  } else {
    ::sockaddr_in6 in6{};
    in6.sin6_family = AF_INET6;
    in6.sin6_port = ::htons(address.port());
    in6.sin6_flowinfo = ::htonl(address.flowinfo());
    in6.sin6_scope_id = address.scope_id();
    std::memcpy(&in6.sin6_addr, address.ip().v6()->octets().data(), 16);
    std::memcpy(&raw.storage, &in6, sizeof in6);
    raw.length = static_cast<int>(sizeof in6);
  }
  return raw;
}

/// The IP address in `raw`; std::errc::address_family_not_supported for other families and
/// std::errc::invalid_argument for a truncated record.
inline net::SocketAddr from_raw(const RawSocketAddr& raw, std::error_code& ec) noexcept {
  if (raw.family() == AF_INET) {
    if (raw.length < static_cast<int>(sizeof(::sockaddr_in))) {
      ec = std::make_error_code(std::errc::invalid_argument);
      return {};
    }
    ::sockaddr_in in{};
    std::memcpy(&in, &raw.storage, sizeof in);
    std::array<std::uint8_t, 4> octets{};
    std::memcpy(octets.data(), &in.sin_addr, 4);
    ec.clear();
    return {net::Ipv4Addr(octets), ::ntohs(in.sin_port)};
  }
  if (raw.family() == AF_INET6) {
    if (raw.length < static_cast<int>(sizeof(::sockaddr_in6))) {
      ec = std::make_error_code(std::errc::invalid_argument);
      return {};
    }
    ::sockaddr_in6 in6{};
    std::memcpy(&in6, &raw.storage, sizeof in6);
    std::array<std::uint8_t, 16> octets{};
    std::memcpy(octets.data(), &in6.sin6_addr, 16);
    ec.clear();
    return {net::Ipv6Addr(octets), ::ntohs(in6.sin6_port), ::ntohl(in6.sin6_flowinfo),
            static_cast<std::uint32_t>(in6.sin6_scope_id)};
  }
  ec = std::make_error_code(std::errc::address_family_not_supported);
  return {};
}

}  // namespace miocpp::sys::windows
