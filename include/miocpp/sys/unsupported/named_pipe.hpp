// windows::NamedPipe where there is no Windows: the type exists, so code that names it compiles
// on every backend, and every call on it reports std::errc::not_supported.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>
#include <system_error>

#include "../../interest.hpp"
#include "../../token.hpp"
#include "refuse.hpp"

namespace miocpp::sys::unsupported {

/// concepts::NamedPipe with nothing behind it: never open, never registered.
class NamedPipe : MoveOnly {
 public:
  using native_handle_type = void*;

  static NamedPipe create(std::string_view, std::error_code& ec) noexcept {
    return refuse<NamedPipe>(ec);
  }
  static NamedPipe create(std::wstring_view, std::error_code& ec) noexcept {
    return refuse<NamedPipe>(ec);
  }
  /// Adopts nothing: there is no handle of this kind to own.
  static NamedPipe from_native(native_handle_type) noexcept { return {}; }

  [[nodiscard]] native_handle_type native_handle() const noexcept { return nullptr; }
  native_handle_type release() noexcept { return nullptr; }

  void connect(std::error_code& ec) noexcept { refuse(ec); }
  void disconnect(std::error_code& ec) noexcept { refuse(ec); }
  std::size_t read(std::span<std::byte>, std::error_code& ec) noexcept {
    return refuse<std::size_t>(ec);
  }
  std::size_t write(std::span<const std::byte>, std::error_code& ec) noexcept {
    return refuse<std::size_t>(ec);
  }
  std::error_code take_error(std::error_code& ec) const noexcept {
    return refuse<std::error_code>(ec);
  }

  template <class Selector>
  void register_source(const Selector&, Token, Interest, std::error_code& ec) noexcept {
    refuse(ec);
  }
  template <class Selector>
  void reregister(const Selector&, Token, Interest, std::error_code& ec) noexcept {
    refuse(ec);
  }
  template <class Selector>
  void deregister(const Selector&, std::error_code& ec) noexcept {
    refuse(ec);
  }
};

}  // namespace miocpp::sys::unsupported
