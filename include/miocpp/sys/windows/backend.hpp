// The Windows backend (IOCP + AFD): Winsock sockets polled through the AFD driver on an I/O
// completion port, named pipes driven by their completions, console control events as signals,
// process handles as child processes (both through wake sockets), and no POSIX descriptors
// (Unix-domain sockets and pipes are refused).
#pragma once

#include "../common/backend.hpp"
#include "../concepts.hpp"
#include "../unsupported/descriptor.hpp"
#include "../unsupported/pipes.hpp"
#include "../unsupported/uds.hpp"
#include "child_watch.hpp"
#include "event.hpp"
#include "io_source_state.hpp"
#include "io_vec.hpp"
#include "named_pipe.hpp"
#include "selector.hpp"
#include "signal_watch.hpp"
#include "socket.hpp"
#include "socket_addr.hpp"
#include "socket_options.hpp"
#include "sockets.hpp"
#include "tcp.hpp"
#include "udp.hpp"
#include "waker.hpp"

namespace miocpp::sys::windows {

/// Winsock sockets; no POSIX descriptors, so Unix-domain sockets and pipes are refused.
using Platform = common::Platform<Socket, unsupported::Descriptor, IoVec, IoVecs, Sockets,
                                  SocketOptions, SocketAddrs, Tcp, Udp, unsupported::Uds<Socket>,
                                  unsupported::Pipes<unsupported::Descriptor, IoVec>, NamedPipe,
                                  SignalWatch, ChildWatch>;

/// AFD polls are one-shot: IoSourceState re-arms a socket when an operation would block.
using Backend = common::Backend<Selector, Event, Events, Waker, IoSourceState, Platform>;

}  // namespace miocpp::sys::windows

namespace miocpp::sys {
/// The backend sys.hpp exports: a program includes one facade, the one config.hpp chose.
using Backend = windows::Backend;
}  // namespace miocpp::sys
