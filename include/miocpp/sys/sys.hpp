// The one place that picks a backend: it includes exactly one backend's facade, checks it against
// the whole contract (concepts.hpp), and gives its pieces the portable names the front end uses.
#pragma once

#include "../config.hpp"
#include "concepts.hpp"

// Each facade declares itself as sys::Backend, so including a second one is a compile error.
#if MIOCPP_SELECTOR_SHELL
#include "shell/backend.hpp"
#elif MIOCPP_SELECTOR_EPOLL
#include "epoll/backend.hpp"
#elif MIOCPP_SELECTOR_KQUEUE
#include "kqueue/backend.hpp"
#elif MIOCPP_SELECTOR_POLL
#include "poll/backend.hpp"
#elif MIOCPP_SELECTOR_IOCP
#include "windows/backend.hpp"
#elif MIOCPP_SELECTOR_WASI
#include "wasi/backend.hpp"
#else
#error "miocpp: config.hpp selected no backend"
#endif

namespace miocpp::sys {

static_assert(concepts::Backend<Backend>, "the backend's facade does not meet the contract");

using native_handle_type = Backend::native_handle_type;
using Selector = Backend::Selector;
using Event = Backend::Event;
using Events = Backend::Events;
using Waker = Backend::Waker;
using IoSourceState = Backend::IoSourceState;
using Socket = Backend::Socket;
using FileDescriptor = Backend::FileDescriptor;
using IoVec = Backend::IoVec;
using IoVecs = Backend::IoVecs;
using Sockets = Backend::Sockets;
using SocketOptions = Backend::SocketOptions;
using SocketAddrs = Backend::SocketAddrs;
using Tcp = Backend::Tcp;
using Udp = Backend::Udp;
using Uds = Backend::Uds;
using Pipes = Backend::Pipes;
using NamedPipe = Backend::NamedPipe;
using SignalWatch = Backend::SignalWatch;
using ChildWatch = Backend::ChildWatch;

}  // namespace miocpp::sys
