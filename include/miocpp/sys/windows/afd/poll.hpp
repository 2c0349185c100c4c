// The AFD driver's poll request (IOCTL_AFD_POLL): its event bits, what they mean as readiness, and
// the record the driver reads the request from and writes its answer into.
//
// Winsock sockets are files of the Ancillary Function Driver. Opening \Device\Afd itself gives a
// handle on which IOCTL_AFD_POLL asks "tell me when any of these events happens on this socket";
// the answer arrives as a completion on the port the handle is associated with. This is what
// wepoll and mio do; it is the only way to wait for socket readiness through a completion port
// (WSAPoll and select cannot be combined with IOCP).
#pragma once

#include <cstdint>

#include "../../../interest.hpp"
#include "../windows.hpp"
#include "ntdll.hpp"

namespace miocpp::sys::windows::afd {

inline constexpr ULONG ioctl_poll = 0x00012024;  // IOCTL_AFD_POLL

// Event bits of AFD_POLL_HANDLE_INFO::events.
inline constexpr std::uint32_t poll_receive = 0x0001;
inline constexpr std::uint32_t poll_receive_expedited = 0x0002;
inline constexpr std::uint32_t poll_send = 0x0004;
inline constexpr std::uint32_t poll_disconnect = 0x0008;   // the peer shut down its sending side
inline constexpr std::uint32_t poll_abort = 0x0010;        // the connection was reset
inline constexpr std::uint32_t poll_local_close = 0x0020;  // our own handle was closed
// Not asked for: AFD reports it on every poll of a connected socket, not once (see wepoll).
inline constexpr std::uint32_t poll_connect = 0x0040;
inline constexpr std::uint32_t poll_accept = 0x0080;
inline constexpr std::uint32_t poll_connect_fail = 0x0100;

inline constexpr std::uint32_t known_events = poll_receive | poll_receive_expedited | poll_send |
                                              poll_disconnect | poll_abort | poll_local_close |
                                              poll_accept | poll_connect_fail;

// What each readiness question of an Event means in AFD bits (mio's mapping: a failed connect
// or a reset makes a socket readable, writable, closed both ways; a FIN closes the read half).
inline constexpr std::uint32_t readable_events =
    poll_receive | poll_disconnect | poll_accept | poll_abort | poll_connect_fail;
inline constexpr std::uint32_t writable_events = poll_send | poll_abort | poll_connect_fail;
inline constexpr std::uint32_t error_events = poll_connect_fail;
inline constexpr std::uint32_t read_closed_events =
    poll_disconnect | poll_abort | poll_connect_fail;
inline constexpr std::uint32_t write_closed_events = poll_abort | poll_connect_fail;
inline constexpr std::uint32_t priority_events = poll_receive_expedited;

/// The bits a registration for `interest` watches. A failed connect and a reset are always
/// watched (mio does the same): they end the socket's usefulness whatever was asked for.
inline std::uint32_t events_for(Interest interest) noexcept {
  std::uint32_t events = poll_connect_fail | poll_abort;
  if (interest.is_readable()) {
    events |= readable_events | read_closed_events | error_events;
  }
  if (interest.is_writable()) {
    events |= writable_events | write_closed_events | error_events;
  }
  if (interest.is_priority()) {
    events |= poll_receive_expedited;
  }
  return events;
}

struct PollHandleInfo {
  HANDLE handle;
  ULONG events;
  Status status;
};

/// AFD_POLL_INFO with room for one socket: miocpp polls each socket with its own request, so a
/// change of interest cancels only that socket's poll.
struct PollInfo {
  LARGE_INTEGER timeout;
  ULONG number_of_handles;
  ULONG exclusive;
  PollHandleInfo handles[1];  // NOLINT(*-avoid-c-arrays): the driver's record layout
};

}  // namespace miocpp::sys::windows::afd
