// The one place that picks a backend. It includes exactly one selector and one waker, gives their
// pieces the portable names the front end uses (sys::Selector, sys::Event, ...), and checks them
// against sys/concepts.hpp.
#pragma once

#include "../config.hpp"
#include "concepts.hpp"

// ---- Selector -----------------------------------------------------------------------------------

#if MIOCPP_SELECTOR_EPOLL
#include "posix/selector/epoll.hpp"
namespace miocpp::sys {
using Selector = epoll::Selector;
using Event = epoll::Event;
using Events = epoll::Events;
}  // namespace miocpp::sys
#else
#error "miocpp: no selector for this platform yet (epoll is the only one built so far)"
#endif

// ---- Waker --------------------------------------------------------------------------------------

#if MIOCPP_WAKER_EVENTFD
#include "posix/waker/eventfd.hpp"
namespace miocpp::sys {
using Waker = eventfd::Waker;
}  // namespace miocpp::sys
#elif MIOCPP_WAKER_PIPE
#include "posix/waker/pipe.hpp"
namespace miocpp::sys {
using Waker = pipe_waker::Waker;
}  // namespace miocpp::sys
#endif

// ---- Sources, descriptors and their I/O ---------------------------------------------------------

#if MIOCPP_OS_POSIX
#include "posix/file_descriptor.hpp"
#include "posix/file_io.hpp"
#include "posix/io_source_state.hpp"
#include "posix/io_vec.hpp"
#include "posix/pipe.hpp"
#include "posix/socket.hpp"
#include "posix/socket_info.hpp"
#include "posix/tcp.hpp"
#include "posix/udp.hpp"
#include "posix/uds.hpp"
namespace miocpp::sys {
using native_handle_type = int;
using IoSourceState = posix::IoSourceState;
using FileDescriptor = posix::FileDescriptor;
using Socket = posix::FileDescriptor;
namespace tcp = posix::tcp;
namespace udp = posix::udp;
namespace uds = posix::uds;
using posix::listen_backlog;
using posix::local_addr;
using posix::peek_bytes;
using posix::peek_stream;
using posix::peer_addr;
using posix::receive_bytes;
using posix::receive_stream;
using posix::receive_vectored;
using posix::send_bytes;
using posix::send_vectored;
using posix::set_ttl;
using posix::shutdown;
using posix::take_socket_error;
using posix::ttl;
using IoVec = posix::IoVec;
using posix::io_vec_data;
using posix::io_vec_size;
using posix::make_io_vec;
using posix::open_pipe;
using posix::read;
using posix::read_vectored;
using posix::set_nonblocking;
using posix::write;
using posix::write_vectored;
}  // namespace miocpp::sys
#endif

// ---- The contract -------------------------------------------------------------------------------

namespace miocpp::sys {
static_assert(concepts::Event<Event>);
static_assert(concepts::Events<Events, Event>);
static_assert(concepts::Selector<Selector, Events>);
static_assert(concepts::Waker<Waker, Selector>);
static_assert(concepts::IoSourceState<IoSourceState, Selector, native_handle_type>);
#if MIOCPP_OS_POSIX
static_assert(concepts::DescriptorSelector<Selector>);
#endif
}  // namespace miocpp::sys
