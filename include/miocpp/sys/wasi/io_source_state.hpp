// Per-source state of the WASI selector: its registration, and the re-arming that makes
// poll_oneoff's level-triggered readiness edge-triggered.
#pragma once

#include <cstdint>
#include <memory>
#include <system_error>
#include <utility>

#include "../../interest.hpp"
#include "../../token.hpp"
#include "../rearming_io_source_state.hpp"
#include "selector.hpp"
#include "selector_state.hpp"

namespace miocpp::sys::wasi {

/// Re-arms on would-block and removes its registration when destroyed (see
/// RearmingIoSourceState).
using IoSourceState = RearmingIoSourceState<Selector, SelectorState>;

}  // namespace miocpp::sys::wasi
