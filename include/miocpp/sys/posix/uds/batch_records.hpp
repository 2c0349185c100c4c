// One datagram of a Unix-domain batch as a msghdr: the records a recvmmsg slot or a sendmmsg
// entry points at (its iovec and its address), filled from and read back into
// net::UnixRecvDatagram / net::UnixSendDatagram (see datagram_batch.hpp).
#pragma once

#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <system_error>

#include "../../../net/unix_batch.hpp"
#include "../datagram_batch.hpp"
#include "socket_addr.hpp"

namespace miocpp::sys::posix::uds {

/// The records behind one receive slot's msghdr: its buffer's iovec and the sender's address.
/// Nothing is initialized (a chunk holds 64 of them, whatever the batch size): prepare() sets
/// what the kernel reads, and the kernel writes the rest.
struct ReceiveRecord {
  ::iovec data;
  ::sockaddr_un sender;

  /// Points `message` at `slot`'s buffer and at this record.
  void prepare(net::UnixRecvDatagram& slot, ::msghdr& message) noexcept {
    datagram_batch::point_at(message, data, slot.buffer, &sender, sizeof sender);
  }

  /// Fills `slot` from `message`, which received `size` bytes.
  void finish(net::UnixRecvDatagram& slot, const ::msghdr& message, std::size_t size) noexcept {
    slot.size = size;
    slot.truncated = (message.msg_flags & MSG_TRUNC) != 0;
    // Read in place: only the bytes the kernel wrote are looked at.
    slot.from = from_sockaddr_un(sender, std::min<::socklen_t>(message.msg_namelen, sizeof sender));
  }
};

/// The records behind one send entry's msghdr: its bytes' iovec and the destination's address.
/// Nothing is initialized until prepare(), as for ReceiveRecord.
struct SendRecord {
  ::iovec data;
  ::sockaddr_un target;

  /// Points `message` at `datagram`'s bytes and at this record. Its destination fits sun_path:
  /// Uds::send_batch checks every entry's before the batch.
  void prepare(const net::UnixSendDatagram& datagram, ::msghdr& message) noexcept {
    datagram_batch::point_at(message, data, datagram.bytes, nullptr, 0);
    if (datagram.to) {
      std::error_code checked;  // cannot be set: the address was checked
      const RawUnixAddr raw = to_raw(*datagram.to, checked);
      std::memcpy(&target, &raw.storage, raw.length);
      message.msg_name = &target;
      message.msg_namelen = raw.length;
    }
  }
};

}  // namespace miocpp::sys::posix::uds
