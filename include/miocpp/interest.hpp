// Interest: the readiness a registration asks for.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>

namespace miocpp {

/// A non-empty set of readiness kinds to watch for. Combine with `|` or `add`.
///
/// `readable` and `writable` work everywhere. `priority` (out-of-band data, EPOLLPRI) is Linux
/// only, `aio` and `lio` (EVFILT_AIO / EVFILT_LIO) exist only on BSD-family kqueue; they can be
/// named on every platform, and registering them where the backend cannot watch them reports
/// `std::errc::not_supported`.
///
/// An Interest is what a registration asks for; the Event reports what happened, which may be
/// more: errors and closed halves (Event::is_error, Event::is_read_closed,
/// Event::is_write_closed) are reported whatever the interest.
class Interest {
 public:
  /// Readiness to read: data (or a connection to accept) is there, or the other side closed.
  /// Every backend.
  static const Interest readable;
  /// Readiness to write: there is room in the send buffer, or a non-blocking connect finished.
  /// Every backend.
  static const Interest writable;
  /// Completion of POSIX AIO requests (kqueue's EVFILT_AIO: FreeBSD, macOS). Elsewhere
  /// registering it reports `std::errc::not_supported`.
  static const Interest aio;
  /// Completion of a lio_listio batch (kqueue's EVFILT_LIO: FreeBSD). Elsewhere registering it
  /// reports `std::errc::not_supported`.
  static const Interest lio;
  /// Out-of-band / priority data (EPOLLPRI with epoll, POLLPRI with poll(2)). kqueue, Windows and
  /// WASI report `std::errc::not_supported` when it is registered.
  static const Interest priority;

  /// The union of both sets.
  [[nodiscard]] constexpr Interest add(Interest other) const noexcept {
    return Interest(static_cast<std::uint8_t>(bits_ | other.bits_));
  }

  /// This set without `other`, or nullopt if nothing would remain (an Interest is never empty).
  [[nodiscard]] constexpr std::optional<Interest> remove(Interest other) const noexcept {
    const auto rest = static_cast<std::uint8_t>(bits_ & ~other.bits_);
    if (rest == 0) {
      return std::nullopt;
    }
    return Interest(rest);
  }

  /// Whether the set holds #readable.
  [[nodiscard]] constexpr bool is_readable() const noexcept { return (bits_ & readable_bit) != 0; }
  /// Whether the set holds #writable.
  [[nodiscard]] constexpr bool is_writable() const noexcept { return (bits_ & writable_bit) != 0; }
  /// Whether the set holds #aio.
  [[nodiscard]] constexpr bool is_aio() const noexcept { return (bits_ & aio_bit) != 0; }
  /// Whether the set holds #lio.
  [[nodiscard]] constexpr bool is_lio() const noexcept { return (bits_ & lio_bit) != 0; }
  /// Whether the set holds #priority.
  [[nodiscard]] constexpr bool is_priority() const noexcept { return (bits_ & priority_bit) != 0; }

  /// The union of both sets: `Interest::readable | Interest::writable`.
  friend constexpr Interest operator|(Interest lhs, Interest rhs) noexcept { return lhs.add(rhs); }
  /// Adds `other` to this set.
  constexpr Interest& operator|=(Interest other) noexcept { return *this = add(other); }
  /// Sets are equal when they hold the same kinds.
  friend constexpr bool operator==(Interest, Interest) noexcept = default;

  /// Prints the set as `READABLE | WRITABLE`.
  friend std::ostream& operator<<(std::ostream& os, Interest interest) {
    const char* separator = "";
    const auto put = [&](bool set, const char* name) {
      if (set) {
        os << separator << name;
        separator = " | ";
      }
    };
    put(interest.is_readable(), "READABLE");
    put(interest.is_writable(), "WRITABLE");
    put(interest.is_priority(), "PRIORITY");
    put(interest.is_aio(), "AIO");
    put(interest.is_lio(), "LIO");
    return os;
  }

 private:
  static constexpr std::uint8_t readable_bit = 1U << 0U;
  static constexpr std::uint8_t writable_bit = 1U << 1U;
  static constexpr std::uint8_t aio_bit = 1U << 2U;
  static constexpr std::uint8_t lio_bit = 1U << 3U;
  static constexpr std::uint8_t priority_bit = 1U << 4U;

  constexpr explicit Interest(std::uint8_t bits) noexcept : bits_(bits) {}

  std::uint8_t bits_;
};

inline constexpr Interest Interest::readable{Interest::readable_bit};
inline constexpr Interest Interest::writable{Interest::writable_bit};
inline constexpr Interest Interest::aio{Interest::aio_bit};
inline constexpr Interest Interest::lio{Interest::lio_bit};
inline constexpr Interest Interest::priority{Interest::priority_bit};

}  // namespace miocpp
