// Internals of the kqueue emulation shared by its translation units.
#pragma once

#include <sys/event.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <cstdint>

// The originals behind the linker's --wrap=close / --wrap=getsockopt. The emulation itself always
// calls these, so its own bookkeeping never re-enters the wrappers.
extern "C" int __real_close(int fd);
extern "C" int __real_getsockopt(int fd, int level, int name, void* value, socklen_t* length);

namespace kqemu {

/// What a descriptor is, as far as `data`, EV_EOF and fflags are concerned.
enum class Kind : std::uint8_t { other, socket, tcp, pipe };

/// Finds the kind of an open descriptor from its fstat mode.
Kind kind_of(int fd, unsigned mode) noexcept;

/// What a filter would report now: FreeBSD's f_event. Fills `data`, EV_EOF in `flags` and the
/// socket error in `fflags`; returns whether the filter is ready.
bool evaluate(int fd, short filter, Kind kind, struct kevent& out) noexcept;

/// The pending error of a socket, read once from the kernel (which clears it) and then kept for
/// __wrap_getsockopt to hand to the program, as a BSD kernel would have kept it.
int peek_socket_error(int fd) noexcept;

/// Drops a kept socket error: the descriptor is being closed.
void forget_socket_error(int fd) noexcept;

/// EVFILT_PROC's attach: a pidfd for process `pid`, or -1 with the errno in `error` (ESRCH for a
/// process that does not exist, and for a zombie when kqemu_set_zombie_proc_esrch asks for it).
int open_process(pid_t pid, int& error) noexcept;

/// EVFILT_PROC's NOTE_EXIT: whether the process behind `pidfd` has exited. If it has, `data` is
/// its wait status when it is an unreaped child of this process, else 0.
bool process_exited(int pidfd, pid_t pid, struct kevent& out) noexcept;

/// Called by __wrap_close before the real close: drops the knotes on `fd` in every queue, and
/// the queue whose descriptor it is when it is the last one.
void descriptor_closing(int fd) noexcept;

}  // namespace kqemu
