// The epoll backend (Linux): the POSIX platform layer with the epoll selector and the descriptor
// Waker (an eventfd, or a self-pipe with MIOCPP_FORCE_WAKER_PIPE).
#pragma once

#include "../common/backend.hpp"
#include "../concepts.hpp"
#include "../posix/platform.hpp"
#include "../posix/waker.hpp"
#include "event.hpp"
#include "io_source_state.hpp"
#include "selector.hpp"

namespace miocpp::sys::epoll {

/// The kernel keeps every registration armed (EPOLLET); a source only remembers its queue, to
/// end its registration when it is destroyed.
using Backend =
    common::Backend<Selector, Event, Events, posix::Waker, IoSourceState, posix::Platform>;

}  // namespace miocpp::sys::epoll

namespace miocpp::sys {
/// The backend sys.hpp exports: a program includes one facade, the one config.hpp chose.
using Backend = epoll::Backend;
}  // namespace miocpp::sys
