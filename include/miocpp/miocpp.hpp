// The whole of miocpp.
#pragma once

/// \file
/// The whole of miocpp in one include: `#include <miocpp/miocpp.hpp>`. Every header also stands
/// alone. The POSIX-only headers (posix/, the Unix-domain sockets) are included on POSIX systems
/// only, windows/named_pipe.hpp on Windows only.

#include "config.hpp"
#include "event.hpp"
#include "interest.hpp"
#include "io_slice.hpp"
#include "io_source.hpp"
#include "net/ip_addr.hpp"
#include "net/shutdown.hpp"
#include "net/sockaddr.hpp"
#include "net/socket_addr.hpp"
#include "net/tcp_listener.hpp"
#include "net/tcp_stream.hpp"
#include "net/udp_socket.hpp"
#include "poll.hpp"
#include "registry.hpp"
#include "source.hpp"
#include "token.hpp"
#include "version.hpp"
#include "waker.hpp"

// Unix-domain sockets, raw descriptors and pipes exist on POSIX systems only; named pipes on
// Windows only.
#if MIOCPP_OS_POSIX
#include "net/unix_datagram.hpp"
#include "net/unix_listener.hpp"
#include "net/unix_socket_addr.hpp"
#include "net/unix_stream.hpp"
#include "posix/pipe.hpp"
#include "posix/source_fd.hpp"
#endif
#if MIOCPP_OS_WINDOWS && !MIOCPP_SELECTOR_SHELL
#include "windows/named_pipe.hpp"
#endif
