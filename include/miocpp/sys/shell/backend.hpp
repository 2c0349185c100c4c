// The shell backend (MIOCPP_NO_OS_POLL, or a platform with no OS poll): every type of the
// contract exists, so the whole API compiles, and every call reports std::errc::not_supported --
// it is the refusals of sys/unsupported/, all of them.
#pragma once

#include "../common/backend.hpp"
#include "../unsupported/child_watch.hpp"
#include "../unsupported/descriptor.hpp"
#include "../unsupported/io_source_state.hpp"
#include "../unsupported/io_vec.hpp"
#include "../unsupported/named_pipe.hpp"
#include "../unsupported/pipes.hpp"
#include "../unsupported/selector.hpp"
#include "../unsupported/signal_watch.hpp"
#include "../unsupported/socket_addr.hpp"
#include "../unsupported/socket_options.hpp"
#include "../unsupported/sockets.hpp"
#include "../unsupported/tcp.hpp"
#include "../unsupported/udp.hpp"
#include "../unsupported/uds.hpp"
#include "../unsupported/waker.hpp"

namespace miocpp::sys::shell {

/// Nothing here opens a descriptor, but one handed over with from_native is still owned.
using Platform =
    common::Platform<unsupported::Descriptor, unsupported::Descriptor, unsupported::IoVec,
                     unsupported::IoVecs, unsupported::Sockets, unsupported::SocketOptions,
                     unsupported::SocketAddrs, unsupported::Tcp<unsupported::Descriptor>,
                     unsupported::Udp<unsupported::Descriptor>,
                     unsupported::Uds<unsupported::Descriptor>,
                     unsupported::Pipes<unsupported::Descriptor, unsupported::IoVec>,
                     unsupported::NamedPipe, unsupported::SignalWatch<unsupported::Descriptor>,
                     unsupported::ChildWatch<unsupported::Descriptor>>;

using Backend = common::Backend<unsupported::Selector, unsupported::Event, unsupported::Events,
                                unsupported::Waker, unsupported::IoSourceState, Platform>;

}  // namespace miocpp::sys::shell

namespace miocpp::sys {
/// The backend sys.hpp exports: a program includes one facade, the one config.hpp chose.
using Backend = shell::Backend;
}  // namespace miocpp::sys
