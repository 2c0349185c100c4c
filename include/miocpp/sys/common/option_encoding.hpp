// How a socket option's typed value (bool, a count, a duration, an address) is stored in the C
// type an OS takes for it, written once for every socket API with setsockopt/getsockopt (POSIX,
// Winsock). Each OS's option table (its socket_options.hpp) names, per option tag, one of these
// encodings with the option's level and name, or Absent.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <system_error>
#include <type_traits>

#include "../../net/ip_addr.hpp"

namespace miocpp::sys::common::encoding {

// Every encoding is over `Os`, which gives: Handle (the socket handle), Int (the OS's integer for
// flags and counts: int, DWORD), and set<T>(handle, level, name, value, ec) /
// get<T>(handle, level, name, ec), which clear `ec` on success.

inline void refuse_value(std::error_code& ec) noexcept {
  ec = std::make_error_code(std::errc::invalid_argument);
}

/// On or off, stored as `Stored` (the OS's integer unless the option says otherwise). Read back,
/// any non-zero value is on (some flags read back as their bit), and the value is read into a
/// zeroed one: Windows answers some flags in a single byte.
template <class Os, int Level, int Name, class Stored = typename Os::Int>
struct Flag {
  static void set(typename Os::Handle socket, bool on, std::error_code& ec) noexcept {
    Os::set(socket, Level, Name, static_cast<Stored>(on ? 1 : 0), ec);
  }
  static bool get(typename Os::Handle socket, std::error_code& ec) noexcept {
    return Os::template get<Stored>(socket, Level, Name, ec) != 0;
  }
};

/// An unsigned `Value` from Min to Max stored as `Stored` (the OS's integer unless the option
/// says otherwise). A value outside is std::errc::invalid_argument before the OS sees it: cast
/// down, it would wrap into another meaning (-1 is "the default" to several options).
template <class Os, int Level, int Name, class Value, std::uint64_t Min, std::uint64_t Max,
          class Stored = typename Os::Int>
struct Number {
  static_assert(std::is_unsigned_v<Value>);
  static_assert(Max <= static_cast<std::uint64_t>(std::numeric_limits<Stored>::max()));

  static void set(typename Os::Handle socket, Value value, std::error_code& ec) noexcept {
    if (value < Min || value > Max) {
      refuse_value(ec);
      return;
    }
    Os::set(socket, Level, Name, static_cast<Stored>(value), ec);
  }
  static Value get(typename Os::Handle socket, std::error_code& ec) noexcept {
    const Stored stored = Os::template get<Stored>(socket, Level, Name, ec);
    if constexpr (std::is_signed_v<Stored>) {
      if (stored < 0) {
        return 0;  // never reported by the options here; not wrapped into a huge count
      }
    }
    return static_cast<Value>(stored);
  }
};

/// A std::chrono `Duration` of Min to Max ticks stored as a count of them (seconds for the
/// keep-alive times, milliseconds for TCP_USER_TIMEOUT). Negative or too long is
/// std::errc::invalid_argument.
template <class Os, int Level, int Name, class Duration, std::int64_t Min, std::int64_t Max,
          class Stored = typename Os::Int>
struct Span {
  static_assert(Min >= 0 && Max <= static_cast<std::int64_t>(std::numeric_limits<Stored>::max()));

  static void set(typename Os::Handle socket, Duration value, std::error_code& ec) noexcept {
    if (value.count() < Min || value.count() > Max) {
      refuse_value(ec);
      return;
    }
    Os::set(socket, Level, Name, static_cast<Stored>(value.count()), ec);
  }
  static Duration get(typename Os::Handle socket, std::error_code& ec) noexcept {
    const Stored stored = Os::template get<Stored>(socket, Level, Name, ec);
    if constexpr (std::is_signed_v<Stored>) {
      if (stored < 0) {
        return Duration::zero();
      }
    }
    return Duration(static_cast<typename Duration::rep>(stored));
  }
};

/// SO_LINGER in the OS's record `Record` (l_onoff, l_linger): nullopt is off; a time up to Max
/// seconds is on with that time. Negative or longer is std::errc::invalid_argument.
template <class Os, class Record, int Level, int Name, std::int64_t Max>
struct LingerRecord {
  using Value = std::optional<std::chrono::seconds>;
  using Time = decltype(Record{}.l_linger);
  static_assert(Max <= static_cast<std::int64_t>(std::numeric_limits<Time>::max()));

  static void set(typename Os::Handle socket, const Value& value, std::error_code& ec) noexcept {
    if (value && (value->count() < 0 || value->count() > Max)) {
      refuse_value(ec);
      return;
    }
    Record record{};
    record.l_onoff = value ? 1 : 0;
    record.l_linger = value ? static_cast<Time>(value->count()) : Time{0};
    Os::set(socket, Level, Name, record, ec);
  }
  static Value get(typename Os::Handle socket, std::error_code& ec) noexcept {
    const auto record = Os::template get<Record>(socket, Level, Name, ec);
    if (ec || record.l_onoff == 0) {
      return std::nullopt;
    }
    return std::chrono::seconds(record.l_linger);
  }
};

/// An IPv4 interface address stored as the OS's `InAddr` (IP_MULTICAST_IF).
template <class Os, class InAddr, int Level, int Name>
struct Ipv4Address {
  static_assert(sizeof(InAddr) == 4);

  static void set(typename Os::Handle socket, const net::Ipv4Addr& address,
                  std::error_code& ec) noexcept {
    InAddr stored{};
    std::memcpy(&stored, address.octets().data(), 4);
    Os::set(socket, Level, Name, stored, ec);
  }
  static net::Ipv4Addr get(typename Os::Handle socket, std::error_code& ec) noexcept {
    const InAddr stored = Os::template get<InAddr>(socket, Level, Name, ec);
    std::array<std::uint8_t, 4> octets{};
    std::memcpy(octets.data(), &stored, 4);
    return net::Ipv4Addr(octets);
  }
};

/// A switch each IP family names on its own (IP_PKTINFO and IPV6_RECVPKTINFO, say), as encodings
/// `V6` and `V4` of one value. An IPv6 socket takes the IPv6 one, and the IPv4 one too where the
/// OS lets it, for the IPv4 traffic a dual-stack socket receives (best effort: that answer is not
/// reported); an IPv4 socket refuses the IPv6 one and takes the IPv4 one. The IPv6 level's answer
/// tells the family, so no address lookup is needed. Read back, the IPv6 one where it answers.
template <class V6, class V4>
struct PerFamily {
  template <class Handle, class Value>
  static void set(Handle socket, const Value& value, std::error_code& ec) noexcept {
    V6::set(socket, value, ec);
    if (!ec) {
      std::error_code mapped_traffic;
      V4::set(socket, value, mapped_traffic);
      return;
    }
    V4::set(socket, value, ec);
  }
  template <class Handle>
  static auto get(Handle socket, std::error_code& ec) noexcept {
    const auto value = V6::get(socket, ec);
    return ec ? V4::get(socket, ec) : value;
  }
};

/// An option the OS lacks: both calls are std::errc::not_supported, never a silent no-op.
template <class Handle, class Tag>
struct Absent {
  static void set(Handle /*socket*/, const typename Tag::set_type& /*value*/,
                  std::error_code& ec) noexcept {
    ec = std::make_error_code(std::errc::not_supported);
  }
  static typename Tag::type get(Handle /*socket*/, std::error_code& ec) noexcept {
    ec = std::make_error_code(std::errc::not_supported);
    return typename Tag::type{};
  }
};

/// concepts::SocketOptions over an OS's table, where `Table<Tag>` is the encoding of the option
/// `Tag`. An option without an entry does not compile (the concept names which list it misses).
template <template <class> class Table, class Handle>
struct OptionCalls {
  template <class Tag>
  requires requires { sizeof(Table<Tag>); }
  static void set(Handle socket, Tag /*option*/, const typename Tag::set_type& value,
                  std::error_code& ec) noexcept {
    Table<Tag>::set(socket, value, ec);
  }
  template <class Tag>
  requires requires { sizeof(Table<Tag>); }
  static typename Tag::type get(Handle socket, Tag /*option*/, std::error_code& ec) noexcept {
    return Table<Tag>::get(socket, ec);
  }
};

}  // namespace miocpp::sys::common::encoding
