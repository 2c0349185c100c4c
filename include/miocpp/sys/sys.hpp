// The one place that picks a backend. It includes exactly one selector and one waker, gives their
// pieces the portable names the front end uses (sys::Selector, sys::Event, ...), and checks them
// against sys/concepts.hpp.
#pragma once

#include "../config.hpp"
#include "concepts.hpp"

// ---- Selector -----------------------------------------------------------------------------------

#if MIOCPP_SELECTOR_SHELL
#include "shell/selector.hpp"
namespace miocpp::sys {
using Selector = shell::Selector;
using Event = shell::Event;
using Events = shell::Events;
}  // namespace miocpp::sys
#elif MIOCPP_SELECTOR_EPOLL
#include "posix/selector/epoll.hpp"
namespace miocpp::sys {
using Selector = epoll::Selector;
using Event = epoll::Event;
using Events = epoll::Events;
}  // namespace miocpp::sys
#elif MIOCPP_SELECTOR_KQUEUE
#include "posix/selector/kqueue.hpp"
namespace miocpp::sys {
using Selector = kqueue::Selector;
using Event = kqueue::Event;
using Events = kqueue::Events;
}  // namespace miocpp::sys
#elif MIOCPP_SELECTOR_POLL
#include "posix/selector/poll.hpp"
namespace miocpp::sys {
using Selector = poll::Selector;
using Event = poll::Event;
using Events = poll::Events;
}  // namespace miocpp::sys
#elif MIOCPP_SELECTOR_IOCP
#include "windows/selector.hpp"
namespace miocpp::sys {
using Selector = windows::Selector;
using Event = windows::Event;
using Events = windows::Events;
}  // namespace miocpp::sys
#elif MIOCPP_SELECTOR_WASI
#include "wasi/selector.hpp"
namespace miocpp::sys {
using Selector = wasi::Selector;
using Event = wasi::Event;
using Events = wasi::Events;
}  // namespace miocpp::sys
#else
#error "miocpp: no selector for this platform yet"
#endif

// ---- Waker --------------------------------------------------------------------------------------

#if MIOCPP_SELECTOR_SHELL
#include "shell/waker.hpp"
namespace miocpp::sys {
using Waker = shell::Waker;
}  // namespace miocpp::sys
#elif MIOCPP_WAKER_EVENTFD
#include "posix/waker/eventfd.hpp"
namespace miocpp::sys {
using Waker = eventfd::Waker;
}  // namespace miocpp::sys
#elif MIOCPP_WAKER_KQUEUE
#include "posix/waker/kqueue.hpp"
namespace miocpp::sys {
using Waker = kqueue::Waker;
}  // namespace miocpp::sys
#elif MIOCPP_WAKER_PIPE
#include "posix/waker/pipe.hpp"
namespace miocpp::sys {
using Waker = pipe_waker::Waker;
}  // namespace miocpp::sys
#elif MIOCPP_SELECTOR_IOCP
#include "windows/waker.hpp"
namespace miocpp::sys {
using Waker = windows::Waker;
}  // namespace miocpp::sys
#elif MIOCPP_SELECTOR_WASI
// No threads and nothing that interrupts poll_oneoff: the Waker exists and reports not_supported.
#include "shell/waker.hpp"
namespace miocpp::sys {
using Waker = shell::Waker;
}  // namespace miocpp::sys
#endif

// ---- Sources, descriptors and their I/O ---------------------------------------------------------

#if MIOCPP_SELECTOR_SHELL
#include "shell/io.hpp"
#include "shell/io_source_state.hpp"
#include "shell/net.hpp"
#if MIOCPP_OS_POSIX
#include "shell/uds.hpp"
#endif
namespace miocpp::sys {
using native_handle_type = int;
using IoSourceState = shell::IoSourceState;
using FileDescriptor = shell::Handle;
using Socket = shell::Handle;
using PipeEnds = shell::PipeEnds;
namespace tcp = shell::tcp;
namespace udp = shell::udp;
#if MIOCPP_OS_POSIX
namespace uds = shell::uds;
#endif
using IoVec = shell::IoVec;
using shell::io_vec_data;
using shell::io_vec_size;
using shell::local_addr;
using shell::make_io_vec;
using shell::open_pipe;
using shell::peek_bytes;
using shell::peek_stream;
using shell::peer_addr;
using shell::read;
using shell::read_vectored;
using shell::receive_bytes;
using shell::receive_stream;
using shell::receive_vectored;
using shell::send_bytes;
using shell::send_vectored;
using shell::set_nonblocking;
using shell::set_ttl;
using shell::shutdown;
using shell::take_socket_error;
using shell::ttl;
using shell::write;
using shell::write_vectored;
}  // namespace miocpp::sys
#elif MIOCPP_OS_POSIX
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
#if MIOCPP_SELECTOR_POLL
// poll(2) is level-triggered: its sources re-arm themselves when an operation would block.
using IoSourceState = poll::IoSourceState;
#else
using IoSourceState = posix::IoSourceState;
#endif
using FileDescriptor = posix::FileDescriptor;
using Socket = posix::FileDescriptor;
using PipeEnds = posix::PipeEnds;
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
#elif MIOCPP_OS_WINDOWS
#include "windows/io_source_state.hpp"
#include "windows/io_vec.hpp"
#include "windows/socket.hpp"
#include "windows/socket_info.hpp"
#include "windows/tcp.hpp"
#include "windows/udp.hpp"
namespace miocpp::sys {
using native_handle_type = SOCKET;
using IoSourceState = windows::IoSourceState;
using Socket = windows::Socket;
namespace tcp = windows::tcp;
namespace udp = windows::udp;
using windows::listen_backlog;
using windows::local_addr;
using windows::peek_bytes;
using windows::peek_stream;
using windows::peer_addr;
using windows::receive_bytes;
using windows::receive_stream;
using windows::receive_vectored;
using windows::send_bytes;
using windows::send_vectored;
using windows::set_nonblocking;
using windows::set_ttl;
using windows::shutdown;
using windows::take_socket_error;
using windows::ttl;
using IoVec = windows::IoVec;
using windows::io_vec_data;
using windows::io_vec_size;
using windows::make_io_vec;
}  // namespace miocpp::sys
#elif MIOCPP_OS_WASI
// TCP through sockets the runtime pre-opened (sock_accept, sock_recv, sock_send, sock_shutdown);
// what preview1 cannot do -- creating a socket (bind, connect), UDP, Unix-domain sockets, pipes,
// addresses and socket options -- reports std::errc::not_supported through the shell's refusals.
#include "shell/handle.hpp"
#include "shell/net.hpp"
#include "shell/uds.hpp"
#include "wasi/file_io.hpp"
#include "wasi/io_source_state.hpp"
#include "wasi/io_vec.hpp"
#include "wasi/socket.hpp"
#include "wasi/tcp.hpp"
namespace miocpp::sys {
using native_handle_type = int;
using IoSourceState = wasi::IoSourceState;
using FileDescriptor = shell::Handle;
using Socket = shell::Handle;
using PipeEnds = shell::PipeEnds;
namespace tcp = wasi::tcp;
namespace udp = shell::udp;
namespace uds = shell::uds;
using shell::local_addr;
using shell::peer_addr;
using shell::set_ttl;
using shell::take_socket_error;
using shell::ttl;
using wasi::peek_bytes;
using wasi::peek_stream;
using wasi::receive_bytes;
using wasi::receive_stream;
using wasi::receive_vectored;
using wasi::send_bytes;
using wasi::send_vectored;
using wasi::shutdown;
using IoVec = wasi::IoVec;
using wasi::io_vec_data;
using wasi::io_vec_size;
using wasi::make_io_vec;
using wasi::open_pipe;
using wasi::read;
using wasi::read_vectored;
using wasi::set_nonblocking;
using wasi::write;
using wasi::write_vectored;
// WASI descriptors are registered raw too (posix::SourceFd on stdin, say).
static_assert(concepts::DescriptorSelector<Selector>);
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
