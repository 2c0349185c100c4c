// IdleSockets: N UDP sockets registered for reading with a miocpp Poll and with a raw epoll
// instance, never ready (nothing is sent to them; an unbound UDP socket is only ever writable).
#pragma once

#include <netinet/in.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <string>
#include <system_error>
#include <vector>

#include <miocpp/miocpp.hpp>

namespace bench {

class IdleSockets {
 public:
  /// Opens and registers `count` sockets. The soft RLIMIT_NOFILE is raised to the hard one
  /// first. When even that is too low (20,000 in many containers, where raising the hard limit
  /// takes CAP_SYS_RESOURCE) and the backend is epoll, the sockets are made in batches, each
  /// batch handed to a child process that only holds it, and closed here: an epoll registration
  /// lasts as long as its open file, not as long as this process's descriptor.
  IdleSockets(std::size_t count, std::error_code& ec)
      : raw_epoll_(::epoll_create1(EPOLL_CLOEXEC)), poll_(ec) {
    const std::size_t limit = raise_descriptor_limit();
    // Room for what the process has open besides (standard streams, the two epoll instances...).
    const std::size_t batch = limit > 256 ? limit - 256 : 1;
    if (count > batch && !parking_works) {
      ec = std::make_error_code(std::errc::too_many_files_open);
      return;
    }
    while (registered_ < count && !ec) {
      const std::size_t in_batch = std::min(batch, count - registered_);
      std::vector<int> fds;
      for (std::size_t i = 0; i < in_batch && !ec; ++i) {
        fds.push_back(open_and_register(ec));
      }
      if (count > batch) {
        park(fds);
      } else {
        kept_ = std::move(fds);
      }
      registered_ += in_batch;
    }
  }
  IdleSockets(const IdleSockets&) = delete;
  IdleSockets& operator=(const IdleSockets&) = delete;
  ~IdleSockets() {
    for (const int fd : kept_) {
      ::close(fd);
    }
    for (const pid_t holder : holders_) {
      ::kill(holder, SIGKILL);
      ::waitpid(holder, nullptr, 0);
    }
    ::close(raw_epoll_);
  }

  [[nodiscard]] miocpp::Poll& poll() noexcept { return poll_; }
  [[nodiscard]] int raw_epoll() const noexcept { return raw_epoll_; }

 private:
#if MIOCPP_SELECTOR_EPOLL
  static constexpr bool parking_works = true;
#else
  static constexpr bool parking_works = false;  // kqueue drops a registration with its descriptor
#endif

  static std::size_t raise_descriptor_limit() {
    ::rlimit limit{};
    ::getrlimit(RLIMIT_NOFILE, &limit);
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
    return static_cast<std::size_t>(limit.rlim_cur);
  }

  int open_and_register(std::error_code& ec) {
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      ec = {errno, std::system_category()};
      return fd;
    }
    miocpp::posix::SourceFd source(fd);
    poll_.registry().register_source(source, miocpp::Token{registered_}, miocpp::Interest::readable,
                                     ec);
    ::epoll_event registration{};
    registration.events = EPOLLIN | EPOLLRDHUP | EPOLLET;
    registration.data.u64 = registered_;
    if (!ec && ::epoll_ctl(raw_epoll_, EPOLL_CTL_ADD, fd, &registration) < 0) {
      ec = {errno, std::system_category()};
    }
    return fd;
  }

  /// A child inherits `fds` and holds them until it is killed (or this process dies).
  void park(std::vector<int>& fds) {
    const pid_t holder = ::fork();
    if (holder == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      for (;;) {
        ::pause();
      }
    }
    holders_.push_back(holder);
    for (const int fd : fds) {
      ::close(fd);
    }
    fds.clear();
  }

  int raw_epoll_;
  miocpp::Poll poll_;
  std::size_t registered_ = 0;
  std::vector<int> kept_;
  std::vector<pid_t> holders_;
};

}  // namespace bench
