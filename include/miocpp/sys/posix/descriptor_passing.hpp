// Passing open descriptors over a Unix-domain socket: the sendmsg and recvmsg with an SCM_RIGHTS
// control message (unix(7), cmsg(3)) behind Uds::send_with_fds and Uds::recv_with_fds.
#pragma once

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <span>
#include <system_error>

#include "../../net/received_with_fds.hpp"
#include "error.hpp"
#include "file_io.hpp"
#include "socket.hpp"

namespace miocpp::sys::posix::descriptor_passing {

/// Room for the control data of one message of up to net::max_fds_per_message descriptors,
/// aligned as a control message header must be. It lives on the stack of each call (about
/// 1 KiB): nothing is allocated.
union ControlBuffer {
  ::cmsghdr header;
  // NOLINTNEXTLINE(*-avoid-c-arrays): raw storage for cmsg(3)
  unsigned char bytes[CMSG_SPACE(sizeof(int) * net::max_fds_per_message)];
};

// Received descriptors are close-on-exec from the start where recvmsg can be asked to
// (MSG_CMSG_CLOEXEC: Linux and the BSDs). Elsewhere (Apple systems) fcntl sets it right after,
// and a fork+exec in another thread in between inherits them, as for socket() there.
#if defined(MSG_CMSG_CLOEXEC)
inline constexpr int receive_flags = MSG_CMSG_CLOEXEC;
inline constexpr bool close_on_exec_on_receive = true;
#else
inline constexpr int receive_flags = 0;
inline constexpr bool close_on_exec_on_receive = false;
#endif

/// One sendmsg of `bytes` carrying `fds` (none: no control data), to `to` when it is not null,
/// without SIGPIPE. The descriptors go with the first byte, so a short send still delivers them.
/// More than net::max_fds_per_message is std::errc::invalid_argument, and nothing is sent.
inline std::size_t send(int fd, std::span<const std::byte> bytes, std::span<const int> fds,
                        const ::sockaddr* to, ::socklen_t to_length, std::error_code& ec) noexcept {
  if (fds.size() > net::max_fds_per_message) {
    ec = std::make_error_code(std::errc::invalid_argument);
    return 0;
  }
  // NOLINTNEXTLINE(*-const-cast): sendmsg only reads the data and the address
  ::iovec data{const_cast<std::byte*>(bytes.data()), bytes.size()};
  ::msghdr message{};
  message.msg_name = const_cast<::sockaddr*>(to);  // NOLINT(*-const-cast)
  message.msg_namelen = to == nullptr ? 0 : to_length;
  message.msg_iov = &data;
  message.msg_iovlen = 1;
  ControlBuffer control;
  if (!fds.empty()) {
    const std::size_t size = fds.size() * sizeof(int);
    const std::size_t space = CMSG_SPACE(size);
    std::memset(control.bytes, 0, space);  // the padding too: nothing of this stack goes out
    control.header.cmsg_level = SOL_SOCKET;
    control.header.cmsg_type = SCM_RIGHTS;
    control.header.cmsg_len = static_cast<decltype(control.header.cmsg_len)>(CMSG_LEN(size));
    std::memcpy(CMSG_DATA(&control.header), fds.data(), size);
    message.msg_control = control.bytes;
    message.msg_controllen = static_cast<decltype(message.msg_controllen)>(space);
  }
  return io_result(::sendmsg(fd, &message, no_sigpipe_flag), ec);
}

/// Closes the descriptors in `fds`: a receive that fails gives none back.
inline void close_all(std::span<const int> fds) noexcept {
  for (const int fd : fds) {
    ::close(fd);
  }
}

/// The descriptors of the SCM_RIGHTS messages in `message`'s control data, into `fds` (their
/// count is returned); those that do not fit are closed and set `overflow`. A count the kernel
/// states beyond the control data it wrote (a system that truncates it) is cut to what is there.
inline std::size_t take_descriptors(::msghdr& message, std::span<int> fds,
                                    bool& overflow) noexcept {
  std::size_t taken = 0;
  const auto* const end = static_cast<const unsigned char*>(message.msg_control) +
                          static_cast<std::size_t>(message.msg_controllen);
  for (::cmsghdr* header = CMSG_FIRSTHDR(&message); header != nullptr;
       header = CMSG_NXTHDR(&message, header)) {
    if (header->cmsg_level != SOL_SOCKET || header->cmsg_type != SCM_RIGHTS) {
      continue;
    }
    const unsigned char* const data = CMSG_DATA(header);
    const auto length = static_cast<std::size_t>(header->cmsg_len);
    const std::size_t stated = length > CMSG_LEN(0) ? length - CMSG_LEN(0) : 0;
    const std::size_t present = data < end ? static_cast<std::size_t>(end - data) : 0;
    const std::size_t count = std::min(stated, present) / sizeof(int);
    for (std::size_t i = 0; i < count; ++i) {
      int fd = -1;
      std::memcpy(&fd, data + i * sizeof(int), sizeof fd);  // cmsg data need not be aligned
      if (taken < fds.size()) {
        fds[taken++] = fd;
      } else {
        ::close(fd);
        overflow = true;
      }
    }
  }
  return taken;
}

/// One recvmsg into `buffer`, with room for up to `fds.size()` descriptors (at most
/// net::max_fds_per_message). On success the first `.fds` of `fds` are received descriptors,
/// close-on-exec, for the caller to own. Otherwise every descriptor the message brought is closed
/// and none is reported: std::errc::message_size when they did not all fit (the bytes, still
/// received, are counted), or the error of the call that failed.
inline net::ReceivedWithFds receive(int fd, std::span<std::byte> buffer, std::span<int> fds,
                                    std::error_code& ec) noexcept {
  const std::span<int> room = fds.first(std::min(fds.size(), net::max_fds_per_message));
  ::iovec data{buffer.data(), buffer.size()};
  ::msghdr message{};
  message.msg_iov = &data;
  message.msg_iovlen = 1;
  ControlBuffer control;
  if (!room.empty()) {
    message.msg_control = control.bytes;
    message.msg_controllen =
        static_cast<decltype(message.msg_controllen)>(CMSG_SPACE(room.size() * sizeof(int)));
  }
  const std::size_t bytes = io_result(::recvmsg(fd, &message, receive_flags), ec);
  if (ec) {
    return {};
  }
  bool overflow = (message.msg_flags & MSG_CTRUNC) != 0;
  const std::span<int> taken = room.first(take_descriptors(message, room, overflow));
  if constexpr (!close_on_exec_on_receive) {
    for (const int received : taken) {
      if (::fcntl(received, F_SETFD, FD_CLOEXEC) < 0) {
        ec = last_error();
        close_all(taken);
        return {};
      }
    }
  }
  if (overflow) {
    close_all(taken);
    ec = std::make_error_code(std::errc::message_size);
    return {bytes, 0};
  }
  return {bytes, taken.size()};
}

}  // namespace miocpp::sys::posix::descriptor_passing
