// The kqueue backend (Apple systems, the BSDs): the POSIX platform layer with the kqueue selector,
// its EVFILT_USER Waker where the system has that filter (the descriptor Waker, a self-pipe,
// elsewhere or with MIOCPP_FORCE_WAKER_PIPE), and child processes watched with EVFILT_PROC.
#pragma once

#include "../../config.hpp"
#include "../common/backend.hpp"
#include "../concepts.hpp"
#include "../posix/platform.hpp"
#include "child_watch.hpp"
#include "event.hpp"
#include "io_source_state.hpp"
#include "selector.hpp"

#if MIOCPP_WAKER_KQUEUE
#include "waker.hpp"
#else
#include "../posix/waker.hpp"
#endif

namespace miocpp::sys::kqueue {

#if MIOCPP_WAKER_KQUEUE
using BackendWaker = kqueue::Waker;
#else
using BackendWaker = posix::Waker;
#endif

/// The POSIX platform half, watching child processes with EVFILT_PROC rather than a pidfd or
/// SIGCHLD.
using Platform = posix::PlatformWithChildWatch<ChildWatch>;

/// The kernel keeps every registration armed (EV_CLEAR) and drops it on close, so sources need
/// no state of their own.
using Backend = common::Backend<Selector, Event, Events, BackendWaker, IoSourceState, Platform>;

}  // namespace miocpp::sys::kqueue

namespace miocpp::sys {
/// The backend sys.hpp exports: a program includes one facade, the one config.hpp chose.
using Backend = kqueue::Backend;
}  // namespace miocpp::sys
