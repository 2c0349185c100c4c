// posix::Platform: what every POSIX backend (epoll, kqueue, poll(2)) exports alike -- descriptors,
// sockets and pipes are the same whichever selector watches them. Each of those backends' facade
// adds its selector, waker and per-source state to it.
#pragma once

#include "../common/backend.hpp"
#include "../unsupported/named_pipe.hpp"
#include "child_watch.hpp"
#include "file_descriptor.hpp"
#include "io_vec.hpp"
#include "pipes.hpp"
#include "signal_watch.hpp"
#include "socket_addr.hpp"
#include "socket_options.hpp"
#include "sockets.hpp"
#include "tcp.hpp"
#include "udp.hpp"
#include "uds.hpp"

namespace miocpp::sys::posix {

/// The descriptor, socket and pipe half of a POSIX backend's facade, watching child processes
/// with `ChildWatchType`: kqueue has a filter for a process's exit (EVFILT_PROC), which the
/// others' pidfd or SIGCHLD watcher stands in for. Named pipes are Windows'.
template <class ChildWatchType>
using PlatformWithChildWatch =
    common::Platform<FileDescriptor, FileDescriptor, IoVec, IoVecs, Sockets, SocketOptions,
                     SocketAddrs, Tcp, Udp, Uds, Pipes, unsupported::NamedPipe, SignalWatch,
                     ChildWatchType>;

/// The POSIX platform half with the pidfd / SIGCHLD ChildWatch (epoll, poll(2)).
using Platform = PlatformWithChildWatch<ChildWatch>;

}  // namespace miocpp::sys::posix
