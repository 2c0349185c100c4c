// The WASI preview1 selector: poll_oneoff over the registered descriptors, with edge-triggered
// readiness emulated on top of it (see selector_state.hpp; sources re-arm through
// common/rearm_on_block.hpp).
//
// What preview1 lacks, this backend lacks: there is no Waker (no threads, and nothing can wake
// poll_oneoff), no priority, AIO or LIO interest (std::errc::not_supported), and a wait with
// nothing to wait for reports std::errc::resource_deadlock_would_occur instead of hanging.
#pragma once

#include "../common/rearm_on_block.hpp"
#include "../common/shared_table_selector.hpp"
#include "event.hpp"
#include "selector_state.hpp"

namespace miocpp::sys::wasi {

/// A handle on a SelectorState; clones share it. WASI builds have no exceptions: an allocation
/// failure ends the program, as everywhere there.
using Selector = common::SharedTableSelector<SelectorState>;

/// Re-arms a source's registration when its I/O would block, and removes it when the source goes.
using IoSourceState = common::RearmOnBlock<SelectorState>;

}  // namespace miocpp::sys::wasi
