// The one place that includes the Windows SDK headers. Everything under sys/windows includes this
// instead of <windows.h> or <winsock2.h>, so the order those headers need (winsock2.h before
// windows.h) and the macros that tame them are set once.
#pragma once

// min/max macros would break std::min/std::numeric_limits::max in every including file; the lean
// mode keeps out winsock.h (v1), which clashes with winsock2.h, and a lot of unused API.
#ifndef NOMINMAX
#define NOMINMAX
#endif
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
// GetQueuedCompletionStatusEx and CancelIoEx are Vista (0x0600) API.
#ifndef _WIN32_WINNT
#define _WIN32_WINNT 0x0600
#endif
#if _WIN32_WINNT < 0x0600
#error "miocpp needs _WIN32_WINNT >= 0x0600 (Windows Vista) for GetQueuedCompletionStatusEx"
#endif

// winsock2.h must come before windows.h, and mswsock.h after both.
// clang-format off
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <mswsock.h>
// clang-format on
