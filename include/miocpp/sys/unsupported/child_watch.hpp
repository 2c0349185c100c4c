// Watching a child process, refused: for the backends that have no processes to watch (WASI
// preview 1 and the shell).
#pragma once

#include <system_error>

#include "../../exit_status.hpp"
#include "refuse.hpp"

namespace miocpp::sys::unsupported {

/// concepts::ChildWatch where watching reports std::errc::not_supported.
template <class Descriptor>
struct ChildWatch : MoveOnly {
  using process_id = int;
  using wake_type = Descriptor;

  static ChildWatch watch(process_id /*pid*/, Descriptor& /*wake*/, std::error_code& ec) noexcept {
    return refuse<ChildWatch>(ec);
  }
  ExitStatus try_wait(typename Descriptor::native_handle_type /*wake*/,
                      std::error_code& ec) noexcept {
    return refuse<ExitStatus>(ec);
  }
};

}  // namespace miocpp::sys::unsupported
