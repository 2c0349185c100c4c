// One emulated kqueue: its knotes, its queue of active knotes, and the epoll set under them
// (the descriptors its EVFILT_READ/WRITE knotes watch, and a pidfd per EVFILT_PROC knote).
#pragma once

#include <sys/epoll.h>
#include <sys/event.h>
#include <sys/types.h>
#include <time.h>

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

#include "emulation.hpp"

namespace kqemu {

/// A knote's state, FreeBSD's kn_status and kn_kevent fields that matter here.
struct Knote {
  bool present = false;
  bool active = false;    // KN_ACTIVE: the filter fired and has not been found idle since
  bool queued = false;    // KN_QUEUED: on the queue that the next scan reads
  bool disabled = false;  // KN_DISABLED
  unsigned short flags = 0;
  unsigned int sfflags = 0;
  std::int64_t sdata = 0;
  void* udata = nullptr;
};

/// The two fd filters of one descriptor and its single epoll registration.
struct Descriptor {
  Knote read;
  Knote write;
  dev_t device = 0;
  ino_t inode = 0;
  Kind kind = Kind::other;
  // Tells this registration's epoll events from those of an earlier descriptor that had the same
  // number (an event can be fetched by one thread while another drops the knote).
  std::uint32_t serial = 0;
  std::uint32_t epoll_events = 0;  // what is registered with epoll; 0: not registered

  [[nodiscard]] bool in_use() const noexcept { return read.present || write.present; }
  Knote& knote(short filter) noexcept { return filter == EVFILT_READ ? read : write; }
};

/// An EVFILT_USER knote; `triggered` is FreeBSD's kn_hookid.
struct UserKnote {
  std::uintptr_t ident = 0;
  Knote note;
  bool triggered = false;
};

/// An EVFILT_PROC knote: the process and the pidfd in the epoll set that tells of its exit.
struct ProcKnote {
  pid_t pid = 0;
  int pidfd = -1;
  Knote note;
};

/// A queued knote, by name: descriptors, user and process knotes live in vectors that may move.
struct Ref {
  std::uintptr_t ident;
  short filter;
};

class Queue {
 public:
  Queue() noexcept;
  ~Queue();
  Queue(const Queue&) = delete;
  Queue& operator=(const Queue&) = delete;

  /// Applies one change (kqueue_register); returns 0 or an errno. `epfd` is the descriptor the
  /// caller named, open for the duration of the call.
  int apply(int epfd, const struct kevent& change) noexcept;

  /// Waits for and copies out events (kqueue_scan). Returns the count, or -1 with errno.
  int scan(int epfd, struct kevent* out, int capacity, const timespec* timeout) noexcept;

  /// A descriptor is being closed: its knotes go (knote_fdclose). `epfd` is any open descriptor
  /// of this queue.
  void descriptor_closing(int epfd, int fd) noexcept;

  /// The queue's last descriptor is being closed: releases what the emulation holds for it.
  void release() noexcept;

  /// This queue's descriptor `epfd` was registered with EVFILT_READ in a queue (FreeBSD's
  /// filt_kqueue: readable while events are pending). That queue's epoll set watches this one's
  /// epoll descriptor, which is readable while something in this epoll set is; from now on a
  /// knote queued without epoll's knowledge (EVFILT_USER, EV_ENABLE, a level-triggered knote
  /// left queued by a scan) makes it readable too, through the wake eventfd.
  void watched(int epfd) noexcept;

  /// Known descriptors of this queue: guarded by the table's mutex, not by `mutex_`.
  std::vector<int> descriptors;

 private:
  int apply_fd(int epfd, const struct kevent& change) noexcept;
  int apply_user(int epfd, const struct kevent& change) noexcept;
  int apply_proc(int epfd, const struct kevent& change) noexcept;
  void finish_register(int epfd, Knote& note, Ref ref, bool event,
                       unsigned short change_flags) noexcept;
  int sync_epoll(int epfd, int fd, Descriptor& descriptor) noexcept;
  void drop_descriptor(int epfd, int fd, Descriptor& descriptor) noexcept;
  void activate(Knote& note, Ref ref) noexcept;
  void unqueue(Ref ref) noexcept;
  Knote* find(Ref ref) noexcept;
  UserKnote* find_user(std::uintptr_t ident) noexcept;
  ProcKnote* find_proc(std::uintptr_t ident) noexcept;
  void drop_proc(ProcKnote& proc) noexcept;
  void dispatch(const epoll_event* events, int count) noexcept;
  int copy_out(int epfd, struct kevent* out, int capacity) noexcept;
  void wake(int epfd) noexcept;

  std::mutex mutex_;
  std::vector<Descriptor> fds_;  // indexed by descriptor number
  std::vector<UserKnote> users_;
  std::vector<ProcKnote> procs_;
  std::vector<Ref> queue_;  // the active queue, in order
  std::vector<Ref> scanning_;
  std::uint32_t next_serial_ = 1;
  int waiters_ = 0;       // threads blocked in epoll_wait on this queue
  int wake_fd_ = -1;      // eventfd in the epoll set, made when a waiter first needs waking
  bool watched_ = false;  // registered in a queue: see watched()
};

}  // namespace kqemu
