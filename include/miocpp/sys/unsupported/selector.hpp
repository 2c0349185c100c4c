// A selector where there is no OS poll (or MIOCPP_NO_OS_POLL asks for none): it exists so that
// the whole API compiles, and every call reports std::errc::not_supported.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <ostream>
#include <system_error>

#include "../../interest.hpp"
#include "../../token.hpp"
#include "../common/event_buffer.hpp"
#include "refuse.hpp"

namespace miocpp::sys::unsupported {

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

using Events = common::EventBuffer<Event>;

/// concepts::Selector that cannot be opened.
class Selector : MoveOnly {
 public:
  Selector() noexcept = default;
  explicit Selector(std::error_code& ec) noexcept { refuse(ec); }

  [[nodiscard]] Selector try_clone(std::error_code& ec) const noexcept {
    return refuse<Selector>(ec);
  }

  void select(Events& events, std::optional<std::chrono::nanoseconds>,
              std::error_code& ec) const noexcept {
    events.clear();
    refuse(ec);
  }

  void register_fd(int, Token, Interest, std::error_code& ec) const noexcept { refuse(ec); }
  void reregister_fd(int, Token, Interest, std::error_code& ec) const noexcept { refuse(ec); }
  void deregister_fd(int, std::error_code& ec) const noexcept { refuse(ec); }
};

}  // namespace miocpp::sys::unsupported
