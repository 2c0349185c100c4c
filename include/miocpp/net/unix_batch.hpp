// UnixRecvDatagram and UnixSendDatagram: one slot of UnixDatagram::recv_batch and one entry of
// UnixDatagram::send_batch.
#pragma once

#include <cstddef>
#include <optional>
#include <span>

#include "unix_socket_addr.hpp"

namespace miocpp::net {

/// One slot of a receive batch (UnixDatagram::recv_batch): the caller's buffer, and what the
/// batch filled in.
struct UnixRecvDatagram {
  /// In: where the datagram goes.
  std::span<std::byte> buffer;
  /// Out: bytes received (at most `buffer.size()`; 0 for an empty datagram).
  std::size_t size = 0;
  /// Out: the sender (unnamed when it never bound its socket).
  UnixSocketAddr from;
  /// Out: the datagram was longer than `buffer`; the rest of it is lost.
  bool truncated = false;
};

/// One entry of a send batch (UnixDatagram::send_batch): a datagram and where it goes.
struct UnixSendDatagram {
  /// The payload.
  std::span<const std::byte> bytes;
  /// The destination; nullopt: the connected peer (UnixDatagram::connect, or the other end of a
  /// pair).
  std::optional<UnixSocketAddr> to;
};

}  // namespace miocpp::net
