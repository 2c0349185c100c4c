// Unix-domain sockets on POSIX: addresses (uds/socket_addr.hpp), stream sockets and listeners
// (uds/stream.hpp), datagram sockets (uds/datagram.hpp).
#pragma once

#include "uds/datagram.hpp"
#include "uds/socket_addr.hpp"
#include "uds/stream.hpp"
