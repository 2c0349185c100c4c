// The whole of miocpp.
#pragma once

/// \file
/// The whole of miocpp in one include: `#include <miocpp/miocpp.hpp>`. Every header also stands
/// alone. Every type exists on every platform: what a backend cannot do (Unix-domain sockets and
/// pipes on Windows, named pipes outside Windows, sockets on the shell backend) reports
/// `std::errc::not_supported`.

#include "child_exit.hpp"
#include "config.hpp"
#include "event.hpp"
#include "interest.hpp"
#include "io_slice.hpp"
#include "io_source.hpp"
#include "net/ip_addr.hpp"
#include "net/received_with_fds.hpp"
#include "net/shutdown.hpp"
#include "net/sockaddr.hpp"
#include "net/socket_addr.hpp"
#include "net/tcp_listener.hpp"
#include "net/tcp_socket.hpp"
#include "net/tcp_stream.hpp"
#include "net/udp_batch.hpp"
#include "net/udp_socket.hpp"
#include "net/unix_batch.hpp"
#include "net/unix_datagram.hpp"
#include "net/unix_listener.hpp"
#include "net/unix_socket_addr.hpp"
#include "net/unix_stream.hpp"
#include "owned_source.hpp"
#include "poll.hpp"
#include "posix/owned_fd.hpp"
#include "posix/pipe.hpp"
#include "posix/source_fd.hpp"
#include "registry.hpp"
#include "signals.hpp"
#include "source.hpp"
#include "timers.hpp"
#include "token.hpp"
#include "version.hpp"
#include "waker.hpp"
#include "windows/named_pipe.hpp"
