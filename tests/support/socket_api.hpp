// The socket API of the platform, for tests that check miocpp against it directly: the headers,
// and the type the API counts address lengths in (socklen_t on POSIX, int in Winsock).
#pragma once

#include <miocpp/config.hpp>

#if MIOCPP_OS_WINDOWS
#include <miocpp/sys/windows/windows.hpp>
#else
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#endif

namespace test {

#if MIOCPP_OS_WINDOWS
using SockLen = int;
#else
using SockLen = ::socklen_t;
#endif

}  // namespace test
