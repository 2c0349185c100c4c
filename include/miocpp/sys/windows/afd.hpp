// The AFD driver's poll request: how a readiness selector is built on IOCP.
//
// Winsock sockets are files of the Ancillary Function Driver. Opening \Device\Afd itself gives a
// handle on which IOCTL_AFD_POLL asks "tell me when any of these events happens on this socket";
// the answer arrives as a completion on the port the helper handle is associated with. This is
// what wepoll and mio do; it is the only way to wait for socket readiness through a completion
// port (WSAPoll and select cannot be combined with IOCP).
#pragma once

#include <cstdint>
#include <system_error>

#include "error.hpp"
#include "handle.hpp"
#include "iocp.hpp"
#include "nt.hpp"
#include "windows.hpp"

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

struct PollHandleInfo {
  HANDLE handle;
  ULONG events;
  nt::Status status;
};

/// AFD_POLL_INFO with room for one socket: miocpp polls each socket with its own request, so a
/// change of interest cancels only that socket's poll.
struct PollInfo {
  LARGE_INTEGER timeout;
  ULONG number_of_handles;
  ULONG exclusive;
  PollHandleInfo handles[1];  // NOLINT(*-avoid-c-arrays): the driver's record layout
};

/// One \Device\Afd helper handle, associated with a completion port. Up to `max_users` sockets
/// share it (each poll is a separate request on it).
class Helper {
 public:
  static constexpr int max_users = 32;

  Helper() noexcept = default;

  /// Opens a helper and attaches it to `port` with completion key `key`.
  Helper(const CompletionPort& port, ULONG_PTR key, std::error_code& ec) noexcept {
    const nt::Api& api = nt::api();
    if (!api.loaded) {
      ec = win32_code(ERROR_PROC_NOT_FOUND);
      return;
    }
    // Any name below \Device\Afd opens the driver itself; the suffix only shows up in handle
    // listings.
    static constexpr wchar_t name[] = L"\\Device\\Afd\\Miocpp";  // NOLINT(*-avoid-c-arrays)
    static constexpr nt::UnicodeString object_name{sizeof(name) - sizeof(wchar_t),
                                                   sizeof(name) - sizeof(wchar_t), name};
    const nt::ObjectAttributes attributes{
        sizeof(nt::ObjectAttributes), nullptr, &object_name, 0, nullptr, nullptr};
    HANDLE raw = nullptr;
    nt::IoStatusBlock status{};
    const nt::Status result =
        api.create_file(&raw, SYNCHRONIZE, &attributes, &status, nullptr, 0,
                        FILE_SHARE_READ | FILE_SHARE_WRITE, 1 /* FILE_OPEN */, 0, nullptr, 0);
    if (result != nt::status_success) {
      ec = win32_code(nt::to_win32(result));
      return;
    }
    handle_.reset(raw);
    port.add_handle(raw, key, ec);
    if (ec) {
      handle_.reset();
      return;
    }
    // The completion port is how we learn of completions; signalling the handle as an event as
    // well would only cost time.
    if (::SetFileCompletionNotificationModes(raw, FILE_SKIP_SET_EVENT_ON_HANDLE) == 0) {
      ec = last_error();
      handle_.reset();
      return;
    }
    ec.clear();
  }

  /// Starts an IOCTL_AFD_POLL for `info`. Its completion carries `context` as its OVERLAPPED
  /// pointer; until it arrives the kernel owns `info` and `status`. A result the kernel reports
  /// at once still arrives as a completion.
  void poll(PollInfo& info, nt::IoStatusBlock& status, void* context,
            std::error_code& ec) const noexcept {
    status.status = nt::status_pending;
    const nt::Status result = nt::api().device_io_control_file(
        handle_.native_handle(), nullptr, nullptr, context, &status, ioctl_poll, &info, sizeof info,
        &info, sizeof info);
    if (result == nt::status_success || result == nt::status_pending) {
      ec.clear();
      return;
    }
    ec = win32_code(nt::to_win32(result));
  }

  /// Asks the kernel to finish the poll of `status` early; its completion (STATUS_CANCELLED, or
  /// its real result if it won the race) still arrives. A poll already finished is left alone.
  void cancel(nt::IoStatusBlock& status, std::error_code& ec) const noexcept {
    if (status.status != nt::status_pending) {
      ec.clear();
      return;
    }
    nt::IoStatusBlock cancel_status{};
    const nt::Status result =
        nt::api().cancel_io_file_ex(handle_.native_handle(), &status, &cancel_status);
    if (result == nt::status_success || result == nt::status_not_found) {
      ec.clear();
      return;
    }
    ec = win32_code(nt::to_win32(result));
  }

  [[nodiscard]] HANDLE native_handle() const noexcept { return handle_.native_handle(); }

  int users = 0;  // sockets whose state refers to this helper (guarded by the selector's lock)

 private:
  Handle handle_;
};

}  // namespace miocpp::sys::windows::afd
