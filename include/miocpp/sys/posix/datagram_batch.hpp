// Batches of datagrams on POSIX, whatever their family: recvmmsg and sendmmsg where the OS has
// them (Linux, FreeBSD, NetBSD), one recvmsg / sendmsg per datagram elsewhere (Apple systems, the
// rest), with the same contract. A family brings the records one datagram's msghdr points at
// (UDP: datagram_message.hpp, Unix: uds/batch_records.hpp); the calls are written here once.
#pragma once

#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <span>
#include <system_error>
#include <type_traits>

#include "../../config.hpp"
#include "error.hpp"
#include "file_io.hpp"
#include "socket.hpp"

namespace miocpp::sys::posix::datagram_batch {

/// Datagrams per recvmmsg / sendmmsg. Their records live on the stack of the call (about 23 KiB
/// for a UDP receive chunk), so nothing is allocated; a larger batch takes one call per chunk,
/// going on only while each chunk is complete. Far below what the kernel takes in one call
/// (UIO_MAXIOV, 1024).
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

// A Record is what one datagram's msghdr points at: `prepare(item, message)` points `message` at
// the item's buffer and at the record (starting with point_at), and, for a receive,
// `finish(slot, message, size)` fills the slot from what the kernel wrote.

/// Clears `message` and points it at `bytes`, through `data`, and at the address record `name`
/// of `length` bytes (or none: null, 0).
template <class Byte>
void point_at(::msghdr& message, ::iovec& data, std::span<Byte> bytes, void* name,
              ::socklen_t length) noexcept {
  // NOLINTNEXTLINE(*-const-cast): a send's bytes are only read
  data.iov_base = const_cast<std::remove_const_t<Byte>*>(bytes.data());
  data.iov_len = bytes.size();
  message = {};
  message.msg_name = name;
  message.msg_namelen = length;
  message.msg_iov = &data;
  message.msg_iovlen = 1;
}

#if MIOCPP_OS_LINUX || MIOCPP_OS_FREEBSD || MIOCPP_OS_NETBSD

/// The message headers of one chunk and the records they point at, prepared from `part` (at
/// most chunk_size slots or entries). Nothing else is initialized: a chunk's records are
/// kilobytes, and a call when the receiver keeps up finds a few datagrams.
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
template <class Record, class Slot>
std::size_t receive_chunk(int fd, std::span<Slot> part, std::error_code& ec) noexcept {
  Chunk<Record, Slot> chunk(part);
  const std::size_t got = io_result(
      ::recvmmsg(fd, chunk.headers.data(), static_cast<unsigned>(part.size()), 0, nullptr), ec);
  for (std::size_t i = 0; i < got; ++i) {
    chunk.records[i].finish(part[i], chunk.headers[i].msg_hdr,
                            static_cast<std::size_t>(chunk.headers[i].msg_len));
  }
  return got;
}

/// One sendmmsg of the entries of `part`.
template <class Record, class Entry>
std::size_t send_chunk(int fd, std::span<const Entry> part, std::error_code& ec) noexcept {
  Chunk<Record, const Entry> chunk(part);
  return io_result(
      ::sendmmsg(fd, chunk.headers.data(), static_cast<unsigned>(part.size()), no_sigpipe_flag),
      ec);
}

#else

/// One recvmsg per slot of `part`, up to the first that fails.
template <class Record, class Slot>
std::size_t receive_chunk(int fd, std::span<Slot> part, std::error_code& ec) noexcept {
  for (std::size_t i = 0; i < part.size(); ++i) {
    ::msghdr header{};
    Record record;
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
template <class Record, class Entry>
std::size_t send_chunk(int fd, std::span<const Entry> part, std::error_code& ec) noexcept {
  std::size_t sent = 0;
  for (const Entry& datagram : part) {
    ::msghdr header{};
    Record record;
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

/// Receives into `slots` through records of type `Record`: how many were filled, and in `ec`
/// what stopped the batch short of all of them (operation_would_block once the queue is empty),
/// even after some.
template <class Record, class Slot>
std::size_t receive(int fd, std::span<Slot> slots, std::error_code& ec) noexcept {
  return by_chunks(slots, ec, [fd](std::span<Slot> part, std::error_code& part_ec) {
    return receive_chunk<Record>(fd, part, part_ec);
  });
}

/// Sends `datagrams` through records of type `Record`: how many entries went, and in `ec` what
/// stopped the batch short of all of them.
template <class Record, class Entry>
std::size_t send(int fd, std::span<const Entry> datagrams, std::error_code& ec) noexcept {
  return by_chunks(datagrams, ec, [fd](std::span<const Entry> part, std::error_code& part_ec) {
    return send_chunk<Record>(fd, part, part_ec);
  });
}

}  // namespace miocpp::sys::posix::datagram_batch
