// The shell selector: it exists so that the whole API compiles where there is no OS poll (or
// when MIOCPP_NO_OS_POLL asks for none); every call reports std::errc::not_supported.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <ostream>
#include <system_error>

#include "../../interest.hpp"
#include "../../token.hpp"
#include "../event_buffer.hpp"
#include "unsupported.hpp"

namespace miocpp::sys::shell {

/// No selector ever fills one; it has the shape of a record all the same.
struct Event {
  std::uint64_t token_value;

  [[nodiscard]] Token token() const noexcept {
    return Token(static_cast<std::size_t>(token_value));
  }
  [[nodiscard]] bool is_readable() const noexcept { return false; }
  [[nodiscard]] bool is_writable() const noexcept { return false; }
  [[nodiscard]] bool is_error() const noexcept { return false; }
  [[nodiscard]] bool is_read_closed() const noexcept { return false; }
  [[nodiscard]] bool is_write_closed() const noexcept { return false; }
  [[nodiscard]] bool is_priority() const noexcept { return false; }
  [[nodiscard]] bool is_aio() const noexcept { return false; }
  [[nodiscard]] bool is_lio() const noexcept { return false; }
  void debug_details(std::ostream& os) const { os << "shell event (no OS poll)"; }
};

using Events = EventBuffer<Event>;

class Selector {
 public:
  Selector() noexcept = default;
  Selector(Selector&&) noexcept = default;
  Selector& operator=(Selector&&) noexcept = default;
  Selector(const Selector&) = delete;
  Selector& operator=(const Selector&) = delete;
  ~Selector() = default;
  explicit Selector(std::error_code& ec) noexcept { not_supported(ec); }

  [[nodiscard]] Selector try_clone(std::error_code& ec) const noexcept {
    not_supported(ec);
    return {};
  }

  void select(Events& events, std::optional<std::chrono::nanoseconds> /*timeout*/,
              std::error_code& ec) const noexcept {
    events.clear();
    not_supported(ec);
  }

  void register_fd(int /*fd*/, Token /*token*/, Interest /*interest*/,
                   std::error_code& ec) const noexcept {
    not_supported(ec);
  }
  void reregister_fd(int /*fd*/, Token /*token*/, Interest /*interest*/,
                     std::error_code& ec) const noexcept {
    not_supported(ec);
  }
  void deregister_fd(int /*fd*/, std::error_code& ec) const noexcept { not_supported(ec); }
};

}  // namespace miocpp::sys::shell
