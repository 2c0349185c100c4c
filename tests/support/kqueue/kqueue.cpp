// kqueue() and kevent(): the table from descriptor numbers to queues, and kevent's handling of
// the changelist (FreeBSD's kern_kevent_generic).
//
// A queue's descriptor is its epoll descriptor. The table knows the descriptor kqueue() returned
// and the duplicates it has met; a descriptor it has not met is matched to a queue with
// kcmp(KCMP_FILE), which is how a dup (F_DUPFD_CLOEXEC, dup, dup2) finds its queue. Closing goes
// through __wrap_close, so the table never holds a closed number, and the queue is released with
// its last descriptor.
//
// A queue's descriptor registered with EVFILT_READ in another queue (FreeBSD's filt_kqueue) is an
// epoll descriptor in that queue's epoll set, readable while something in its own set is; kevent
// tells the watched queue, so that its knotes queued without epoll (EVFILT_USER, ...) make it
// readable too.
#include <dirent.h>
#include <fcntl.h>
#include <linux/kcmp.h>
#include <sys/epoll.h>
#include <sys/event.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <vector>

#include "emulation.hpp"
#include "queue.hpp"

namespace kqemu {
namespace {

struct Table {
  std::mutex mutex;
  std::vector<std::shared_ptr<Queue>> by_fd;  // indexed by descriptor number
  // Lets close() skip the table entirely in programs (or phases) without a kqueue.
  std::atomic<int> live{0};
};

Table& table() noexcept {
  // Never destroyed: descriptors are still closed by other static destructors at exit.
  static Table* const instance = new Table;
  return *instance;
}

bool same_file(int a, int b) noexcept {
  const pid_t self = ::getpid();
  return ::syscall(SYS_kcmp, self, self, KCMP_FILE, a, b) == 0;
}

std::shared_ptr<Queue>* slot(Table& t, int fd) noexcept {
  const auto index = static_cast<std::size_t>(fd);
  if (fd < 0 || index >= t.by_fd.size() || !t.by_fd[index]) {
    return nullptr;
  }
  return &t.by_fd[index];
}

void attach(Table& t, int fd, const std::shared_ptr<Queue>& queue) {
  const auto index = static_cast<std::size_t>(fd);
  if (index >= t.by_fd.size()) {
    t.by_fd.resize(std::max(index + 1, t.by_fd.size() * 2));
  }
  t.by_fd[index] = queue;
  queue->descriptors.push_back(fd);
}

/// Calls `visit(fd, queue)` once per queue, with one of its open descriptors.
template <typename Visit>
void for_each_queue(Table& t, Visit visit) {
  for (std::size_t index = 0; index < t.by_fd.size(); ++index) {
    const std::shared_ptr<Queue>& queue = t.by_fd[index];
    if (queue && static_cast<std::size_t>(queue->descriptors.front()) == index) {
      visit(static_cast<int>(index), queue);
    }
  }
}

/// Descriptors of this process that the table does not know and that share `fd`'s open file:
/// duplicates made with dup/fcntl that were never passed to kevent().
void adopt_duplicates(Table& t, int fd, const std::shared_ptr<Queue>& queue) {
  const int directory = ::open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (directory < 0) {
    return;
  }
  alignas(8) char buffer[4096];
  for (;;) {
    const long length = ::syscall(SYS_getdents64, directory, buffer, sizeof buffer);
    if (length <= 0) {
      break;
    }
    for (long offset = 0; offset < length;) {
      // struct linux_dirent64 { u64 d_ino; s64 d_off; u16 d_reclen; u8 d_type; char d_name[]; }
      unsigned short record = 0;
      std::memcpy(&record, buffer + offset + 16, sizeof record);
      const char* name = buffer + offset + 19;
      offset += record;
      int other = -1;
      const auto [end, error] = std::from_chars(name, name + std::strlen(name), other);
      (void)end;
      if (error != std::errc() || other == fd || other == directory || slot(t, other) != nullptr) {
        continue;
      }
      if (same_file(other, fd)) {
        attach(t, other, queue);
      }
    }
  }
  __real_close(directory);
}

/// Forgets descriptor `fd` of its queue; the queue goes with its last descriptor.
void detach(Table& t, int fd) {
  std::shared_ptr<Queue> queue = std::move(t.by_fd[static_cast<std::size_t>(fd)]);
  std::erase(queue->descriptors, fd);
  if (queue->descriptors.empty()) {
    adopt_duplicates(t, fd, queue);
  }
  if (queue->descriptors.empty()) {
    queue->release();
    t.live.fetch_sub(1, std::memory_order_relaxed);
  }
}

std::shared_ptr<Queue> find_queue(int fd) {
  Table& t = table();
  const std::lock_guard lock(t.mutex);
  if (const std::shared_ptr<Queue>* known = slot(t, fd)) {
    return *known;
  }
  if (fd < 0) {
    return nullptr;
  }
  std::shared_ptr<Queue> found;
  for_each_queue(t, [&](int descriptor, const std::shared_ptr<Queue>& queue) {
    if (!found && same_file(fd, descriptor)) {
      found = queue;
    }
  });
  if (found) {
    attach(t, fd, found);
  }
  return found;
}

/// Tells the queue behind `ident`, if it is one other than `watcher`, that `watcher` watches it
/// (Queue::watched). A queue cannot watch itself: epoll refuses that with EINVAL, as FreeBSD does.
void note_watched_queue(std::uintptr_t ident, const Queue* watcher) {
  if (ident > static_cast<std::uintptr_t>(INT_MAX)) {
    return;
  }
  const int fd = static_cast<int>(ident);
  struct stat status {};
  // An epoll descriptor is an anonymous inode, whose mode has no file type: the lookup (which may
  // compare the descriptor with every queue's) is for those only.
  if (::fstat(fd, &status) < 0 || (status.st_mode & S_IFMT) != 0) {
    return;
  }
  if (const std::shared_ptr<Queue> watched = find_queue(fd); watched && watched.get() != watcher) {
    watched->watched(fd);
  }
}

}  // namespace

void descriptor_closing(int fd) noexcept {
  Table& t = table();
  if (t.live.load(std::memory_order_relaxed) == 0) {
    return;
  }
  const std::lock_guard lock(t.mutex);
  if (slot(t, fd) != nullptr) {
    detach(t, fd);
  }
  for_each_queue(t, [fd](int descriptor, const std::shared_ptr<Queue>& queue) {
    queue->descriptor_closing(descriptor, fd);
  });
}

}  // namespace kqemu

extern "C" int kqueue(void) {
  const int fd = ::epoll_create1(EPOLL_CLOEXEC);
  if (fd < 0) {
    return -1;
  }
  auto queue = std::make_shared<kqemu::Queue>();
  kqemu::Table& t = kqemu::table();
  const std::lock_guard lock(t.mutex);
  if (kqemu::slot(t, fd) != nullptr) {
    // The number was closed without going through close() (dup2 over it, or a close inside a
    // shared library): whatever the table held for it is stale.
    kqemu::detach(t, fd);
  }
  kqemu::attach(t, fd, queue);
  t.live.fetch_add(1, std::memory_order_relaxed);
  return fd;
}

extern "C" int kevent(int kq, const struct kevent* changelist, int nchanges,
                      struct kevent* eventlist, int nevents, const struct timespec* timeout) {
  if (nchanges < 0 || nevents < 0) {
    errno = EINVAL;
    return -1;
  }
  if ((nchanges > 0 && changelist == nullptr) || (nevents > 0 && eventlist == nullptr)) {
    errno = EFAULT;
    return -1;
  }
  const std::shared_ptr<kqemu::Queue> queue = kqemu::find_queue(kq);
  if (!queue) {
    errno = EBADF;
    return -1;
  }

  // The changelist and the eventlist may be the same array: change i is read before entry i
  // (or an earlier one) is written.
  int room = nevents;
  int reported = 0;
  for (int i = 0; i < nchanges; ++i) {
    struct kevent change = changelist[i];
    change.flags = static_cast<unsigned short>(change.flags & ~EV_SYSFLAGS);
    if (change.filter == 0) {
      continue;
    }
    if (change.filter == EVFILT_READ && (change.flags & EV_ADD) != 0) {
      kqemu::note_watched_queue(change.ident, queue.get());
    }
    const int error = queue->apply(kq, change);
    if (error != 0 || (change.flags & EV_RECEIPT) != 0) {
      if (room == 0) {
        // FreeBSD stops here: the error is kevent's own, and later changes are not applied.
        if (error != 0) {
          errno = error;
          return -1;
        }
        return 0;
      }
      change.flags = EV_ERROR;
      change.data = error;
      eventlist[reported++] = change;
      --room;
    }
  }
  // Receipts and errors are returned at once, without looking for events.
  if (reported > 0) {
    return reported;
  }
  return queue->scan(kq, eventlist, nevents, timeout);
}
