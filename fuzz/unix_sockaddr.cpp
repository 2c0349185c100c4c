// UnixSocketAddr to and from sockaddr_un (sys/posix/uds/socket_addr.hpp), both ways:
//   - from_raw of any record of any length: reads the first `length` bytes only, gives the name
//     they hold (unnamed for another family or no sun_path; the length capped at sun_path, as
//     the kernel may count a NUL it did not copy), and that name converts back;
//   - for every valid UnixSocketAddr `a`, from_raw(to_raw(a, ec)) == a whenever to_raw succeeds,
//     and the record is the one the kernel expects.
//
// Input: a flags byte, a 16-bit little-endian length, then the bytes of the sockaddr_un (zeros
// after the end of the input). Flags bit 0: keep the family in those bytes (else the record is
// AF_UNIX); bits 1-2: how the second check builds its address from everything after the
// family, sun_path on (0 from_pathname, 1 from_abstract_name, 2 from_path, 3 unnamed).
#include <sys/socket.h>
#include <sys/un.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <system_error>

#include "support.hpp"
#include <miocpp/net/unix_socket_addr.hpp>
#include <miocpp/sys/posix/uds/socket_addr.hpp>

namespace {

using miocpp::net::UnixSocketAddr;
using miocpp::sys::posix::uds::from_raw;
using miocpp::sys::posix::uds::RawUnixAddr;
using miocpp::sys::posix::uds::to_raw;

constexpr std::size_t path_offset = offsetof(::sockaddr_un, sun_path);
constexpr std::size_t path_capacity = sizeof(::sockaddr_un::sun_path);

/// The name the first `length` bytes of `storage` hold, read as the kernel writes them.
UnixSocketAddr expected_name(const ::sockaddr_un& storage, std::size_t length) {
  if (length <= path_offset || storage.sun_family != AF_UNIX) {
    return {};
  }
  const std::string_view path(&storage.sun_path[0], std::min(length - path_offset, path_capacity));
  std::error_code ec;
  if (path.front() == '\0') {
    const UnixSocketAddr name = UnixSocketAddr::from_abstract_name(path.substr(1), ec);
    MIOCPP_FUZZ_REQUIRE(!ec || !UnixSocketAddr::has_abstract_names);
    return name;
  }
  const UnixSocketAddr name = UnixSocketAddr::from_pathname(path.substr(0, path.find('\0')), ec);
  MIOCPP_FUZZ_REQUIRE(!ec);
  return name;
}

/// A record of arbitrary bytes.
void check_record(const RawUnixAddr& raw) {
  const UnixSocketAddr name = from_raw(raw);
  MIOCPP_FUZZ_REQUIRE(name == expected_name(raw.storage, raw.length));

  // Nothing after the first `length` bytes counts.
  RawUnixAddr cut = raw;
  if (cut.length < sizeof cut.storage) {
    std::memset(reinterpret_cast<unsigned char*>(&cut.storage) +  // NOLINT(*-reinterpret-cast)
                    cut.length,
                0, sizeof cut.storage - cut.length);
  }
  MIOCPP_FUZZ_REQUIRE(from_raw(cut) == name);

  // Every name the kernel can report is one miocpp can hand back to it.
  std::error_code ec;
  const RawUnixAddr again = to_raw(name, ec);
  MIOCPP_FUZZ_REQUIRE(!ec);
  MIOCPP_FUZZ_REQUIRE(from_raw(again) == name);
}

/// A valid address through to_raw and back.
void check_address(const UnixSocketAddr& address) {
  std::error_code ec;
  const RawUnixAddr raw = to_raw(address, ec);
  const auto path = address.as_pathname();
  const auto abstract_name = address.as_abstract_name();
  // Nothing is cut short: a name that does not fit sun_path is refused, and only such a name.
  const bool fits = path ? path->size() <= path_capacity
                         : !abstract_name || abstract_name->size() + 1 <= path_capacity;
  if (!fits) {
    MIOCPP_FUZZ_REQUIRE(ec == std::errc::filename_too_long);
    return;
  }
  MIOCPP_FUZZ_REQUIRE(!ec);
  MIOCPP_FUZZ_REQUIRE(raw.storage.sun_family == AF_UNIX);
  const char* sun_path = &raw.storage.sun_path[0];
  if (path) {
    // The terminating NUL when there is room for it.
    const std::size_t used = std::min(path->size() + 1, path_capacity);
    MIOCPP_FUZZ_REQUIRE(raw.length == path_offset + used);
    MIOCPP_FUZZ_REQUIRE(std::string_view(sun_path, path->size()) == *path);
    MIOCPP_FUZZ_REQUIRE(used == path->size() || sun_path[path->size()] == '\0');
  } else if (abstract_name) {
    MIOCPP_FUZZ_REQUIRE(raw.length == path_offset + 1 + abstract_name->size());
    MIOCPP_FUZZ_REQUIRE(sun_path[0] == '\0');
    MIOCPP_FUZZ_REQUIRE(std::string_view(sun_path + 1, abstract_name->size()) == *abstract_name);
  } else {
    MIOCPP_FUZZ_REQUIRE(raw.length == path_offset);
  }
  MIOCPP_FUZZ_REQUIRE(from_raw(raw) == address);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  miocpp_fuzz::Input input(data, size);
  const std::uint8_t flags = input.byte();
  const std::uint16_t length = input.little_endian<std::uint16_t>();
  const std::string_view name = input.rest().substr(std::min(input.rest().size(), path_offset));

  RawUnixAddr raw;
  input.copy_to(&raw.storage, sizeof raw.storage);
  if ((flags & 1U) == 0) {
    raw.storage.sun_family = AF_UNIX;
  }
  raw.length = length;
  check_record(raw);

  std::error_code ec;
  UnixSocketAddr address;
  switch ((flags >> 1U) & 3U) {
    case 0:
      address = UnixSocketAddr::from_pathname(name, ec);
      break;
    case 1:
      address = UnixSocketAddr::from_abstract_name(name, ec);
      break;
    case 2:
      address = UnixSocketAddr::from_path(name, ec);
      break;
    default:
      break;
  }
  if (!ec) {  // refused names are the other target's business
    check_address(address);
  }
  return 0;
}
