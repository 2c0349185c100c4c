// SocketAddr to and from the POSIX sockaddr records (sys/posix/socket_addr.hpp, and the public
// net::to_sockaddr / net::from_sockaddr over it), both ways:
//   - arbitrary bytes as a sockaddr_storage with an arbitrary length: from_sockaddr reads the
//     first `length` bytes only (the result is the same whatever the bytes after them), gives
//     either a documented error or the address those bytes hold, and that address converts back;
//   - any SocketAddr -> sockaddr -> SocketAddr is the identity, and the record is the one the
//     socket API expects (checked with ntohs/ntohl, not with miocpp's byte swapping).
//
// Input: a 16-bit little-endian length, then the bytes of the sockaddr_storage (zeros after the
// end of the input). The same bytes also spell the SocketAddr of the second check (see
// address_from).
#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <system_error>

#include "support.hpp"
#include <miocpp/net/ip_addr.hpp>
#include <miocpp/net/sockaddr.hpp>
#include <miocpp/net/socket_addr.hpp>
#include <miocpp/sys/posix/socket_addr.hpp>

namespace {

using miocpp::net::Ipv4Addr;
using miocpp::net::Ipv6Addr;
using miocpp::net::SocketAddr;
using miocpp::sys::posix::RawSocketAddr;
using miocpp::sys::posix::SocketAddrs;

/// The socket API hands records over through sockaddr_storage; they are copied out byte by byte
/// because the storage holds no object of their type.
template <class Record>
Record record_in(const ::sockaddr_storage& storage) {
  Record record{};
  std::memcpy(&record, &storage, sizeof record);
  return record;
}

template <std::size_t Size, class Field>
std::array<std::uint8_t, Size> octets_of(const Field& field) {
  static_assert(sizeof(Field) == Size);
  std::array<std::uint8_t, Size> octets{};
  std::memcpy(octets.data(), &field, Size);
  return octets;
}

struct Converted {
  SocketAddr address;
  std::error_code ec;
  friend bool operator==(const Converted&, const Converted&) = default;
};

/// from_sockaddr through each of its entry points, which must agree.
Converted convert(const ::sockaddr_storage& storage, ::socklen_t length) {
  Converted result;
  result.address = SocketAddrs::from_sockaddr(storage, length, result.ec);
  Converted front;
  front.address = miocpp::net::from_sockaddr(storage, length, front.ec);
  MIOCPP_FUZZ_REQUIRE(front == result);
  RawSocketAddr raw;
  raw.storage = storage;
  raw.length = length;
  Converted common;
  common.address = miocpp::sys::common::from_raw(raw, common.ec);
  MIOCPP_FUZZ_REQUIRE(common == result);
  return result;
}

/// The record of `address` as to_sockaddr writes it: the right family, length and fields, read
/// back as the same address.
void check_record(const SocketAddr& address) {
  ::sockaddr_storage storage{};
  std::memset(&storage, 0xa5, sizeof storage);  // to_sockaddr must write all it hands over
  const ::socklen_t length = miocpp::net::to_sockaddr(address, storage);
  if (address.is_ipv4()) {
    MIOCPP_FUZZ_REQUIRE(length == sizeof(::sockaddr_in));
    const auto in = record_in<::sockaddr_in>(storage);
    MIOCPP_FUZZ_REQUIRE(in.sin_family == AF_INET);
    MIOCPP_FUZZ_REQUIRE(ntohs(in.sin_port) == address.port());
    MIOCPP_FUZZ_REQUIRE(octets_of<4>(in.sin_addr) == address.ip().v4()->octets());
    const std::array<unsigned char, sizeof in.sin_zero> zero{};
    MIOCPP_FUZZ_REQUIRE(std::memcmp(&in.sin_zero[0], zero.data(), zero.size()) == 0);
  } else {
    MIOCPP_FUZZ_REQUIRE(length == sizeof(::sockaddr_in6));
    const auto in6 = record_in<::sockaddr_in6>(storage);
    MIOCPP_FUZZ_REQUIRE(in6.sin6_family == AF_INET6);
    MIOCPP_FUZZ_REQUIRE(ntohs(in6.sin6_port) == address.port());
    MIOCPP_FUZZ_REQUIRE(ntohl(in6.sin6_flowinfo) == address.flowinfo());
    MIOCPP_FUZZ_REQUIRE(in6.sin6_scope_id == address.scope_id());
    MIOCPP_FUZZ_REQUIRE(octets_of<16>(in6.sin6_addr) == address.ip().v6()->octets());
  }
  // The record alone, and the record with room to spare (recvfrom's length is the record's,
  // but a caller may pass the storage's).
  MIOCPP_FUZZ_REQUIRE((convert(storage, length) == Converted{address, {}}));
  MIOCPP_FUZZ_REQUIRE((convert(storage, sizeof storage) == Converted{address, {}}));

  // The RawSocketAddr the socket calls use holds the same record.
  const RawSocketAddr raw(address);
  MIOCPP_FUZZ_REQUIRE(raw.length == length);
  MIOCPP_FUZZ_REQUIRE(std::memcmp(&raw.storage, &storage, length) == 0);
}

/// Arbitrary bytes as a record of `length` bytes.
void check_bytes(const ::sockaddr_storage& storage, ::socklen_t length) {
  const Converted result = convert(storage, length);

  // Nothing after the first `length` bytes counts.
  ::sockaddr_storage cut = storage;
  if (length < sizeof cut) {
    std::memset(reinterpret_cast<unsigned char*>(&cut) + length,  // NOLINT(*-reinterpret-cast)
                0, sizeof cut - length);
  }
  MIOCPP_FUZZ_REQUIRE(convert(cut, length) == result);

  if (result.ec) {
    MIOCPP_FUZZ_REQUIRE(result.address == SocketAddr());
    MIOCPP_FUZZ_REQUIRE(result.ec == std::errc::address_family_not_supported ||
                        result.ec == std::errc::invalid_argument);
    // Once the family is there to read, the error says what is wrong: another family, or a
    // record too short for its own.
    if (length >= offsetof(::sockaddr_storage, ss_family) + sizeof storage.ss_family) {
      const bool ip = storage.ss_family == AF_INET || storage.ss_family == AF_INET6;
      MIOCPP_FUZZ_REQUIRE(result.ec == (ip ? std::errc::invalid_argument
                                           : std::errc::address_family_not_supported));
    }
    return;
  }
  SocketAddr expected;
  if (storage.ss_family == AF_INET) {
    MIOCPP_FUZZ_REQUIRE(length >= sizeof(::sockaddr_in));
    const auto in = record_in<::sockaddr_in>(storage);
    expected = SocketAddr(Ipv4Addr(octets_of<4>(in.sin_addr)), ntohs(in.sin_port));
  } else {
    MIOCPP_FUZZ_REQUIRE(storage.ss_family == AF_INET6 && length >= sizeof(::sockaddr_in6));
    const auto in6 = record_in<::sockaddr_in6>(storage);
    expected = SocketAddr(Ipv6Addr(octets_of<16>(in6.sin6_addr)), ntohs(in6.sin6_port),
                          ntohl(in6.sin6_flowinfo), in6.sin6_scope_id);
  }
  MIOCPP_FUZZ_REQUIRE(result.address == expected);
  check_record(result.address);
}

/// A SocketAddr spelled by the bytes of `storage`, whatever they are: IPv6 when the length is
/// odd, the port from bytes 2-3, the IPv4 address from bytes 4-7, the IPv6 address from bytes
/// 8-23, the flow label from bytes 4-7 and the scope from bytes 24-27 (each as stored in
/// memory, so that a sockaddr_in6 spells much the same address).
SocketAddr address_from(const ::sockaddr_storage& storage, ::socklen_t length) {
  std::array<std::uint8_t, 28> bytes{};
  std::memcpy(bytes.data(), &storage, bytes.size());
  std::uint16_t port = 0;
  std::uint32_t flowinfo = 0;
  std::uint32_t scope_id = 0;
  std::memcpy(&port, &bytes[2], sizeof port);
  std::memcpy(&flowinfo, &bytes[4], sizeof flowinfo);
  std::memcpy(&scope_id, &bytes[24], sizeof scope_id);
  if (length % 2 == 0) {
    return {Ipv4Addr(bytes[4], bytes[5], bytes[6], bytes[7]), port};
  }
  std::array<std::uint8_t, 16> v6{};
  std::memcpy(v6.data(), &bytes[8], v6.size());
  return {Ipv6Addr(v6), port, flowinfo, scope_id};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  miocpp_fuzz::Input input(data, size);
  const ::socklen_t length = input.little_endian<std::uint16_t>();
  ::sockaddr_storage storage{};
  input.copy_to(&storage, sizeof storage);
  check_bytes(storage, length);
  check_record(address_from(storage, length));
  return 0;
}
