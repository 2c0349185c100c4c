// What the fuzz targets share: reporting a violated property, reading structured values out of
// the fuzzer's bytes, and the C library's address parsers as the reference.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

// A trap, not an exception: libFuzzer reports it as a crash and keeps the input that caused it.
// The condition is printed first so that the report says which property failed.
#define MIOCPP_FUZZ_REQUIRE(condition)                                                        \
  do {                                                                                        \
    if (!(condition)) {                                                                       \
      std::fprintf(stderr, "%s:%d: property violated: %s\n", __FILE__, __LINE__, #condition); \
      __builtin_trap();                                                                       \
    }                                                                                         \
  } while (false)

namespace miocpp_fuzz {

/// The fuzzer's input read front to back. Past its end every byte reads as zero, so any input,
/// however short, describes a complete record.
class Input {
 public:
  Input(const std::uint8_t* data, std::size_t size) noexcept
      : bytes_(reinterpret_cast<const char*>(data), size) {}  // NOLINT(*-reinterpret-cast)

  std::uint8_t byte() noexcept {
    if (bytes_.empty()) {
      return 0;
    }
    const auto value = static_cast<std::uint8_t>(bytes_.front());
    bytes_.remove_prefix(1);
    return value;
  }

  /// An unsigned integer stored little-endian.
  template <class T>
  T little_endian() noexcept {
    T value = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i) {
      value = static_cast<T>(value | static_cast<T>(static_cast<T>(byte()) << (8U * i)));
    }
    return value;
  }

  /// Fills `size` bytes at `out` with what is left, zeros after the end.
  void copy_to(void* out, std::size_t size) noexcept {
    const std::size_t available = std::min(size, bytes_.size());
    std::memset(out, 0, size);
    std::memcpy(out, bytes_.data(), available);
    bytes_.remove_prefix(available);
  }

  /// What has not been read yet.
  [[nodiscard]] std::string_view rest() const noexcept { return bytes_; }

 private:
  std::string_view bytes_;
};

/// The input as text.
inline std::string text_of(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};  // NOLINT(*-reinterpret-cast)
}

/// inet_pton on `text`. It reads a C string, so it never sees text with a NUL in it as the
/// whole text; no address contains a NUL, so such text is refused here, as miocpp must refuse it.
template <std::size_t Size>
bool libc_parse(int family, const std::string& text, std::array<std::uint8_t, Size>& octets) {
  static_assert(Size == sizeof(::in_addr) || Size == sizeof(::in6_addr));
  return text.find('\0') == std::string::npos &&
         ::inet_pton(family, text.c_str(), octets.data()) == 1;
}

/// inet_ntop of the `Size` octets of an address in network order.
template <std::size_t Size>
std::string libc_print(const std::array<std::uint8_t, Size>& octets) {
  std::array<char, INET6_ADDRSTRLEN> buffer{};
  const int family = Size == sizeof(::in_addr) ? AF_INET : AF_INET6;
  MIOCPP_FUZZ_REQUIRE(::inet_ntop(family, octets.data(), buffer.data(),
                                  static_cast<::socklen_t>(buffer.size())) != nullptr);
  return buffer.data();
}

}  // namespace miocpp_fuzz
