// The hand-written twins miocpp's receivers are held to, and the sender every receiver gets:
// epoll directly, edge-triggered, the socket registered once, each readable event received until
// drained, as miocpp's receivers do: until EAGAIN, or for recvmmsg until a call comes back short
// (it stops at the first datagram not there, and every datagram that comes after raises a new
// edge-triggered event). Receive modes:
//   one    recvfrom, one datagram per call, into one 64 KiB slot;
//   batch  recvmmsg, up to 32 datagrams per call, each into its own 64 KiB slot;
//   gro    UDP_GRO on, recvmmsg with a control buffer per slot, from which each train's
//          segment size is read (the datagrams it stands for).
// Sending: sendmmsg of up to 32 messages on a connected socket; with --gso each message carries
// up to 64 datagrams and a UDP_SEGMENT control message (the kernel cuts it).
#include <netinet/udp.h>
#include <sys/epoll.h>
#include <sys/utsname.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "workload.hpp"

namespace {

std::string kernel_release() {
  ::utsname name{};
  ::uname(&name);
  return std::string("Linux ") + name.release;
}

int open_socket() {
  const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    udp::fail("socket");
  }
  return fd;
}

/// True on EAGAIN (drained); any other failure ends the program.
bool drained(const char* call) {
  if (errno == EAGAIN || errno == EWOULDBLOCK) {
    return true;
  }
  if (errno == EINTR) {
    return false;
  }
  udp::fail(call);
}

/// A control buffer per slot, big enough for the UDP_GRO message (an int) and aligned as a
/// cmsghdr must be.
union Control {
  ::cmsghdr header;
  // NOLINTNEXTLINE(*-avoid-c-arrays): raw storage for cmsg(3)
  unsigned char bytes[CMSG_SPACE(sizeof(int))];
};

/// recvmmsg's arrays, pointing into one buffer of batch slots.
class Slots {
 public:
  explicit Slots(bool with_control)
      : buffer_(udp::batch * udp::slot_size), with_control_(with_control) {
    for (std::size_t i = 0; i < udp::batch; ++i) {
      vectors_[i] = {buffer_.data() + i * udp::slot_size, udp::slot_size};
      ::msghdr& header = messages_[i].msg_hdr;
      header.msg_iov = &vectors_[i];
      header.msg_iovlen = 1;
      header.msg_name = &senders_[i];
      if (with_control) {
        header.msg_control = controls_[i].bytes;
      }
    }
  }

  /// One recvmmsg: the messages received, or -1 with errno.
  int receive(int fd) noexcept {
    // The kernel shortens these to what it wrote; each call must offer the full room again.
    for (::mmsghdr& message : messages_) {
      message.msg_hdr.msg_namelen = sizeof(::sockaddr_storage);
      if (with_control_) {
        message.msg_hdr.msg_controllen = sizeof(Control);
      }
    }
    return ::recvmmsg(fd, messages_.data(), udp::batch, 0, nullptr);
  }

  [[nodiscard]] std::size_t size(std::size_t i) const noexcept { return messages_[i].msg_len; }

  /// The segment size of a GRO train (0: a single datagram).
  std::size_t segment_size(std::size_t i) noexcept {
    ::msghdr& header = messages_[i].msg_hdr;
    for (::cmsghdr* control = CMSG_FIRSTHDR(&header); control != nullptr;
         control = CMSG_NXTHDR(&header, control)) {
      if (control->cmsg_level == SOL_UDP && control->cmsg_type == UDP_GRO) {
        int segment = 0;
        std::memcpy(&segment, CMSG_DATA(control), sizeof segment);
        return static_cast<std::size_t>(segment);
      }
    }
    return 0;
  }

 private:
  std::vector<std::byte> buffer_;
  bool with_control_;
  std::array<::iovec, udp::batch> vectors_{};
  std::array<::sockaddr_storage, udp::batch> senders_{};
  std::array<Control, udp::batch> controls_{};
  std::array<::mmsghdr, udp::batch> messages_{};
};

/// recvfrom until EAGAIN; true once the tally is complete.
bool receive_one_by_one(int fd, std::vector<std::byte>& buffer, udp::Tally& tally) {
  for (;;) {
    ::sockaddr_storage from{};
    ::socklen_t length = sizeof from;
    const ::ssize_t size = ::recvfrom(fd, buffer.data(), buffer.size(), 0,
                                      reinterpret_cast<::sockaddr*>(&from), &length);
    if (size < 0) {
      if (drained("recvfrom")) {
        return false;
      }
      continue;
    }
    tally.count(static_cast<std::size_t>(size));
    if (tally.publish()) {
      return true;
    }
  }
}

/// recvmmsg until drained (a short batch, or EAGAIN), counting GRO trains by their segments when
/// `gro`.
bool receive_batches(int fd, Slots& slots, bool gro, udp::Tally& tally) {
  for (;;) {
    const int received = slots.receive(fd);
    if (received < 0) {
      if (drained("recvmmsg")) {
        return false;
      }
      continue;
    }
    for (std::size_t i = 0; i < static_cast<std::size_t>(received); ++i) {
      tally.count(slots.size(i), gro ? slots.segment_size(i) : 0);
    }
    if (tally.publish()) {
      return true;
    }
    if (static_cast<std::size_t>(received) < udp::batch) {
      return false;
    }
  }
}

void receive(const udp::Options& options) {
  const bool one_by_one = options.way == udp::Way::one_by_one;
  const bool gro = options.way == udp::Way::gro;
  const int fd = open_socket();
  const ::sockaddr_in address = udp::loopback(0);
  if (::bind(fd, reinterpret_cast<const ::sockaddr*>(&address), sizeof address) < 0) {
    udp::fail("bind");
  }
  udp::enlarge_receive_buffer(fd);
  const int on = 1;
  if (gro && ::setsockopt(fd, SOL_UDP, UDP_GRO, &on, sizeof on) < 0) {
    udp::fail("UDP_GRO");
  }
  const int epoll = ::epoll_create1(EPOLL_CLOEXEC);
  ::epoll_event registration{};
  // As miocpp registers a readable interest.
  registration.events = EPOLLIN | EPOLLRDHUP | EPOLLET;
  if (epoll < 0 || ::epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &registration) < 0) {
    udp::fail("epoll");
  }
  std::vector<std::byte> buffer(udp::slot_size);
  Slots slots(gro);
  udp::Tally tally(options);
  udp::announce("epoll", udp::local_port(fd), kernel_release());
  tally.wait_for_go();

  std::array<::epoll_event, 64> events{};
  for (;;) {
    const int count = ::epoll_wait(epoll, events.data(), static_cast<int>(events.size()), -1);
    if (count < 0 && errno != EINTR) {
      udp::fail("epoll_wait");
    }
    for (int i = 0; i < count; ++i) {
      const bool complete = one_by_one ? receive_one_by_one(fd, buffer, tally)
                                       : receive_batches(fd, slots, gro, tally);
      if (complete) {
        tally.report();
        return;
      }
    }
  }
}

/// A UDP_SEGMENT control message per message, all saying `size`.
union SegmentControl {
  ::cmsghdr header;
  // NOLINTNEXTLINE(*-avoid-c-arrays): raw storage for cmsg(3)
  unsigned char bytes[CMSG_SPACE(sizeof(std::uint16_t))];
};

void send(const udp::Options& options) {
  const int fd = open_socket();
  const ::sockaddr_in peer = udp::loopback(options.port);
  if (::connect(fd, reinterpret_cast<const ::sockaddr*>(&peer), sizeof peer) < 0) {
    udp::fail("connect");
  }
  const std::size_t segments = options.gso ? udp::gso_segments(options.size) : 1;
  std::vector<std::byte> bytes = udp::payload(options.size, segments);
  std::array<::iovec, udp::batch> vectors{};
  std::array<SegmentControl, udp::batch> controls{};
  std::array<::mmsghdr, udp::batch> messages{};
  for (std::size_t i = 0; i < udp::batch; ++i) {
    messages[i].msg_hdr.msg_iov = &vectors[i];
    messages[i].msg_hdr.msg_iovlen = 1;
    vectors[i].iov_base = bytes.data();
    if (options.gso) {
      ::cmsghdr& control = controls[i].header;
      control.cmsg_level = SOL_UDP;
      control.cmsg_type = UDP_SEGMENT;
      control.cmsg_len = CMSG_LEN(sizeof(std::uint16_t));
      const auto segment = static_cast<std::uint16_t>(options.size);
      std::memcpy(CMSG_DATA(&control), &segment, sizeof segment);
      messages[i].msg_hdr.msg_control = controls[i].bytes;
      messages[i].msg_hdr.msg_controllen = sizeof(SegmentControl);
    }
  }
  udp::send_all(options, [&](const udp::Plan& plan) -> std::size_t {
    for (std::size_t i = 0; i < plan.messages; ++i) {
      vectors[i].iov_len = plan.datagrams[i] * options.size;
    }
    const int sent = ::sendmmsg(fd, messages.data(), static_cast<unsigned>(plan.messages), 0);
    if (sent < 0) {
      if (errno == EAGAIN || errno == ENOBUFS || errno == EINTR) {
        return 0;
      }
      udp::fail("sendmmsg");
    }
    return static_cast<std::size_t>(sent);
  });
}

}  // namespace

int main(int argc, char** argv) {
  udp::run(udp::parse(argc, argv), send, receive);
}
