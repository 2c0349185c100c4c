// Batches of UDP datagrams on POSIX, behind UdpSocket::recv_batch and send_batch: recvmmsg and
// sendmmsg where the OS has them (Linux, FreeBSD, NetBSD), one recvmsg / sendmsg per datagram
// elsewhere (Apple systems, the rest), with the same contract.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <span>
#include <system_error>

#include "../../config.hpp"
#include "../../net/udp_batch.hpp"
#include "datagram_message.hpp"
#include "error.hpp"
#include "file_io.hpp"
#include "socket.hpp"
#include "udp_offload.hpp"

namespace miocpp::sys::posix::udp_batch {

#if MIOCPP_OS_LINUX || MIOCPP_OS_FREEBSD || MIOCPP_OS_NETBSD
/// Whether one system call moves many datagrams here.
inline constexpr bool one_call_per_chunk = true;
#else
inline constexpr bool one_call_per_chunk = false;
#endif

/// Datagrams per recvmmsg / sendmmsg. Their records live on the stack of the call (about 23 KiB
/// for a receive chunk), so nothing is allocated; a larger batch takes one call per chunk, going
/// on only while each chunk is complete. Far below what the kernel takes in one call (UIO_MAXIOV,
/// 1024).
inline constexpr std::size_t chunk_size = 64;

/// The datagrams of `items` a chunk at a time through `chunk(part, ec)`, which returns how many
/// of `part` it did. Goes on only while a chunk is done whole: a short one means the socket was
/// drained (or its buffer filled), or an error stopped it, which is left in `ec`.
template <class Item, class Chunk>
std::size_t by_chunks(std::span<Item> items, std::error_code& ec, Chunk chunk) noexcept {
  std::size_t done = 0;
  ec.clear();
  while (done < items.size()) {
    const std::span<Item> part = items.subspan(done, std::min(chunk_size, items.size() - done));
    const std::size_t did = chunk(part, ec);
    done += did;
    if (ec || did < part.size()) {
      break;
    }
  }
  return done;
}

#if MIOCPP_OS_LINUX || MIOCPP_OS_FREEBSD || MIOCPP_OS_NETBSD

/// The message headers of one chunk and the records they point at, prepared from `part` (at
/// most chunk_size slots or entries).
template <class Record, class Item>
struct Chunk {
  explicit Chunk(std::span<Item> part) noexcept {
    for (std::size_t i = 0; i < part.size(); ++i) {
      records[i].prepare(part[i], headers[i].msg_hdr);
      headers[i].msg_len = 0;
    }
  }
  std::array<::mmsghdr, chunk_size> headers;
  std::array<Record, chunk_size> records;
};

/// One recvmmsg into the slots of `part`.
inline std::size_t receive_chunk(int fd, std::span<net::RecvDatagram> part,
                                 std::error_code& ec) noexcept {
  Chunk<ReceiveRecord, net::RecvDatagram> chunk(part);
  const std::size_t got = io_result(
      ::recvmmsg(fd, chunk.headers.data(), static_cast<unsigned>(part.size()), 0, nullptr), ec);
  for (std::size_t i = 0; i < got; ++i) {
    chunk.records[i].finish(part[i], chunk.headers[i].msg_hdr,
                            static_cast<std::size_t>(chunk.headers[i].msg_len));
  }
  return got;
}

/// One sendmmsg of the entries of `part`.
inline std::size_t send_chunk(int fd, std::span<const net::SendDatagram> part,
                              std::error_code& ec) noexcept {
  Chunk<SendRecord, const net::SendDatagram> chunk(part);
  return io_result(
      ::sendmmsg(fd, chunk.headers.data(), static_cast<unsigned>(part.size()), no_sigpipe_flag),
      ec);
}

#else

/// One recvmsg per slot of `part`, up to the first that fails.
inline std::size_t receive_chunk(int fd, std::span<net::RecvDatagram> part,
                                 std::error_code& ec) noexcept {
  for (std::size_t i = 0; i < part.size(); ++i) {
    ::msghdr header{};
    ReceiveRecord record;
    record.prepare(part[i], header);
    const std::size_t size = io_result(::recvmsg(fd, &header, 0), ec);
    if (ec) {
      return i;
    }
    record.finish(part[i], header, size);
  }
  return part.size();
}

/// One sendmsg per entry of `part`, up to the first that fails.
inline std::size_t send_chunk(int fd, std::span<const net::SendDatagram> part,
                              std::error_code& ec) noexcept {
  std::size_t sent = 0;
  for (const net::SendDatagram& datagram : part) {
    ::msghdr header{};
    SendRecord record;
    record.prepare(datagram, header);
    if (::sendmsg(fd, &header, no_sigpipe_flag) < 0) {
      ec = last_error();
      break;
    }
    ++sent;
  }
  return sent;
}

#endif

/// The batch calls of concepts::Udp over descriptors.
struct Batches {
  /// Receives into `slots`: how many were filled, and in `ec` what stopped the batch short of
  /// all of them (operation_would_block once the queue is empty), even after some.
  static std::size_t recv_batch(int fd, std::span<net::RecvDatagram> slots,
                                std::error_code& ec) noexcept {
    return by_chunks(slots, ec, [fd](std::span<net::RecvDatagram> part, std::error_code& part_ec) {
      return receive_chunk(fd, part, part_ec);
    });
  }

  /// Sends `datagrams` (checked by net::detail::check_send_batch): how many entries went, and in
  /// `ec` what stopped the batch short of all of them. A segment size where the OS, or the
  /// running kernel, cannot segment is not_supported before anything is sent.
  static std::size_t send_batch(int fd, std::span<const net::SendDatagram> datagrams,
                                std::error_code& ec) noexcept {
    const bool segments =
        std::any_of(datagrams.begin(), datagrams.end(),
                    [](const net::SendDatagram& d) { return d.segment_size != 0; });
    if (segments && !(has_udp_offload && kernel_has_gso(fd))) {
      ec = std::make_error_code(std::errc::not_supported);
      return 0;
    }
    return by_chunks(datagrams, ec,
                     [fd](std::span<const net::SendDatagram> part, std::error_code& part_ec) {
                       return send_chunk(fd, part, part_ec);
                     });
  }
};

}  // namespace miocpp::sys::posix::udp_batch
