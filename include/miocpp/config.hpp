// Platform detection and backend selection.
//
// Every macro here is defined to 0 or 1 and tested with `#if`, never `#ifdef`, so that a typo is
// caught by -Wundef. Users may predefine the MIOCPP_FORCE_* / MIOCPP_NO_OS_POLL macros (to 0 or 1)
// to pick a fallback backend; everything else is derived and must not be predefined.
#pragma once

/// \file
/// Platform detection and backend selection, as macros that are always defined to 0 or 1.
///
/// Test them with `#if`, never `#ifdef`. The four `MIOCPP_FORCE_*` / `MIOCPP_NO_OS_POLL` choices
/// may be predefined (to 0 or 1) for every translation unit of a program alike, best through the
/// CMake options of the same names, which make them usage requirements of miocpp::miocpp. The
/// others are derived here and must not be predefined.

// ---- User choices -------------------------------------------------------------------------------

#ifndef MIOCPP_FORCE_POLL
/// 1: use the poll(2) selector even where epoll or kqueue exists (POSIX). Costs O(registered)
/// per poll; useful to test the fallback other POSIX systems get.
#define MIOCPP_FORCE_POLL 0
#endif
#ifndef MIOCPP_FORCE_WAKER_PIPE
/// 1: use the self-pipe Waker instead of eventfd (Linux) or EVFILT_USER (macOS, FreeBSD).
#define MIOCPP_FORCE_WAKER_PIPE 0
#endif
#ifndef MIOCPP_FORCE_SIGCHLD
/// 1: watch child processes through SIGCHLD even where the kernel has pidfds (Linux 5.3), as
/// other POSIX systems and older kernels do; useful to test that fallback.
#define MIOCPP_FORCE_SIGCHLD 0
#endif
#ifndef MIOCPP_FORCE_KQUEUE
/// Test builds only: 1 uses the kqueue selector on a system whose <sys/event.h>, kqueue() and
/// kevent() come from an emulation (tests/support/kqueue) rather than from the OS.
#define MIOCPP_FORCE_KQUEUE 0
#endif
#ifndef MIOCPP_NO_OS_POLL
/// 1: build the shell backend: the whole API exists and every call reports
/// `std::errc::not_supported`. What a platform without a backend gets anyway.
#define MIOCPP_NO_OS_POLL 0
#endif

// ---- Operating system ---------------------------------------------------------------------------

/// \def MIOCPP_OS_LINUX
/// 1 on Linux and Android.
/// \def MIOCPP_OS_APPLE
/// 1 on macOS, iOS and the other Apple systems.
/// \def MIOCPP_OS_FREEBSD
/// 1 on FreeBSD.
/// \def MIOCPP_OS_NETBSD
/// 1 on NetBSD.
/// \def MIOCPP_OS_OPENBSD
/// 1 on OpenBSD.
/// \def MIOCPP_OS_BSD
/// 1 on FreeBSD, NetBSD, OpenBSD and DragonFly.
/// \def MIOCPP_OS_WINDOWS
/// 1 on Windows (MSVC or mingw-w64).
/// \def MIOCPP_OS_WASI
/// 1 for WASI (wasm32-wasi).
/// \def MIOCPP_OS_POSIX
/// 1 on POSIX systems (Linux, Apple, the BSDs, other Unixes; not WASI): the headers under
/// posix/ and the Unix-domain sockets are available.
/// \def MIOCPP_SELECTOR_SHELL
/// 1 when the shell backend is in use: every call reports `std::errc::not_supported`.
/// \def MIOCPP_SELECTOR_EPOLL
/// 1 when Poll uses epoll (Linux, Android).
/// \def MIOCPP_SELECTOR_KQUEUE
/// 1 when Poll uses kqueue (Apple systems, the BSDs).
/// \def MIOCPP_SELECTOR_POLL
/// 1 when Poll uses poll(2) (other POSIX systems, or MIOCPP_FORCE_POLL).
/// \def MIOCPP_SELECTOR_IOCP
/// 1 when Poll uses an I/O completion port with AFD polling (Windows).
/// \def MIOCPP_SELECTOR_WASI
/// 1 when Poll uses WASI preview 1's poll_oneoff.
/// \def MIOCPP_WAKER_EVENTFD
/// 1 when Waker uses an eventfd (Linux, with epoll or poll(2)).
/// \def MIOCPP_WAKER_KQUEUE
/// 1 when Waker uses kqueue's EVFILT_USER (macOS, FreeBSD).
/// \def MIOCPP_WAKER_PIPE
/// 1 when Waker uses a self-pipe (the other POSIX systems, or MIOCPP_FORCE_WAKER_PIPE).
/// \def MIOCPP_HAS_EXCEPTIONS
/// 1 when exceptions are enabled: only then do the throwing overloads exist. With
/// `-fno-exceptions` the `std::error_code&` overloads are the whole API.

#if defined(__linux__) || defined(__ANDROID__)
#define MIOCPP_OS_LINUX 1
#else
#define MIOCPP_OS_LINUX 0
#endif

#if defined(__APPLE__)
#define MIOCPP_OS_APPLE 1
#else
#define MIOCPP_OS_APPLE 0
#endif

#if defined(__FreeBSD__)
#define MIOCPP_OS_FREEBSD 1
#else
#define MIOCPP_OS_FREEBSD 0
#endif

#if defined(__NetBSD__)
#define MIOCPP_OS_NETBSD 1
#else
#define MIOCPP_OS_NETBSD 0
#endif

#if defined(__OpenBSD__)
#define MIOCPP_OS_OPENBSD 1
#else
#define MIOCPP_OS_OPENBSD 0
#endif

#if MIOCPP_OS_FREEBSD || MIOCPP_OS_NETBSD || MIOCPP_OS_OPENBSD || defined(__DragonFly__)
#define MIOCPP_OS_BSD 1
#else
#define MIOCPP_OS_BSD 0
#endif

#if defined(_WIN32)
#define MIOCPP_OS_WINDOWS 1
#else
#define MIOCPP_OS_WINDOWS 0
#endif

#if defined(__wasi__)
#define MIOCPP_OS_WASI 1
#else
#define MIOCPP_OS_WASI 0
#endif

#if !MIOCPP_OS_WINDOWS && !MIOCPP_OS_WASI && \
    (defined(__unix__) || defined(__unix) || MIOCPP_OS_APPLE || MIOCPP_OS_LINUX)
#define MIOCPP_OS_POSIX 1
#else
#define MIOCPP_OS_POSIX 0
#endif

// ---- Selector: exactly one of these is 1 -------------------------------------------------------

#if MIOCPP_NO_OS_POLL || !(MIOCPP_OS_POSIX || MIOCPP_OS_WINDOWS || MIOCPP_OS_WASI)
#define MIOCPP_SELECTOR_SHELL 1
#else
#define MIOCPP_SELECTOR_SHELL 0
#endif

#if !MIOCPP_SELECTOR_SHELL && MIOCPP_OS_LINUX && !MIOCPP_FORCE_POLL && !MIOCPP_FORCE_KQUEUE
#define MIOCPP_SELECTOR_EPOLL 1
#else
#define MIOCPP_SELECTOR_EPOLL 0
#endif

#if !MIOCPP_SELECTOR_SHELL && (MIOCPP_OS_APPLE || MIOCPP_OS_BSD || MIOCPP_FORCE_KQUEUE) && \
    !MIOCPP_FORCE_POLL
#define MIOCPP_SELECTOR_KQUEUE 1
#else
#define MIOCPP_SELECTOR_KQUEUE 0
#endif

#if !MIOCPP_SELECTOR_SHELL && MIOCPP_OS_POSIX && !MIOCPP_SELECTOR_EPOLL && !MIOCPP_SELECTOR_KQUEUE
#define MIOCPP_SELECTOR_POLL 1
#else
#define MIOCPP_SELECTOR_POLL 0
#endif

#if !MIOCPP_SELECTOR_SHELL && MIOCPP_OS_WINDOWS
#define MIOCPP_SELECTOR_IOCP 1
#else
#define MIOCPP_SELECTOR_IOCP 0
#endif

#if !MIOCPP_SELECTOR_SHELL && MIOCPP_OS_WASI
#define MIOCPP_SELECTOR_WASI 1
#else
#define MIOCPP_SELECTOR_WASI 0
#endif

// ---- Waker: at most one of these is 1 (WASI has none) -------------------------------------------

// eventfd is Linux's; the poll(2) selector uses it there too.
#if MIOCPP_OS_LINUX && (MIOCPP_SELECTOR_EPOLL || MIOCPP_SELECTOR_POLL) && !MIOCPP_FORCE_WAKER_PIPE
#define MIOCPP_WAKER_EVENTFD 1
#else
#define MIOCPP_WAKER_EVENTFD 0
#endif

// EVFILT_USER exists on Apple systems and FreeBSD (and in the test emulation); the other BSDs use
// the pipe waker.
#if MIOCPP_SELECTOR_KQUEUE && !MIOCPP_FORCE_WAKER_PIPE && \
    (MIOCPP_OS_APPLE || MIOCPP_OS_FREEBSD || MIOCPP_FORCE_KQUEUE)
#define MIOCPP_WAKER_KQUEUE 1
#else
#define MIOCPP_WAKER_KQUEUE 0
#endif

#if MIOCPP_OS_POSIX && !MIOCPP_SELECTOR_SHELL && !MIOCPP_WAKER_EVENTFD && !MIOCPP_WAKER_KQUEUE
#define MIOCPP_WAKER_PIPE 1
#else
#define MIOCPP_WAKER_PIPE 0
#endif

// ---- Language ----------------------------------------------------------------------------------

// The throwing overloads exist only where exceptions do; the std::error_code overloads always.
#if defined(__cpp_exceptions) || defined(__EXCEPTIONS) || defined(_CPPUNWIND)
#define MIOCPP_HAS_EXCEPTIONS 1
#else
#define MIOCPP_HAS_EXCEPTIONS 0
#endif
