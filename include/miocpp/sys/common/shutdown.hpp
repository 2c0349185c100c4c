// The shutdown() argument for a net::Shutdown, for every socket API that names the three
// directions with its own constants (SHUT_RD/SHUT_WR/SHUT_RDWR, SD_RECEIVE/SD_SEND/SD_BOTH).
#pragma once

#include "../../net/shutdown.hpp"

namespace miocpp::sys::common {

/// The OS's constant for the direction(s) `how` closes: `read`, `write` or `both`.
constexpr int shutdown_how(net::Shutdown how, int read, int write, int both) noexcept {
  return how == net::Shutdown::read ? read : how == net::Shutdown::write ? write : both;
}

}  // namespace miocpp::sys::common
