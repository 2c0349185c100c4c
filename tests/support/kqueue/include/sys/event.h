/*
 * <sys/event.h> for Linux: an emulation of the FreeBSD (12 and later) kqueue(2)/kevent(2)
 * interface over epoll, for tests only. It lets the library's kqueue selector run the whole test
 * suite on Linux, where the kernel has no kqueue. It is not part of the installed library.
 *
 * Layout, names and values are FreeBSD's (struct kevent with the 64-bit data and ext[4], the
 * EVFILT_* numbers, EV_* and NOTE_* bits), so code written against the real header compiles
 * unchanged against this one. The implementation is in the sources next to this include/
 * directory and follows FreeBSD's kqueue_register/kqueue_scan; tests/kqueue_emulation.cpp pins
 * the behaviour.
 *
 * Implemented as on FreeBSD:
 *  - kqueue(): a real close-on-exec descriptor (the epoll descriptor itself), released by
 *    close(2). A dup of it (fcntl(F_DUPFD_CLOEXEC), dup, dup2) names the same queue; the queue
 *    lives until its last descriptor is closed; a new kqueue() on a reused number starts empty.
 *  - Knotes keyed by (ident, filter). EV_ADD adds, or updates udata (unless EV_KEEPUDATA) and
 *    the filter input of an existing knote (FreeBSD keeps its flags, e.g. EV_CLEAR, as first
 *    added) and looks at the filter again, so a ready filter is reported again. EV_DELETE,
 *    EV_ENABLE, EV_DISABLE of an absent knote: ENOENT. EV_ONESHOT, EV_DISPATCH, EV_CLEAR
 *    (edge-triggered: reported again only after new activity), level-triggered otherwise.
 *  - EVFILT_READ / EVFILT_WRITE on any descriptor epoll accepts; EBADF for a bad descriptor.
 *    One kevent per (ident, filter) that fired. data: EVFILT_READ = bytes readable (FIONREAD),
 *    EVFILT_WRITE = free space in the socket send buffer (SO_SNDBUF - SIOCOUTQ) or in the pipe.
 *    EV_EOF on EVFILT_READ when the peer shut down (or this end shut down reading) or a pipe's
 *    writer is gone; on EVFILT_WRITE on hang-up, when a pipe's reader is gone, or after
 *    shutdown(SHUT_WR) on a TCP socket. With EV_EOF on a socket, fflags = its pending error.
 *    A pending error without EV_EOF (a UDP ICMP error) makes the filter fire without EV_EOF.
 *  - EVFILT_USER: EV_ADD (already triggered when it carries NOTE_TRIGGER), NOTE_TRIGGER from
 *    any thread (it wakes a kevent() blocked on the queue), NOTE_FFNOP/FFAND/FFOR/FFCOPY, data,
 *    EV_CLEAR resetting the trigger after delivery (and, as FreeBSD's filt_usertouch does, a
 *    change carrying EV_CLEAR resets it too).
 *  - EVFILT_PROC with NOTE_EXIT, over a pidfd (pidfd_open, Linux 5.3): ident = the pid; ESRCH for
 *    a process that does not exist. On exit the knote is reported once with EV_EOF|EV_ONESHOT,
 *    fflags = NOTE_EXIT and data = the wait status, and deleted; without NOTE_EXIT in fflags it
 *    is deleted unreported. A process that has exited but is not reaped yet (a zombie) is
 *    attached and reported at once, as FreeBSD's filt_procattach does; macOS and OpenBSD answer
 *    ESRCH instead, which kqemu_set_zombie_proc_esrch(1) (<kqueue_emulation.h>) selects.
 *  - A kqueue registered with EVFILT_READ in another kqueue is readable there while it has
 *    pending events (FreeBSD's filt_kqueue): its epoll descriptor sits in the other's epoll set,
 *    and once watched a queue also makes that descriptor readable for the knotes it queues
 *    without epoll (EVFILT_USER, EV_ENABLE, level-triggered knotes left queued by a scan).
 *  - Every change sets the knote's udata (FreeBSD's kqueue_register): a NOTE_TRIGGER change
 *    must carry the udata again, or EV_KEEPUDATA.
 *  - Changelist errors: an EV_ERROR entry (data = errno) while the eventlist has room, else
 *    kevent() returns -1 with errno. EV_RECEIPT: an EV_ERROR entry with data 0 or the errno per
 *    change. Any such entry makes kevent() return at once, without looking for events; with no
 *    room left, it returns there (0 for a receipt) and later changes are not applied. The
 *    changelist and the eventlist may be the same array.
 *  - timeout: NULL waits forever, {0, 0} polls, otherwise nanoseconds (epoll_pwait2, or whole
 *    milliseconds rounded up where the kernel lacks it: never early); EINVAL for an invalid
 *    timespec; nevents 0 returns at once. A signal gives -1/EINTR.
 *  - kevent() is thread-safe: a change made by one thread applies to a wait already blocked in
 *    another thread on the same queue. Polling allocates nothing in the steady state.
 *
 * Interposed calls: the target miocpp_kqueue_emulation links with -Wl,--wrap= for close,
 * getsockopt, read, readv, recv, recvfrom and recvmsg (a link-time rename of this program's
 * references, which coexists with the ASan/TSan interceptors; calls made inside shared libraries
 * are not seen, and need not be).
 *  - close(): closing a descriptor drops its knotes in every queue (FreeBSD's knote_fdclose),
 *    even when a dup keeps the file open; closing a kqueue's last descriptor releases its state.
 *    A number closed behind the emulation's back (dup2 over it, a close inside a shared
 *    library) is detected by its inode when it is next used in a change.
 *  - The socket error: Linux clears a socket's error when it is read; BSD kernels report it in
 *    fflags and still hold it for the program. The emulation keeps each error it reads in a
 *    table keyed by descriptor number and socket inode (a reused number cannot inherit it).
 *    __wrap_getsockopt(SOL_SOCKET, SO_ERROR) returns and clears a kept error, else calls the
 *    real getsockopt; a receiving call on a socket with a kept error and no queued data fails
 *    with that error and clears it (keeps it with MSG_PEEK), as FreeBSD's soreceive does.
 *    Sending needs nothing: FreeBSD fails with EPIPE once the connection is gone, as Linux does.
 *
 * Not reproduced (Linux cannot tell, or epoll works differently):
 *  - EVFILT_READ data for a listening socket is the backlog length on FreeBSD; here it is 0 (the
 *    event itself is delivered). For a datagram socket Linux counts the next datagram only,
 *    FreeBSD every queued byte.
 *  - EV_EOF on EVFILT_WRITE after shutdown(SHUT_WR) on a socket other than TCP (Linux shows it
 *    in no poll flag).
 *  - Spurious events, never missed ones: epoll has one registration per descriptor, and Linux
 *    wakes it as a whole on some state changes. So a writable socket whose peer shuts down (FIN)
 *    reports EVFILT_WRITE again next to the EVFILT_READ EV_EOF (FreeBSD wakes only the read
 *    side); and changing one filter of a descriptor that has both can report the other one
 *    again if it is ready.
 *  - NOTE_LOWAT, NOTE_FILE_POLL and other fflags on EVFILT_READ/WRITE input are ignored.
 *  - EVFILT_PROC: NOTE_FORK, NOTE_EXEC and NOTE_TRACK are refused with EINVAL (Linux tells no
 *    other process of a fork or an exec). data is the wait status only for an unreaped child of
 *    this process; for any other process it is 0.
 *  - EVFILT_READ on a kqueue: data is 0 (FreeBSD: the number of pending events), and the queue
 *    may read as readable when its epoll set holds an event that its next scan finds stale.
 *  - EVFILT_AIO, VNODE, SIGNAL, TIMER, PROCDESC, FS, LIO: EINVAL.
 *  - Regular files: FreeBSD reports them always ready; epoll refuses them, so EV_ADD on one fails
 *    with EPERM.
 *  - A dup of a kqueue descriptor is found with kcmp(2) (Linux 3.5, CONFIG_KCMP); where kcmp is
 *    unavailable, kevent() on a dup never used before fails with EBADF.
 *  - A kqueue is not inherited across fork() on FreeBSD; here the child shares the epoll set.
 *  - A queue blocked in kevent() while another thread makes a change that activates a knote
 *    without epoll noticing (EV_ENABLE, EVFILT_USER), or a queue watched by another queue, is
 *    woken through an eventfd the emulation adds to the queue the first time: one extra
 *    descriptor, closed with the queue. Each EVFILT_PROC knote holds a pidfd until it goes.
 */
#ifndef MIOCPP_TESTS_KQUEUE_EMULATION_SYS_EVENT_H
#define MIOCPP_TESTS_KQUEUE_EMULATION_SYS_EVENT_H

/* A system header, as the real one is: a strict warning set (-Wshadow: the function kevent next
 * to struct kevent) applies to the code that uses it, not to the header. */
#if defined(__GNUC__)
#pragma GCC system_header
#endif

#include <stdint.h>

/* filters */
#define EVFILT_READ (-1)
#define EVFILT_WRITE (-2)
#define EVFILT_AIO (-3)
#define EVFILT_VNODE (-4)
#define EVFILT_PROC (-5)
#define EVFILT_SIGNAL (-6)
#define EVFILT_TIMER (-7)
#define EVFILT_PROCDESC (-8)
#define EVFILT_FS (-9)
#define EVFILT_LIO (-10)
#define EVFILT_USER (-11)

struct kevent {
  uintptr_t ident;      /* identifier for this event (a descriptor for READ/WRITE) */
  short filter;         /* EVFILT_* */
  unsigned short flags; /* EV_* actions and flags */
  unsigned int fflags;  /* filter-specific flags (NOTE_*), the socket error on EV_EOF */
  int64_t data;         /* filter-specific data; the errno with EV_ERROR */
  void* udata;          /* opaque, returned unchanged */
  uint64_t ext[4];      /* extensions, returned as zero */
};

/* Same shape as FreeBSD's non-C99 definition: plain member assignments, one evaluation of kevp_. */
#define EV_SET(kevp_, a, b, c, d, e, f)              \
  do {                                               \
    struct kevent* miocpp_kq_ev_set_kevp_ = (kevp_); \
    miocpp_kq_ev_set_kevp_->ident = (a);             \
    miocpp_kq_ev_set_kevp_->filter = (b);            \
    miocpp_kq_ev_set_kevp_->flags = (c);             \
    miocpp_kq_ev_set_kevp_->fflags = (d);            \
    miocpp_kq_ev_set_kevp_->data = (e);              \
    miocpp_kq_ev_set_kevp_->udata = (f);             \
    miocpp_kq_ev_set_kevp_->ext[0] = 0;              \
    miocpp_kq_ev_set_kevp_->ext[1] = 0;              \
    miocpp_kq_ev_set_kevp_->ext[2] = 0;              \
    miocpp_kq_ev_set_kevp_->ext[3] = 0;              \
  } while (0)

/* actions */
#define EV_ADD 0x0001       /* add event to kq (implies enable) */
#define EV_DELETE 0x0002    /* delete event from kq */
#define EV_ENABLE 0x0004    /* enable event */
#define EV_DISABLE 0x0008   /* disable event (not reported) */
#define EV_KEEPUDATA 0x0200 /* do not update the udata field */

/* flags */
#define EV_ONESHOT 0x0010  /* only report one occurrence */
#define EV_CLEAR 0x0020    /* clear event state after reporting */
#define EV_RECEIPT 0x0040  /* force EV_ERROR on success, data = 0 */
#define EV_DISPATCH 0x0080 /* disable event after reporting */

#define EV_SYSFLAGS 0xF000 /* reserved by system */

/* returned values */
#define EV_EOF 0x8000   /* EOF detected */
#define EV_ERROR 0x4000 /* error, data contains errno */

/* EVFILT_USER: the top two bits of fflags say how the low 24 bits apply to the stored value. */
#define NOTE_FFNOP 0x00000000      /* ignore input fflags */
#define NOTE_FFAND 0x40000000      /* AND fflags */
#define NOTE_FFOR 0x80000000       /* OR fflags */
#define NOTE_FFCOPY 0xc0000000     /* copy fflags */
#define NOTE_FFCTRLMASK 0xc0000000 /* mask for the operations */
#define NOTE_FFLAGSMASK 0x00ffffff
#define NOTE_TRIGGER 0x01000000 /* cause the event to be triggered for output */

/* EVFILT_READ / EVFILT_WRITE (accepted, ignored by the emulation) */
#define NOTE_LOWAT 0x0001 /* low water mark */

/* EVFILT_PROC (the emulation watches NOTE_EXIT only, and refuses the others with EINVAL) */
#define NOTE_EXIT 0x80000000      /* process exited */
#define NOTE_FORK 0x40000000      /* process forked */
#define NOTE_EXEC 0x20000000      /* process exec'd */
#define NOTE_PCTRLMASK 0xf0000000 /* mask for hint bits */
#define NOTE_PDATAMASK 0x000fffff /* mask for pid */
#define NOTE_TRACK 0x00000001     /* follow across forks */
#define NOTE_TRACKERR 0x00000002  /* could not track child */
#define NOTE_CHILD 0x00000004     /* am a child process */

struct timespec;

#ifdef __cplusplus
extern "C" {
#endif

int kqueue(void);
int kevent(int kq, const struct kevent* changelist, int nchanges, struct kevent* eventlist,
           int nevents, const struct timespec* timeout);

#ifdef __cplusplus
}
#endif

#endif /* MIOCPP_TESTS_KQUEUE_EMULATION_SYS_EVENT_H */
