// The WASI preview1 backend: poll_oneoff over the descriptors the runtime handed to the module,
// and TCP through sockets it pre-opened (sock_accept, sock_recv, sock_send, sock_shutdown). What
// preview1 cannot do -- create a socket (bind, connect), UDP, Unix-domain sockets, pipes,
// addresses and socket options, a Waker -- is refused (std::errc::not_supported).
#pragma once

#include "../common/backend.hpp"
#include "../unsupported/child_watch.hpp"
#include "../unsupported/descriptor.hpp"
#include "../unsupported/named_pipe.hpp"
#include "../unsupported/signal_watch.hpp"
#include "../unsupported/socket_addr.hpp"
#include "../unsupported/socket_options.hpp"
#include "../unsupported/udp.hpp"
#include "../unsupported/uds.hpp"
#include "../unsupported/waker.hpp"
#include "event.hpp"
#include "io_vec.hpp"
#include "pipes.hpp"
#include "selector.hpp"
#include "sockets.hpp"
#include "tcp.hpp"

namespace miocpp::sys::wasi {

/// Sockets and descriptors are plain owned ints (wasi-libc's close() is fd_close); preview1
/// cannot create a socket, so UDP, Unix-domain sockets and socket addresses are refused.
using Platform =
    common::Platform<unsupported::Descriptor, unsupported::Descriptor, IoVec, IoVecs, Sockets,
                     unsupported::SocketOptions, unsupported::SocketAddrs, Tcp,
                     unsupported::Udp<unsupported::Descriptor>,
                     unsupported::Uds<unsupported::Descriptor>, Pipes, unsupported::NamedPipe,
                     unsupported::SignalWatch<unsupported::Descriptor>,
                     unsupported::ChildWatch<unsupported::Descriptor>>;

/// No threads, and nothing interrupts poll_oneoff: no Waker. poll_oneoff is level-triggered:
/// IoSourceState re-arms a source when its I/O would block.
using Backend =
    common::Backend<Selector, Event, Events, unsupported::Waker, IoSourceState, Platform>;

}  // namespace miocpp::sys::wasi

namespace miocpp::sys {
/// The backend sys.hpp exports: a program includes one facade, the one config.hpp chose.
using Backend = wasi::Backend;
}  // namespace miocpp::sys
