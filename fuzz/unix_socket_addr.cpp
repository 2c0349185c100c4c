// UnixSocketAddr::from_pathname, from_abstract_name and from_path on arbitrary bytes: each
// accepts exactly what its documentation allows and gives the documented error code otherwise;
// an accepted name reads back byte for byte (as_pathname, as_abstract_name), and to_string
// prints it as documented.
//
// The input is the bytes given to all three.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "support.hpp"
#include <miocpp/config.hpp>
#include <miocpp/net/unix_socket_addr.hpp>

namespace {

using miocpp::net::UnixSocketAddr;

static_assert(UnixSocketAddr::max_abstract_length == UnixSocketAddr::max_length - 1,
              "an abstract name gives one byte of sun_path to its leading NUL");

enum class Kind { pathname, abstract_name };

int hex_digit(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  return -1;
}

/// The name an abstract address's to_string spells after its `@`: printable ASCII as is, every
/// other byte and the backslash as `\xNN` (lower-case hex), and nothing else. nullopt when
/// `text` is not in that form.
std::optional<std::string> unescape(std::string_view text) {
  std::string name;
  while (!text.empty()) {
    const char c = text.front();
    if (c != '\\') {
      if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
        return std::nullopt;
      }
      name += c;
      text.remove_prefix(1);
      continue;
    }
    if (text.size() < 4 || text[1] != 'x' || hex_digit(text[2]) < 0 || hex_digit(text[3]) < 0) {
      return std::nullopt;
    }
    const auto byte = static_cast<unsigned char>(hex_digit(text[2]) * 16 + hex_digit(text[3]));
    // Only what cannot be printed as itself is escaped.
    if (byte >= 0x20 && byte < 0x7f && byte != '\\') {
      return std::nullopt;
    }
    name += static_cast<char>(byte);
    text.remove_prefix(4);
  }
  return name;
}

bool is_unnamed(const UnixSocketAddr& address) {
  return address.is_unnamed() && !address.as_pathname() && !address.as_abstract_name() &&
         address == UnixSocketAddr() && address.to_string() == "(unnamed)";
}

/// What a successful constructor must give: `kind` with exactly `bytes`.
void check_accepted(const UnixSocketAddr& address, Kind kind, std::string_view bytes) {
  MIOCPP_FUZZ_REQUIRE(!address.is_unnamed());
  MIOCPP_FUZZ_REQUIRE(!(address == UnixSocketAddr()));
  const UnixSocketAddr copy = address;
  MIOCPP_FUZZ_REQUIRE(copy == address);
  MIOCPP_FUZZ_REQUIRE(std::hash<UnixSocketAddr>{}(copy) == std::hash<UnixSocketAddr>{}(address));
  const std::string printed = address.to_string();
  if (kind == Kind::pathname) {
    MIOCPP_FUZZ_REQUIRE(address.as_pathname() == std::optional<std::string_view>(bytes));
    MIOCPP_FUZZ_REQUIRE(!address.as_abstract_name());
    MIOCPP_FUZZ_REQUIRE(printed == bytes);
  } else {
    MIOCPP_FUZZ_REQUIRE(address.as_abstract_name() == std::optional<std::string_view>(bytes));
    MIOCPP_FUZZ_REQUIRE(!address.as_pathname());
    MIOCPP_FUZZ_REQUIRE(!printed.empty() && printed.front() == '@');
    MIOCPP_FUZZ_REQUIRE(unescape(std::string_view(printed).substr(1)) == std::string(bytes));
  }
}

UnixSocketAddr check_pathname(std::string_view bytes) {
  std::error_code ec;
  const UnixSocketAddr address = UnixSocketAddr::from_pathname(bytes, ec);
  if (bytes.empty() || bytes.find('\0') != std::string_view::npos) {
    MIOCPP_FUZZ_REQUIRE(ec == std::errc::invalid_argument && is_unnamed(address));
  } else if (bytes.size() > UnixSocketAddr::max_length) {
    MIOCPP_FUZZ_REQUIRE(ec == std::errc::filename_too_long && is_unnamed(address));
  } else {
    MIOCPP_FUZZ_REQUIRE(!ec);
    check_accepted(address, Kind::pathname, bytes);
  }
#if MIOCPP_HAS_EXCEPTIONS
  try {
    MIOCPP_FUZZ_REQUIRE(UnixSocketAddr::from_pathname(bytes) == address && !ec);
  } catch (const std::system_error& error) {
    MIOCPP_FUZZ_REQUIRE(error.code() == ec);
  }
#endif
  return address;
}

UnixSocketAddr check_abstract_name(std::string_view bytes) {
  std::error_code ec;
  const UnixSocketAddr address = UnixSocketAddr::from_abstract_name(bytes, ec);
  if (!UnixSocketAddr::has_abstract_names) {
    MIOCPP_FUZZ_REQUIRE(ec == std::errc::not_supported && is_unnamed(address));
  } else if (bytes.size() > UnixSocketAddr::max_abstract_length) {
    MIOCPP_FUZZ_REQUIRE(ec == std::errc::filename_too_long && is_unnamed(address));
  } else {
    MIOCPP_FUZZ_REQUIRE(!ec);
    check_accepted(address, Kind::abstract_name, bytes);
  }
  return address;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text = miocpp_fuzz::text_of(data, size);
  const std::string_view bytes = text;
  const UnixSocketAddr pathname = check_pathname(bytes);
  const UnixSocketAddr abstract_name = check_abstract_name(bytes);
  // Equal means same kind and same bytes: a pathname never equals an abstract name.
  MIOCPP_FUZZ_REQUIRE(pathname.is_unnamed() || !(pathname == abstract_name));

  // from_path is from_abstract_name after a leading NUL, else from_pathname.
  std::error_code ec;
  const UnixSocketAddr path = UnixSocketAddr::from_path(bytes, ec);
  std::error_code expected_ec;
  const UnixSocketAddr expected =
      !bytes.empty() && bytes.front() == '\0'
          ? UnixSocketAddr::from_abstract_name(bytes.substr(1), expected_ec)
          : UnixSocketAddr::from_pathname(bytes, expected_ec);
  MIOCPP_FUZZ_REQUIRE(path == expected && ec == expected_ec);
  return 0;
}
