// The knote bookkeeping of one queue, after FreeBSD's kqueue_register and kqueue_scan: knotes are
// keyed by (ident, filter); a filter that fires is activated and queued; a scan re-evaluates each
// queued knote (dropping those no longer ready), copies it out, and then either leaves it queued
// (level-triggered), or clears it (EV_CLEAR), disables it (EV_DISPATCH) or deletes it
// (EV_ONESHOT). epoll only tells which descriptors changed: every registration is edge-triggered,
// and the level-triggered behaviour comes from the re-queueing, as in FreeBSD. An EVFILT_PROC
// knote watches its process through a pidfd in the same epoll set, and is reported once, and
// deleted, when the process exits (filt_proc sets EV_EOF|EV_ONESHOT then).
#include "queue.hpp"

#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <climits>
#include <cstddef>
#include <cstdint>

namespace kqemu {
namespace {

constexpr std::uint64_t wake_tag = UINT64_MAX;
// A pidfd's epoll tag is this bit and the pid; a descriptor's is its serial (31 bits) and number.
constexpr std::uint64_t process_tag = std::uint64_t{1} << 63U;
constexpr std::uint32_t max_serial = 0x7fff'ffffU;
constexpr int harvest_capacity = 64;
constexpr std::uint32_t read_events = EPOLLIN | EPOLLPRI | EPOLLRDHUP | EPOLLHUP | EPOLLERR;
constexpr std::uint32_t write_events = EPOLLOUT | EPOLLHUP | EPOLLERR;
// FreeBSD keeps the change's flags in the knote, less the actions.
constexpr auto stored_flags_mask =
    static_cast<unsigned short>(~(EV_ADD | EV_DELETE | EV_ENABLE | EV_DISABLE));
constexpr std::int64_t nanoseconds_per_second = 1'000'000'000;

std::uint64_t encode(int fd, std::uint32_t serial) noexcept {
  return (std::uint64_t{serial} << 32U) | static_cast<std::uint32_t>(fd);
}

std::int64_t now_ns() noexcept {
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  return std::int64_t{now.tv_sec} * nanoseconds_per_second + now.tv_nsec;
}

#if defined(SYS_epoll_pwait2)
constexpr long epoll_pwait2_number = SYS_epoll_pwait2;
#else
constexpr long epoll_pwait2_number = 441;  // the same number on every Linux architecture
#endif

std::atomic<bool> epoll_pwait2_missing{false};

/// epoll_wait with a nanosecond timeout (-1: forever). Without epoll_pwait2 (Linux < 5.11) the
/// timeout is rounded up to whole milliseconds, so the wait never ends early.
int wait_events(int epfd, epoll_event* events, int capacity, std::int64_t timeout_ns) noexcept {
  if (timeout_ns > 0 && !epoll_pwait2_missing.load(std::memory_order_relaxed)) {
    const timespec timeout{static_cast<time_t>(timeout_ns / nanoseconds_per_second),
                           static_cast<long>(timeout_ns % nanoseconds_per_second)};
    const long result =
        ::syscall(epoll_pwait2_number, epfd, events, capacity, &timeout, nullptr, 0);
    if (result >= 0 || errno != ENOSYS) {
      return static_cast<int>(result);
    }
    epoll_pwait2_missing.store(true, std::memory_order_relaxed);
  }
  int milliseconds = -1;
  if (timeout_ns >= 0) {
    const std::int64_t rounded_up = (timeout_ns + 999'999) / 1'000'000;
    milliseconds = static_cast<int>(std::min<std::int64_t>(rounded_up, INT_MAX));
  }
  return ::epoll_wait(epfd, events, capacity, milliseconds);
}

}  // namespace

Queue::Queue() noexcept {
  // Reserved up front so that polling allocates nothing in the steady state.
  queue_.reserve(64);
  scanning_.reserve(64);
  users_.reserve(4);
  descriptors.reserve(4);
}

Queue::~Queue() {
  if (wake_fd_ >= 0) {
    __real_close(wake_fd_);
  }
  for (const ProcKnote& proc : procs_) {
    __real_close(proc.pidfd);
  }
}

void Queue::release() noexcept {
  const std::lock_guard lock(mutex_);
  if (wake_fd_ >= 0) {
    __real_close(wake_fd_);
    wake_fd_ = -1;
  }
  fds_.clear();
  users_.clear();
  for (const ProcKnote& proc : procs_) {
    __real_close(proc.pidfd);
  }
  procs_.clear();
  queue_.clear();
}

void Queue::watched(int epfd) noexcept {
  const std::lock_guard lock(mutex_);
  watched_ = true;
  if (!queue_.empty()) {
    wake(epfd);
  }
}

int Queue::apply(int epfd, const struct kevent& change) noexcept {
  const std::lock_guard lock(mutex_);
  switch (change.filter) {
    case EVFILT_READ:
    case EVFILT_WRITE:
      return apply_fd(epfd, change);
    case EVFILT_USER:
      return apply_user(epfd, change);
    case EVFILT_PROC:
      return apply_proc(epfd, change);
    default:
      // Unknown filters, and the FreeBSD filters this emulation does not provide.
      return EINVAL;
  }
}

int Queue::apply_fd(int epfd, const struct kevent& change) noexcept {
  if (change.ident > static_cast<std::uintptr_t>(INT_MAX)) {
    return EBADF;
  }
  const int fd = static_cast<int>(change.ident);
  struct stat status {};
  if (::fstat(fd, &status) < 0) {
    return errno;
  }
  const auto index = static_cast<std::size_t>(fd);
  const Ref ref{change.ident, change.filter};
  Knote* note = nullptr;
  if (index < fds_.size() && fds_[index].in_use()) {
    Descriptor& existing = fds_[index];
    if (existing.device != status.st_dev || existing.inode != status.st_ino) {
      // The number was closed behind the emulation's back and now names another file.
      drop_descriptor(epfd, fd, existing);
    } else if (existing.knote(change.filter).present) {
      note = &existing.knote(change.filter);
    }
  }

  if (note == nullptr) {
    if ((change.flags & EV_ADD) == 0) {
      return ENOENT;
    }
    if (index >= fds_.size()) {
      fds_.resize(std::max(index + 1, fds_.size() * 2));
    }
    Descriptor& descriptor = fds_[index];
    if (!descriptor.in_use()) {
      descriptor = Descriptor{};
      descriptor.device = status.st_dev;
      descriptor.inode = status.st_ino;
      descriptor.kind = kind_of(fd, status.st_mode);
      descriptor.serial = next_serial_++;
      if (next_serial_ > max_serial) {
        next_serial_ = 1;
      }
    }
    Knote& added = descriptor.knote(change.filter);
    added = Knote{};
    added.present = true;
    added.flags = static_cast<unsigned short>(change.flags & stored_flags_mask);
    added.sfflags = change.fflags;
    added.sdata = change.data;
    added.udata = change.udata;
    if (const int error = sync_epoll(epfd, fd, descriptor); error != 0) {
      added = Knote{};
      return error;
    }
    note = &added;
  } else if ((change.flags & EV_DELETE) != 0) {
    unqueue(ref);
    *note = Knote{};
    (void)sync_epoll(epfd, fd, fds_[index]);
    return 0;
  } else {
    // An existing knote: FreeBSD updates udata and the filter's input, not its flags.
    if ((change.flags & EV_KEEPUDATA) == 0) {
      note->udata = change.udata;
    }
    note->sfflags = change.fflags;
    note->sdata = change.data;
  }

  struct kevent probe {};
  const bool event = evaluate(fd, change.filter, fds_[index].kind, probe);
  finish_register(epfd, *note, ref, event, change.flags);
  return 0;
}

int Queue::apply_user(int epfd, const struct kevent& change) noexcept {
  const Ref ref{change.ident, EVFILT_USER};
  UserKnote* user = find_user(change.ident);
  if (user == nullptr) {
    if ((change.flags & EV_ADD) == 0) {
      return ENOENT;
    }
    users_.push_back(UserKnote{});
    user = &users_.back();
    user->ident = change.ident;
    user->note.present = true;
    user->note.flags = static_cast<unsigned short>(change.flags & stored_flags_mask);
    user->note.sfflags = change.fflags;
    user->note.sdata = change.data;
    user->note.udata = change.udata;
    user->triggered = (change.fflags & NOTE_TRIGGER) != 0;
  } else if ((change.flags & EV_DELETE) != 0) {
    unqueue(ref);
    users_.erase(users_.begin() + (user - users_.data()));
    return 0;
  } else {
    if ((change.flags & EV_KEEPUDATA) == 0) {
      user->note.udata = change.udata;
    }
    // FreeBSD's filt_usertouch(EVENT_REGISTER).
    if ((change.fflags & NOTE_TRIGGER) != 0) {
      user->triggered = true;
    }
    const unsigned control = change.fflags & static_cast<unsigned>(NOTE_FFCTRLMASK);
    const unsigned value = change.fflags & static_cast<unsigned>(NOTE_FFLAGSMASK);
    if (control == static_cast<unsigned>(NOTE_FFAND)) {
      user->note.sfflags &= value;
    } else if (control == static_cast<unsigned>(NOTE_FFOR)) {
      user->note.sfflags |= value;
    } else if (control == static_cast<unsigned>(NOTE_FFCOPY)) {
      user->note.sfflags = value;
    }
    user->note.sdata = change.data;
    if ((change.flags & EV_CLEAR) != 0) {
      user->triggered = false;
    }
  }
  finish_register(epfd, user->note, ref, user->triggered, change.flags);
  return 0;
}

int Queue::apply_proc(int epfd, const struct kevent& change) noexcept {
  const Ref ref{change.ident, EVFILT_PROC};
  ProcKnote* proc = find_proc(change.ident);
  if (proc != nullptr && (change.flags & EV_DELETE) != 0) {
    unqueue(ref);
    drop_proc(*proc);
    return 0;
  }
  if (proc == nullptr && (change.flags & EV_ADD) == 0) {
    return ENOENT;
  }
  // NOTE_EXIT is all Linux can watch for: no fork or exec notification reaches another process.
  if ((change.fflags & ~static_cast<unsigned>(NOTE_EXIT)) != 0) {
    return EINVAL;
  }
  if (proc == nullptr) {
    if (change.ident > static_cast<std::uintptr_t>(INT_MAX)) {
      return ESRCH;
    }
    const auto pid = static_cast<pid_t>(change.ident);
    int error = 0;
    const int pidfd = open_process(pid, error);
    if (pidfd < 0) {
      return error;
    }
    epoll_event event{};
    event.events = EPOLLIN | EPOLLET;
    event.data.u64 = process_tag | static_cast<std::uint32_t>(pid);
    if (::epoll_ctl(epfd, EPOLL_CTL_ADD, pidfd, &event) < 0) {
      error = errno;
      __real_close(pidfd);
      return error;
    }
    procs_.push_back(ProcKnote{pid, pidfd, Knote{}});
    proc = &procs_.back();
    proc->note.present = true;
    proc->note.flags = static_cast<unsigned short>(change.flags & stored_flags_mask);
    proc->note.udata = change.udata;
  } else if ((change.flags & EV_KEEPUDATA) == 0) {
    proc->note.udata = change.udata;
  }
  proc->note.sfflags = change.fflags;
  proc->note.sdata = change.data;
  // A process that has exited already (a zombie) is reported at once, as filt_procattach does.
  struct kevent probe {};
  const bool event = process_exited(proc->pidfd, proc->pid, probe);
  finish_register(epfd, proc->note, ref, event, change.flags);
  return 0;
}

void Queue::drop_proc(ProcKnote& proc) noexcept {
  // Closing the pidfd takes it out of the epoll set: nobody else has a duplicate of it.
  __real_close(proc.pidfd);
  procs_.erase(procs_.begin() + (&proc - procs_.data()));
}

void Queue::finish_register(int epfd, Knote& note, Ref ref, bool event,
                            unsigned short change_flags) noexcept {
  const bool was_queued = note.queued;
  if (event) {
    activate(note, ref);
  }
  if ((change_flags & EV_DISABLE) != 0) {
    note.disabled = true;
  }
  if ((change_flags & EV_ENABLE) != 0 && note.disabled) {
    note.disabled = false;
    if (note.active && !note.queued) {
      note.queued = true;
      queue_.push_back(ref);
    }
  }
  // A knote queued from outside the epoll set must wake a thread already waiting on it, and
  // make the queue readable to the queues that watch it.
  if (!was_queued && note.queued && (waiters_ > 0 || watched_)) {
    wake(epfd);
  }
}

void Queue::activate(Knote& note, Ref ref) noexcept {
  note.active = true;
  if (!note.disabled && !note.queued) {
    note.queued = true;
    queue_.push_back(ref);
  }
}

void Queue::unqueue(Ref ref) noexcept {
  std::erase_if(queue_,
                [ref](const Ref& r) { return r.ident == ref.ident && r.filter == ref.filter; });
}

Knote* Queue::find(Ref ref) noexcept {
  if (ref.filter == EVFILT_USER) {
    UserKnote* user = find_user(ref.ident);
    return user != nullptr ? &user->note : nullptr;
  }
  if (ref.filter == EVFILT_PROC) {
    ProcKnote* proc = find_proc(ref.ident);
    return proc != nullptr ? &proc->note : nullptr;
  }
  if (ref.ident >= fds_.size()) {
    return nullptr;
  }
  Knote& note = fds_[ref.ident].knote(ref.filter);
  return note.present ? &note : nullptr;
}

UserKnote* Queue::find_user(std::uintptr_t ident) noexcept {
  const auto it = std::find_if(users_.begin(), users_.end(),
                               [ident](const UserKnote& user) { return user.ident == ident; });
  return it != users_.end() ? &*it : nullptr;
}

ProcKnote* Queue::find_proc(std::uintptr_t ident) noexcept {
  const auto it = std::find_if(procs_.begin(), procs_.end(), [ident](const ProcKnote& proc) {
    return static_cast<std::uintptr_t>(proc.pid) == ident;
  });
  return it != procs_.end() ? &*it : nullptr;
}

int Queue::sync_epoll(int epfd, int fd, Descriptor& descriptor) noexcept {
  std::uint32_t wanted = 0;
  if (descriptor.read.present) {
    wanted |= EPOLLIN | EPOLLRDHUP;
  }
  if (descriptor.write.present) {
    wanted |= EPOLLOUT;
  }
  if (wanted == descriptor.epoll_events) {
    return 0;
  }
  if (wanted == 0) {
    epoll_event unused{};
    (void)::epoll_ctl(epfd, EPOLL_CTL_DEL, fd, &unused);
    descriptor.epoll_events = 0;
    return 0;
  }
  epoll_event event{};
  event.events = wanted | EPOLLET;
  event.data.u64 = encode(fd, descriptor.serial);
  const int op = descriptor.epoll_events == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
  int result = ::epoll_ctl(epfd, op, fd, &event);
  // The emulation's view and epoll's can differ after a descriptor was replaced behind its back.
  if (result < 0 && op == EPOLL_CTL_ADD && errno == EEXIST) {
    result = ::epoll_ctl(epfd, EPOLL_CTL_MOD, fd, &event);
  } else if (result < 0 && op == EPOLL_CTL_MOD && errno == ENOENT) {
    result = ::epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &event);
  }
  if (result < 0) {
    return errno;
  }
  descriptor.epoll_events = wanted;
  return 0;
}

void Queue::drop_descriptor(int epfd, int fd, Descriptor& descriptor) noexcept {
  unqueue(Ref{static_cast<std::uintptr_t>(fd), EVFILT_READ});
  unqueue(Ref{static_cast<std::uintptr_t>(fd), EVFILT_WRITE});
  if (descriptor.epoll_events != 0) {
    epoll_event unused{};
    (void)::epoll_ctl(epfd, EPOLL_CTL_DEL, fd, &unused);
  }
  descriptor = Descriptor{};
}

void Queue::descriptor_closing(int epfd, int fd) noexcept {
  const std::lock_guard lock(mutex_);
  const auto index = static_cast<std::size_t>(fd);
  if (index < fds_.size() && fds_[index].in_use()) {
    drop_descriptor(epfd, fd, fds_[index]);
  }
}

void Queue::wake(int epfd) noexcept {
  if (wake_fd_ < 0) {
    const int fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (fd < 0) {
      return;
    }
    epoll_event event{};
    event.events = EPOLLIN | EPOLLET;
    event.data.u64 = wake_tag;
    if (::epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &event) < 0) {
      __real_close(fd);
      return;
    }
    wake_fd_ = fd;
  }
  const std::uint64_t one = 1;
  (void)!::write(wake_fd_, &one, sizeof one);
}

void Queue::dispatch(const epoll_event* events, int count) noexcept {
  for (int i = 0; i < count; ++i) {
    const epoll_event& event = events[i];
    if (event.data.u64 == wake_tag) {
      std::uint64_t drained = 0;
      if (wake_fd_ >= 0) {
        (void)!::read(wake_fd_, &drained, sizeof drained);
      }
      continue;
    }
    if ((event.data.u64 & process_tag) != 0) {
      const std::uintptr_t pid = event.data.u64 & 0xffff'ffffU;
      if (ProcKnote* proc = find_proc(pid)) {
        activate(proc->note, Ref{pid, EVFILT_PROC});
      }
      continue;
    }
    const auto index = static_cast<std::size_t>(event.data.u64 & 0xffff'ffffU);
    const auto serial = static_cast<std::uint32_t>(event.data.u64 >> 32U);
    if (index >= fds_.size() || !fds_[index].in_use() || fds_[index].serial != serial) {
      continue;  // a knote dropped after epoll reported it
    }
    Descriptor& descriptor = fds_[index];
    if ((event.events & read_events) != 0 && descriptor.read.present) {
      activate(descriptor.read, Ref{index, EVFILT_READ});
    }
    if ((event.events & write_events) != 0 && descriptor.write.present) {
      activate(descriptor.write, Ref{index, EVFILT_WRITE});
    }
  }
}

int Queue::copy_out(int epfd, struct kevent* out, int capacity) noexcept {
  scanning_.clear();
  scanning_.swap(queue_);
  int count = 0;
  std::size_t i = 0;
  for (; i < scanning_.size() && count < capacity; ++i) {
    const Ref ref = scanning_[i];
    Knote* note = find(ref);
    if (note == nullptr || !note->queued) {
      continue;
    }
    if (note->disabled) {
      note->queued = false;
      continue;
    }
    struct kevent event {};
    event.ident = ref.ident;
    event.filter = ref.filter;
    event.flags = note->flags;
    event.udata = note->udata;
    if (ref.filter == EVFILT_PROC) {
      ProcKnote* proc = find_proc(ref.ident);
      if (!process_exited(proc->pidfd, proc->pid, event)) {
        note->active = false;
        note->queued = false;
        continue;
      }
      // filt_proc on exit: EV_EOF|EV_ONESHOT, so reported once and deleted; a knote that did not
      // ask for NOTE_EXIT is deleted without a report (EV_DROP).
      event.flags = static_cast<unsigned short>(event.flags | EV_EOF | EV_ONESHOT);
      event.fflags = note->sfflags & static_cast<unsigned>(NOTE_EXIT);
      if (event.fflags != 0) {
        out[count++] = event;
      }
      drop_proc(*proc);
      continue;
    }
    bool ready = false;
    UserKnote* user = nullptr;
    if (ref.filter == EVFILT_USER) {
      user = find_user(ref.ident);
      ready = user->triggered;
      // On output the control bits read as NOTE_FFNOP.
      event.fflags = note->sfflags & static_cast<unsigned>(NOTE_FFLAGSMASK);
      event.data = note->sdata;
    } else {
      ready = evaluate(static_cast<int>(ref.ident), ref.filter, fds_[ref.ident].kind, event);
    }

    if ((note->flags & EV_ONESHOT) != 0) {
      // Reported and deleted, without a second look at the filter (FreeBSD does the same).
      out[count++] = event;
      if (user != nullptr) {
        users_.erase(users_.begin() + (user - users_.data()));
      } else {
        *note = Knote{};
        (void)sync_epoll(epfd, static_cast<int>(ref.ident), fds_[ref.ident]);
      }
      continue;
    }
    if (!ready) {
      note->active = false;
      note->queued = false;
      continue;
    }
    out[count++] = event;
    if (user != nullptr && (note->flags & EV_CLEAR) != 0) {
      user->triggered = false;
    }
    if ((note->flags & (EV_CLEAR | EV_DISPATCH)) != 0) {
      if ((note->flags & EV_DISPATCH) != 0) {
        note->disabled = true;
      }
      note->active = false;
      note->queued = false;
    } else {
      queue_.push_back(ref);  // level-triggered: looked at again by the next scan
    }
  }
  // Knotes the eventlist had no room for keep their place, ahead of the re-queued ones.
  if (i < scanning_.size()) {
    queue_.insert(queue_.begin(), scanning_.begin() + static_cast<std::ptrdiff_t>(i),
                  scanning_.end());
  }
  scanning_.clear();
  return count;
}

int Queue::scan(int epfd, struct kevent* out, int capacity, const timespec* timeout) noexcept {
  if (capacity == 0) {
    return 0;
  }
  bool poll_only = false;
  std::int64_t deadline = -1;
  if (timeout != nullptr) {
    if (timeout->tv_sec < 0 || timeout->tv_nsec < 0 || timeout->tv_nsec >= nanoseconds_per_second) {
      errno = EINVAL;
      return -1;
    }
    if (timeout->tv_sec == 0 && timeout->tv_nsec == 0) {
      poll_only = true;
    } else {
      const std::int64_t limit = (INT64_MAX / 2) / nanoseconds_per_second;
      const std::int64_t seconds = std::min<std::int64_t>(timeout->tv_sec, limit);
      deadline = now_ns() + seconds * nanoseconds_per_second + timeout->tv_nsec;
    }
  }

  epoll_event harvested[harvest_capacity];
  std::int64_t wait_ns = 0;
  bool blocked = false;
  for (;;) {
    const int got = wait_events(epfd, harvested, harvest_capacity, wait_ns);
    const int wait_error = errno;
    const std::lock_guard lock(mutex_);
    if (blocked) {
      --waiters_;
      blocked = false;
    }
    if (got < 0) {
      errno = wait_error;  // EINTR included: kevent is not restarted after a signal
      return -1;
    }
    dispatch(harvested, got);
    const int count = copy_out(epfd, out, capacity);
    if (watched_ && !queue_.empty()) {
      wake(epfd);  // still pending: still readable to the queues that watch this one
    }
    if (count > 0 || poll_only) {
      return count;
    }
    if (deadline < 0) {
      wait_ns = -1;
    } else {
      wait_ns = deadline - now_ns();
      if (wait_ns <= 0) {
        return 0;
      }
    }
    // Counted while the lock is held, so a change queued from now on writes the wake eventfd.
    ++waiters_;
    blocked = true;
  }
}

}  // namespace kqemu
