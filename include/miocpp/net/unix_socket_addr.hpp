// UnixSocketAddr: the address of a Unix-domain socket (a path, an abstract name, or none).
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <system_error>

#include "../config.hpp"
#include "../detail/throw_error.hpp"

namespace miocpp::net {

/// The address of a Unix-domain socket. It is one of three kinds:
///   - a pathname: the socket is a file in the file system (`/run/app.sock`);
///   - an abstract name (Linux only): a name in a namespace of its own, never on disk, that
///     disappears with the last socket bound to it;
///   - unnamed: a socket that was never bound, such as either end of pair(), an unbound()
///     datagram socket or the client end of a connection (accept's peer address).
///
/// A plain value (no OS handle, no allocation): the bytes of the name and its kind. Conversion to
/// the OS's sockaddr_un happens when a socket is bound, connected or sent to.
class UnixSocketAddr {
 public:
  /// The longest pathname (in bytes) this type holds: all 108 bytes of Linux's sun_path, which
  /// a pathname may fill with no terminating NUL. Every address the kernel reports (a peer from
  /// accept or recv_from, getsockname, getpeername) therefore fits. Systems with a shorter
  /// sun_path (104 bytes on the BSDs and macOS) report a path that does not fit theirs as
  /// std::errc::filename_too_long when it is bound, connected or sent to.
  static constexpr std::size_t max_length = 108;

  /// The longest abstract name: sun_path less its leading NUL.
  static constexpr std::size_t max_abstract_length = max_length - 1;

  /// Whether this system has the abstract namespace (Linux and Android).
  static constexpr bool has_abstract_names = MIOCPP_OS_LINUX == 1;

  /// Unnamed.
  constexpr UnixSocketAddr() noexcept = default;

  /// A pathname address. `path` must not be empty and must not contain a NUL byte
  /// (std::errc::invalid_argument); longer than max_length is std::errc::filename_too_long:
  /// it is never cut short. A relative path is resolved against the working directory of the
  /// process at the time of the bind or connect.
  static UnixSocketAddr from_pathname(std::string_view path, std::error_code& ec) noexcept {
    if (path.empty() || path.find('\0') != std::string_view::npos) {
      ec = std::make_error_code(std::errc::invalid_argument);
      return {};
    }
    return make(Kind::pathname, path, max_length, ec);
  }

  /// An address in Linux's abstract namespace; `name` is the name without the leading NUL and
  /// may hold any bytes (NULs too). Longer than max_abstract_length is
  /// std::errc::filename_too_long;
  /// on systems without the abstract namespace the result is std::errc::not_supported.
  static UnixSocketAddr from_abstract_name(std::string_view name, std::error_code& ec) noexcept {
    if constexpr (!has_abstract_names) {
      ec = std::make_error_code(std::errc::not_supported);
      return {};
    }
    return make(Kind::abstract_name, name, max_abstract_length, ec);
  }

  /// What bind and connect do with a string: a `path` that starts with a NUL byte is an abstract
  /// name (the rest of it, see from_abstract_name), anything else a pathname (see
  /// from_pathname).
  static UnixSocketAddr from_path(std::string_view path, std::error_code& ec) noexcept {
    if (!path.empty() && path.front() == '\0') {
      return from_abstract_name(path.substr(1), ec);
    }
    return from_pathname(path, ec);
  }

#if MIOCPP_HAS_EXCEPTIONS
  /// \name Throwing overloads
  /// Only where exceptions are enabled (MIOCPP_HAS_EXCEPTIONS).
  /// @{

  /// The call of the same name without `ec`: throws `std::system_error` carrying the code that
  /// overload reports.
  static UnixSocketAddr from_pathname(std::string_view path) {
    return miocpp::detail::or_throw("miocpp::net::UnixSocketAddr::from_pathname",
                                    [&](std::error_code& ec) { return from_pathname(path, ec); });
  }
  static UnixSocketAddr from_abstract_name(std::string_view name) {
    return miocpp::detail::or_throw(
        "miocpp::net::UnixSocketAddr::from_abstract_name",
        [&](std::error_code& ec) { return from_abstract_name(name, ec); });
  }
  static UnixSocketAddr from_path(std::string_view path) {
    return miocpp::detail::or_throw("miocpp::net::UnixSocketAddr::from_path",
                                    [&](std::error_code& ec) { return from_path(path, ec); });
  }
  /// @}
#endif

  /// True for the address of a socket that has no name.
  [[nodiscard]] constexpr bool is_unnamed() const noexcept {
    return kind_ == Kind::unnamed;
  }

  /// The path of a pathname address, else nullopt. The view points into this object.
  [[nodiscard]] constexpr std::optional<std::string_view> as_pathname() const noexcept {
    if (kind_ != Kind::pathname) {
      return std::nullopt;
    }
    return bytes();
  }

  /// The name of an abstract address without its leading NUL, else nullopt. The view points
  /// into this object.
  [[nodiscard]] constexpr std::optional<std::string_view> as_abstract_name() const noexcept {
    if (kind_ != Kind::abstract_name) {
      return std::nullopt;
    }
    return bytes();
  }

  /// For people and logs: the path itself, `@` followed by an abstract name (bytes that are not
  /// printable ASCII, and backslashes, as `\xNN`), or `(unnamed)`.
  [[nodiscard]] std::string to_string() const {
    switch (kind_) {
      case Kind::pathname:
        return std::string(bytes());
      case Kind::abstract_name: {
        static constexpr std::string_view digits = "0123456789abcdef";
        std::string text = "@";
        for (const char c : bytes()) {
          const auto byte = static_cast<unsigned char>(c);
          if (byte >= 0x20 && byte < 0x7f && c != '\\') {
            text += c;
          } else {
            text += "\\x";
            text += digits[byte >> 4U];
            text += digits[byte & 0xfU];
          }
        }
        return text;
      }
      case Kind::unnamed:
        break;
    }
    return "(unnamed)";
  }

  /// Same kind and same bytes.
  friend constexpr bool operator==(const UnixSocketAddr& lhs, const UnixSocketAddr& rhs) noexcept {
    return lhs.kind_ == rhs.kind_ && lhs.bytes() == rhs.bytes();
  }

  /// Writes to_string().
  friend std::ostream& operator<<(std::ostream& os, const UnixSocketAddr& address) {
    return os << address.to_string();
  }

 private:
  enum class Kind : std::uint8_t { unnamed, pathname, abstract_name };

  [[nodiscard]] constexpr std::string_view bytes() const noexcept {
    return {bytes_.data(), size_};
  }

  static UnixSocketAddr make(Kind kind, std::string_view name, std::size_t longest,
                             std::error_code& ec) noexcept {
    if (name.size() > longest) {
      ec = std::make_error_code(std::errc::filename_too_long);
      return {};
    }
    UnixSocketAddr address;
    address.kind_ = kind;
    address.size_ = static_cast<std::uint8_t>(name.size());
    std::copy(name.begin(), name.end(), address.bytes_.begin());
    ec.clear();
    return address;
  }

  std::array<char, max_length> bytes_{};
  std::uint8_t size_ = 0;
  Kind kind_ = Kind::unnamed;
};

}  // namespace miocpp::net

template <>
struct std::hash<miocpp::net::UnixSocketAddr> {
  std::size_t operator()(const miocpp::net::UnixSocketAddr& address) const noexcept {
    if (const auto path = address.as_pathname()) {
      return std::hash<std::string_view>{}(*path);
    }
    if (const auto name = address.as_abstract_name()) {
      return std::hash<std::string_view>{}(*name) * 31 + 1;
    }
    return 0;
  }
};
