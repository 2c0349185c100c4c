// TcpSocketBase: the TCP options TcpSocket, TcpListener and TcpStream share -- Nagle, linger,
// keep-alive, and the Linux and BSD extras (quick ACK, user timeout, fast open, cork).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <system_error>

#include "../sys/option.hpp"
#include "ip_socket_base.hpp"

namespace miocpp::net {

/// The base of TcpSocket, TcpListener and TcpStream. Set on a listener, most options are
/// inherited by the connections it accepts (Linux, the BSDs); set them on each TcpStream where
/// it must hold everywhere.
class TcpSocketBase : public IpSocketBase {
 public:
  using IpSocketBase::IpSocketBase;

  /// TCP_NODELAY: send small segments at once instead of coalescing them (Nagle's algorithm).
  void set_nodelay(bool nodelay, std::error_code& ec) noexcept {
    set_option<sys::option::Nodelay>(nodelay, ec);
  }
  /// Whether TCP_NODELAY is set (off by default).
  [[nodiscard]] bool nodelay(std::error_code& ec) const noexcept {
    return option<sys::option::Nodelay>(ec);
  }

  /// SO_LINGER: what closing does with data not yet sent. std::nullopt (the default): close
  /// returns at once and the OS keeps sending in the background. A duration of 0: close drops
  /// what is unsent and resets the connection (the peer reads `std::errc::connection_reset`),
  /// which is how a server gets rid of an abusive client without TIME_WAIT. A longer duration
  /// makes close wait up to that long for the peer to acknowledge the rest; Linux waits even on a
  /// non-blocking socket, so the destructor blocks: keep it out of an event loop. Negative, or
  /// more than the OS holds (INT_MAX seconds; 65,535 on Windows), is
  /// `std::errc::invalid_argument`.
  void set_linger(std::optional<std::chrono::seconds> linger, std::error_code& ec) noexcept {
    set_option<sys::option::Linger>(linger, ec);
  }
  /// SO_LINGER: std::nullopt when off (the default), else the time.
  [[nodiscard]] std::optional<std::chrono::seconds> linger(std::error_code& ec) const noexcept {
    return option<sys::option::Linger>(ec);
  }

  /// SO_KEEPALIVE: probe an idle connection, so a peer that vanished (power loss, a dropped
  /// route) ends in an error event instead of never. The times are keepalive_idle and
  /// keepalive_interval, the count keepalive_retries.
  void set_keepalive(bool on, std::error_code& ec) noexcept {
    set_option<sys::option::Keepalive>(on, ec);
  }
  /// Whether SO_KEEPALIVE is set (off by default).
  [[nodiscard]] bool keepalive(std::error_code& ec) const noexcept {
    return option<sys::option::Keepalive>(ec);
  }

  /// TCP_KEEPIDLE (TCP_KEEPALIVE on Apple systems): how long the connection is idle before the
  /// first probe. At least 1 s; 0, negative or above INT_MAX seconds is
  /// `std::errc::invalid_argument` (Linux itself refuses more than 32,767 s).
  void set_keepalive_idle(std::chrono::seconds idle, std::error_code& ec) noexcept {
    set_option<sys::option::KeepaliveIdle>(idle, ec);
  }
  /// The idle time before the first keep-alive probe (Linux: 7,200 s by default).
  [[nodiscard]] std::chrono::seconds keepalive_idle(std::error_code& ec) const noexcept {
    return option<sys::option::KeepaliveIdle>(ec);
  }

  /// TCP_KEEPINTVL: the time between unanswered probes; the same bounds as keepalive_idle.
  void set_keepalive_interval(std::chrono::seconds interval, std::error_code& ec) noexcept {
    set_option<sys::option::KeepaliveInterval>(interval, ec);
  }
  /// The time between keep-alive probes (Linux: 75 s by default).
  [[nodiscard]] std::chrono::seconds keepalive_interval(std::error_code& ec) const noexcept {
    return option<sys::option::KeepaliveInterval>(ec);
  }

  /// TCP_KEEPCNT: how many probes go unanswered before the connection is dropped. 0 is
  /// `std::errc::invalid_argument` (Linux itself refuses more than 127).
  void set_keepalive_retries(std::uint32_t retries, std::error_code& ec) noexcept {
    set_option<sys::option::KeepaliveRetries>(retries, ec);
  }
  /// The unanswered probes before the connection is dropped (Linux: 9 by default).
  [[nodiscard]] std::uint32_t keepalive_retries(std::error_code& ec) const noexcept {
    return option<sys::option::KeepaliveRetries>(ec);
  }

  /// TCP_QUICKACK (Linux): acknowledge at once rather than delay the ACK. The kernel clears it
  /// again by itself, so a server that wants it sets it after each read.
  void set_quickack(bool on, std::error_code& ec) noexcept {
    set_option<sys::option::Quickack>(on, ec);
  }
  /// Whether TCP_QUICKACK is on now.
  [[nodiscard]] bool quickack(std::error_code& ec) const noexcept {
    return option<sys::option::Quickack>(ec);
  }

  /// TCP_USER_TIMEOUT (Linux): how long sent data may stay unacknowledged before the connection
  /// is dropped (an error event); 0 is the system's own rule. Counted in milliseconds; negative or
  /// above INT_MAX ms is `std::errc::invalid_argument`.
  void set_user_timeout(std::chrono::milliseconds timeout, std::error_code& ec) noexcept {
    set_option<sys::option::UserTimeout>(timeout, ec);
  }
  /// TCP_USER_TIMEOUT as set (0: the system's rule).
  [[nodiscard]] std::chrono::milliseconds user_timeout(std::error_code& ec) const noexcept {
    return option<sys::option::UserTimeout>(ec);
  }

  /// TCP_FASTOPEN on a socket about to listen (Linux, FreeBSD): accept data carried by the SYN of
  /// returning clients, keeping at most `queue_length` such connections pending; 0 turns it off.
  /// FreeBSD reads any non-zero length as on; Linux caps the length at net.core.somaxconn, so
  /// the getter may report less than was set. Elsewhere `std::errc::not_supported`.
  void set_fastopen(std::uint32_t queue_length, std::error_code& ec) noexcept {
    set_option<sys::option::Fastopen>(queue_length, ec);
  }
  /// The fast-open queue length (0: off).
  [[nodiscard]] std::uint32_t fastopen(std::error_code& ec) const noexcept {
    return option<sys::option::Fastopen>(ec);
  }

  /// TCP_FASTOPEN_CONNECT (Linux): a client's connect waits for the first write and sends it
  /// with the SYN when the server allows it. Set it before TcpSocket::connect.
  void set_fastopen_connect(bool on, std::error_code& ec) noexcept {
    set_option<sys::option::FastopenConnect>(on, ec);
  }
  /// Whether TCP_FASTOPEN_CONNECT is set.
  [[nodiscard]] bool fastopen_connect(std::error_code& ec) const noexcept {
    return option<sys::option::FastopenConnect>(ec);
  }

  /// TCP_CORK (Linux) or TCP_NOPUSH (BSDs, Apple systems): hold partial segments back until the
  /// option is cleared (or, on Linux, for at most 200 ms), to send a header and a body in full
  /// segments. Windows has neither: `std::errc::not_supported`.
  void set_cork(bool on, std::error_code& ec) noexcept { set_option<sys::option::Cork>(on, ec); }
  /// Whether TCP_CORK (TCP_NOPUSH) is set.
  [[nodiscard]] bool cork(std::error_code& ec) const noexcept {
    return option<sys::option::Cork>(ec);
  }

#if MIOCPP_HAS_EXCEPTIONS
  /// \name Throwing overloads
  /// Only where exceptions are enabled (MIOCPP_HAS_EXCEPTIONS).
  /// @{

  /// The call of the same name without `ec`: throws `std::system_error` carrying the code that
  /// overload reports.
  void set_nodelay(bool nodelay) {
    set_option_or_throw<sys::option::Nodelay>("miocpp::net::set_nodelay", nodelay);
  }
  [[nodiscard]] bool nodelay() const {
    return option_or_throw<sys::option::Nodelay>("miocpp::net::nodelay");
  }
  void set_linger(std::optional<std::chrono::seconds> linger) {
    set_option_or_throw<sys::option::Linger>("miocpp::net::set_linger", linger);
  }
  [[nodiscard]] std::optional<std::chrono::seconds> linger() const {
    return option_or_throw<sys::option::Linger>("miocpp::net::linger");
  }
  void set_keepalive(bool on) {
    set_option_or_throw<sys::option::Keepalive>("miocpp::net::set_keepalive", on);
  }
  [[nodiscard]] bool keepalive() const {
    return option_or_throw<sys::option::Keepalive>("miocpp::net::keepalive");
  }
  void set_keepalive_idle(std::chrono::seconds idle) {
    set_option_or_throw<sys::option::KeepaliveIdle>("miocpp::net::set_keepalive_idle", idle);
  }
  [[nodiscard]] std::chrono::seconds keepalive_idle() const {
    return option_or_throw<sys::option::KeepaliveIdle>("miocpp::net::keepalive_idle");
  }
  void set_keepalive_interval(std::chrono::seconds interval) {
    set_option_or_throw<sys::option::KeepaliveInterval>("miocpp::net::set_keepalive_interval",
                                                        interval);
  }
  [[nodiscard]] std::chrono::seconds keepalive_interval() const {
    return option_or_throw<sys::option::KeepaliveInterval>("miocpp::net::keepalive_interval");
  }
  void set_keepalive_retries(std::uint32_t retries) {
    set_option_or_throw<sys::option::KeepaliveRetries>("miocpp::net::set_keepalive_retries",
                                                       retries);
  }
  [[nodiscard]] std::uint32_t keepalive_retries() const {
    return option_or_throw<sys::option::KeepaliveRetries>("miocpp::net::keepalive_retries");
  }
  void set_quickack(bool on) {
    set_option_or_throw<sys::option::Quickack>("miocpp::net::set_quickack", on);
  }
  [[nodiscard]] bool quickack() const {
    return option_or_throw<sys::option::Quickack>("miocpp::net::quickack");
  }
  void set_user_timeout(std::chrono::milliseconds timeout) {
    set_option_or_throw<sys::option::UserTimeout>("miocpp::net::set_user_timeout", timeout);
  }
  [[nodiscard]] std::chrono::milliseconds user_timeout() const {
    return option_or_throw<sys::option::UserTimeout>("miocpp::net::user_timeout");
  }
  void set_fastopen(std::uint32_t queue_length) {
    set_option_or_throw<sys::option::Fastopen>("miocpp::net::set_fastopen", queue_length);
  }
  [[nodiscard]] std::uint32_t fastopen() const {
    return option_or_throw<sys::option::Fastopen>("miocpp::net::fastopen");
  }
  void set_fastopen_connect(bool on) {
    set_option_or_throw<sys::option::FastopenConnect>("miocpp::net::set_fastopen_connect", on);
  }
  [[nodiscard]] bool fastopen_connect() const {
    return option_or_throw<sys::option::FastopenConnect>("miocpp::net::fastopen_connect");
  }
  void set_cork(bool on) {
    set_option_or_throw<sys::option::Cork>("miocpp::net::set_cork", on);
  }
  [[nodiscard]] bool cork() const {
    return option_or_throw<sys::option::Cork>("miocpp::net::cork");
  }
  /// @}
#endif
};

}  // namespace miocpp::net
