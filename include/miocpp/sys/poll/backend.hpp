// The poll(2) backend (POSIX systems without epoll or kqueue, or MIOCPP_FORCE_POLL): the POSIX
// platform layer with the poll(2) selector, its re-arming IoSourceState, and the descriptor Waker.
#pragma once

#include "../common/backend.hpp"
#include "../concepts.hpp"
#include "../posix/platform.hpp"
#include "../posix/waker.hpp"
#include "event.hpp"
#include "selector.hpp"

namespace miocpp::sys::poll {

/// poll(2) is level-triggered: IoSourceState re-arms a source when its I/O would block.
using Backend =
    common::Backend<Selector, Event, Events, posix::Waker, IoSourceState, posix::Platform>;

}  // namespace miocpp::sys::poll

namespace miocpp::sys {
/// The backend sys.hpp exports: a program includes one facade, the one config.hpp chose.
using Backend = poll::Backend;
}  // namespace miocpp::sys
