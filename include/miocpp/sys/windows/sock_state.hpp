// What the IOCP selector keeps per registered socket while AFD polls it.
#pragma once

#include <cstdint>

#include "afd.hpp"
#include "nt.hpp"
#include "windows.hpp"

namespace miocpp::sys::windows {

enum class PollStatus : std::uint8_t {
  idle,       // no AFD poll in flight
  pending,    // a poll is in flight, watching `pending_events`
  cancelled,  // a poll is in flight and asked to finish; its completion has not arrived yet
};

/// The record an AFD poll writes into and the bookkeeping around it. The kernel owns `iosb` and
/// `poll_info` while a poll is in flight, so a SockState lives until that poll's completion has
/// been dequeued, even if its socket was closed and deregistered long before: it is reference
/// counted (the IoSourceState, the update queue and the in-flight poll each hold one reference).
/// Every field is guarded by the selector's lock.
struct SockState {
  nt::IoStatusBlock iosb{};
  afd::PollInfo poll_info{};
  afd::Helper* helper = nullptr;
  SOCKET base_socket = INVALID_SOCKET;

  std::uint32_t user_events = 0;     // what the registration wants reported (minus what was)
  std::uint32_t pending_events = 0;  // what the poll in flight watches
  std::uint64_t token = 0;

  PollStatus status = PollStatus::idle;
  bool delete_pending = false;  // deregistered or closed: report nothing more
  bool queued = false;          // in the selector's update queue

  int references = 0;
  SockState* next_queued = nullptr;  // the update queue (intrusive: queuing never allocates)
  SockState* previous_live = nullptr;
  SockState* next_live = nullptr;  // every SockState not yet freed, for the selector's teardown
};

}  // namespace miocpp::sys::windows
