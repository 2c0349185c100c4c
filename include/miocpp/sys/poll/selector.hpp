// The portable POSIX selector: poll(2), with edge-triggered readiness emulated on top of it.
//
// It serves the POSIX systems without epoll or kqueue (and Linux with MIOCPP_FORCE_POLL). Every
// select hands the kernel the whole table of registered descriptors, so its cost grows with the
// number of registrations, not with the number of ready ones: O(n) per poll. The emulation is in
// pollfds.hpp, the locking in state.hpp, the re-arming of sources in common/rearm_on_block.hpp.
#pragma once

#include "../common/rearm_on_block.hpp"
#include "../common/shared_table_selector.hpp"
#include "event.hpp"
#include "state.hpp"

namespace miocpp::sys::poll {

/// A handle on a SelectorState; clones share it.
using Selector = common::SharedTableSelector<SelectorState>;

/// Re-arms a source's registration when its I/O would block, and removes it when the source goes.
using IoSourceState = common::RearmOnBlock<SelectorState>;

}  // namespace miocpp::sys::poll
