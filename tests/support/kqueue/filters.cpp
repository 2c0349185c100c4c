// EVFILT_READ and EVFILT_WRITE evaluated the way FreeBSD's filt_soread/filt_sowrite and
// filt_piperead/filt_pipewrite do, from what Linux lets a process observe: poll(2) flags,
// FIONREAD/SIOCOUTQ, the socket and pipe buffer sizes, and TCP_INFO.
#include <fcntl.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdint>

#include "emulation.hpp"

namespace kqemu {
namespace {

int socket_option(int fd, int level, int name) noexcept {
  int value = 0;
  socklen_t length = sizeof value;
  if (__real_getsockopt(fd, level, name, &value, &length) < 0) {
    return -1;
  }
  return value;
}

/// Bytes queued for reading (FIONREAD); 0 where the descriptor has no such count (a listening
/// socket answers EINVAL: FreeBSD's backlog length has no Linux counterpart).
std::int64_t readable_bytes(int fd) noexcept {
  int count = 0;
  if (::ioctl(fd, FIONREAD, &count) < 0 || count < 0) {
    return 0;
  }
  return count;
}

/// Free space in the send buffer: FreeBSD's sbspace(&so->so_snd).
std::int64_t socket_send_space(int fd) noexcept {
  const int size = socket_option(fd, SOL_SOCKET, SO_SNDBUF);
  int queued = 0;
  if (size < 0 || ::ioctl(fd, SIOCOUTQ, &queued) < 0) {
    return 0;
  }
  const std::int64_t space = std::int64_t{size} - queued;
  return space > 0 ? space : 0;
}

/// Free space in a pipe: its capacity less what is queued in it.
std::int64_t pipe_space(int fd) noexcept {
  const int size = ::fcntl(fd, F_GETPIPE_SZ);
  if (size < 0) {
    return 0;
  }
  const std::int64_t space = std::int64_t{size} - readable_bytes(fd);
  return space > 0 ? space : 0;
}

/// Whether this end can no longer send: FreeBSD sets SBS_CANTSENDMORE after shutdown(SHUT_WR);
/// Linux shows no poll flag for it, but the TCP state says it.
bool tcp_send_side_closed(int fd) noexcept {
  ::tcp_info info{};
  socklen_t length = sizeof info;
  if (__real_getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &length) < 0) {
    return false;
  }
  switch (info.tcpi_state) {
    case TCP_FIN_WAIT1:
    case TCP_FIN_WAIT2:
    case TCP_TIME_WAIT:
    case TCP_CLOSE:
    case TCP_LAST_ACK:
    case TCP_CLOSING:
      return true;
    default:
      return false;
  }
}

}  // namespace

Kind kind_of(int fd, unsigned mode) noexcept {
  if (S_ISFIFO(mode)) {
    return Kind::pipe;
  }
  if (!S_ISSOCK(mode)) {
    return Kind::other;
  }
  if (socket_option(fd, SOL_SOCKET, SO_TYPE) == SOCK_STREAM &&
      socket_option(fd, SOL_SOCKET, SO_PROTOCOL) == IPPROTO_TCP) {
    return Kind::tcp;
  }
  return Kind::socket;
}

bool evaluate(int fd, short filter, Kind kind, struct kevent& out) noexcept {
  ::pollfd probe{fd, POLLIN | POLLOUT | POLLRDHUP, 0};
  int polled = 0;
  do {
    polled = ::poll(&probe, 1, 0);
  } while (polled < 0 && errno == EINTR);
  const auto revents = static_cast<unsigned>(polled > 0 ? probe.revents : 0);
  if ((revents & POLLNVAL) != 0U) {
    return false;
  }
  const bool is_socket = kind == Kind::socket || kind == Kind::tcp;

  bool ready = false;
  bool eof = false;
  if (filter == EVFILT_READ) {
    // Readable data, end of file, or a pending error (FreeBSD: so_error makes the filter fire).
    ready = (revents & (POLLIN | POLLRDHUP | POLLHUP | POLLERR)) != 0U;
    eof = (revents & (POLLRDHUP | POLLHUP)) != 0U;
    out.data = readable_bytes(fd);
  } else {
    ready = (revents & (POLLOUT | POLLERR | POLLHUP)) != 0U;
    // A pipe whose reader is gone reports POLLERR on its write end.
    eof = (revents & POLLHUP) != 0U || (kind == Kind::pipe && (revents & POLLERR) != 0U) ||
          (kind == Kind::tcp && ready && tcp_send_side_closed(fd));
    if (kind == Kind::pipe) {
      out.data = eof ? 0 : pipe_space(fd);
    } else if (is_socket) {
      out.data = socket_send_space(fd);
    } else {
      out.data = 0;
    }
  }
  out.fflags = 0;
  if (eof) {
    out.flags = static_cast<unsigned short>(out.flags | EV_EOF);
    if (is_socket) {
      // FreeBSD: kn_fflags = so->so_error, which a refused or reset connection leaves behind.
      out.fflags = static_cast<unsigned>(peek_socket_error(fd));
    }
  }
  return ready;
}

}  // namespace kqemu
