// net::SocketAddr to and from the sockaddr_in / sockaddr_in6 records, written once for every OS
// whose socket API has them (POSIX, Winsock): the OS only names its length type.
#pragma once

// The records and AF_ constants come from the OS's socket headers, which the including file
// (posix/socket_addr.hpp, windows/socket_addr.hpp) has included first.

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <system_error>
#include <utility>

#include "../../net/ip_addr.hpp"
#include "../../net/socket_addr.hpp"

namespace miocpp::sys::common {

/// The address records of the BSD socket API, which POSIX and Winsock share; only the type of a
/// record's length differs (socklen_t, int).
template <class LengthType>
struct BsdRecords {
  using Storage = ::sockaddr_storage;
  using Length = LengthType;
  using Sockaddr = ::sockaddr;
  using In = ::sockaddr_in;
  using In6 = ::sockaddr_in6;
  static constexpr int family_v4 = AF_INET;
  static constexpr int family_v6 = AF_INET6;
};

/// A sockaddr big enough for any family, with its length: what bind/connect/sendto take and
/// accept/recvfrom/getsockname fill. `Os` names the records as BsdRecords does: Storage
/// (sockaddr_storage), Length (socklen_t or int), Sockaddr, In (sockaddr_in), In6 (sockaddr_in6),
/// and the constants family_v4 and family_v6 (AF_INET, AF_INET6).
template <class Os>
struct RawSocketAddr {
  typename Os::Storage storage{};
  typename Os::Length length = static_cast<typename Os::Length>(sizeof(typename Os::Storage));

  /// Room for any family, to be filled.
  RawSocketAddr() noexcept = default;
  /// `address` as a sockaddr_in (IPv4) or a sockaddr_in6 (IPv6, with flow label and scope id).
  explicit RawSocketAddr(const net::SocketAddr& address) noexcept;

  // The socket API takes every address family through a sockaddr pointer.
  [[nodiscard]] const typename Os::Sockaddr* get() const noexcept {
    return reinterpret_cast<const typename Os::Sockaddr*>(&storage);  // NOLINT(*-reinterpret-cast)
  }
  [[nodiscard]] typename Os::Sockaddr* get() noexcept {
    return reinterpret_cast<typename Os::Sockaddr*>(&storage);  // NOLINT(*-reinterpret-cast)
  }
  [[nodiscard]] int family() const noexcept { return storage.ss_family; }
};

/// Host to network byte order and back (the same swap both ways).
template <class T>
constexpr T network_order(T value) noexcept {
  if constexpr (std::endian::native == std::endian::big) {
    return value;
  } else {
    const std::uint64_t host = value;
    std::uint64_t swapped = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i) {
      swapped = (swapped << 8U) | ((host >> (8U * i)) & 0xFFU);
    }
    return static_cast<T>(swapped);
  }
}

template <class Os>
RawSocketAddr<Os>::RawSocketAddr(const net::SocketAddr& address) noexcept {
  const auto store = [this](const auto& record) {
    std::memcpy(&storage, &record, sizeof record);
    length = static_cast<typename Os::Length>(sizeof record);
  };
  if (const auto v4 = address.ip().v4()) {
    typename Os::In in{};
    in.sin_family = Os::family_v4;
    in.sin_port = network_order(address.port());
    std::memcpy(&in.sin_addr, v4->octets().data(), 4);
    store(in);
  } else {
    typename Os::In6 in6{};
    in6.sin6_family = Os::family_v6;
    in6.sin6_port = network_order(address.port());
    in6.sin6_flowinfo = network_order(address.flowinfo());
    in6.sin6_scope_id = address.scope_id();
    std::memcpy(&in6.sin6_addr, address.ip().v6()->octets().data(), 16);
    store(in6);
  }
}

/// The `Record` at the start of `storage`, copied out: the storage is not a Record object.
template <class Record, class Storage>
Record load(const Storage& storage) noexcept {
  Record record{};
  std::memcpy(&record, &storage, sizeof record);
  return record;
}

/// The address bytes of an in_addr / in6_addr, in network order.
template <std::size_t Size, class Field>
std::array<std::uint8_t, Size> octets(const Field& field) noexcept {
  std::array<std::uint8_t, Size> bytes{};
  std::memcpy(bytes.data(), &field, Size);
  return bytes;
}

/// The IP address in the first `length` bytes of `storage` (only those are ever read), as the
/// kernel filled them; std::errc::address_family_not_supported for other families (a Unix
/// socket, say) and std::errc::invalid_argument for a truncated record -- one too short to hold
/// even its family included.
template <class Os>
net::SocketAddr from_storage(const typename Os::Storage& storage, typename Os::Length length,
                             std::error_code& ec) noexcept {
  const auto fits = [length](std::size_t size) {
    return std::cmp_greater_equal(length, size);  // a negative length (Winsock's int) fits nothing
  };
  constexpr std::size_t family_end =
      offsetof(typename Os::Storage, ss_family) + sizeof(typename Os::Storage{}.ss_family);
  if (!fits(family_end)) {
    ec = std::make_error_code(std::errc::invalid_argument);
    return {};
  }
  const int family = storage.ss_family;
  if (family == Os::family_v4 && fits(sizeof(typename Os::In))) {
    const auto in = load<typename Os::In>(storage);
    ec.clear();
    return {net::Ipv4Addr(octets<4>(in.sin_addr)),
            network_order(static_cast<std::uint16_t>(in.sin_port))};
  }
  if (family == Os::family_v6 && fits(sizeof(typename Os::In6))) {
    const auto in6 = load<typename Os::In6>(storage);
    ec.clear();
    return {net::Ipv6Addr(octets<16>(in6.sin6_addr)),
            network_order(static_cast<std::uint16_t>(in6.sin6_port)),
            network_order(static_cast<std::uint32_t>(in6.sin6_flowinfo)),
            static_cast<std::uint32_t>(in6.sin6_scope_id)};
  }
  ec = std::make_error_code(family == Os::family_v4 || family == Os::family_v6
                                ? std::errc::invalid_argument
                                : std::errc::address_family_not_supported);
  return {};
}

/// from_storage() of the record `raw`.
template <class Os>
net::SocketAddr from_raw(const RawSocketAddr<Os>& raw, std::error_code& ec) noexcept {
  return from_storage<Os>(raw.storage, raw.length, ec);
}

/// concepts::SocketAddrs over `Os`'s records: what net::to_sockaddr and net::from_sockaddr
/// expose.
template <class Os>
struct SocketAddrs {
  using Storage = typename Os::Storage;
  using Length = typename Os::Length;

  static Length to_sockaddr(const net::SocketAddr& address, Storage& storage) noexcept {
    const RawSocketAddr<Os> raw(address);
    storage = raw.storage;
    return raw.length;
  }
  static net::SocketAddr from_sockaddr(const Storage& storage, Length length,
                                       std::error_code& ec) noexcept {
    return from_storage<Os>(storage, length, ec);
  }
};

}  // namespace miocpp::sys::common
