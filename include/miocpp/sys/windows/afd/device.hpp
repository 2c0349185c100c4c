// A handle on the AFD driver itself (\Device\Afd), through which socket polls are started and
// cancelled; their completions arrive on the completion port it is associated with.
#pragma once

#include <system_error>

#include "../error.hpp"
#include "../handle.hpp"
#include "../iocp.hpp"
#include "../windows.hpp"
#include "ntdll.hpp"
#include "poll.hpp"

namespace miocpp::sys::windows::afd {

class Device {
 public:
  Device() noexcept = default;

  /// Opens the driver and attaches the handle to `port` with completion key `key`.
  Device(const CompletionPort& port, ULONG_PTR key, std::error_code& ec) noexcept {
    const Ntdll& nt = ntdll();
    if (!nt.loaded) {
      ec = win32_code(ERROR_PROC_NOT_FOUND);
      return;
    }
    // Any name below \Device\Afd opens the driver itself; the suffix only shows up in handle
    // listings.
    static constexpr wchar_t name[] = L"\\Device\\Afd\\Miocpp";  // NOLINT(*-avoid-c-arrays)
    static constexpr UnicodeString object_name{sizeof(name) - sizeof(wchar_t),
                                               sizeof(name) - sizeof(wchar_t), name};
    const ObjectAttributes attributes{
        sizeof(ObjectAttributes), nullptr, &object_name, 0, nullptr, nullptr};
    HANDLE raw = nullptr;
    IoStatusBlock status{};
    const Status result =
        nt.create_file(&raw, SYNCHRONIZE, &attributes, &status, nullptr, 0,
                       FILE_SHARE_READ | FILE_SHARE_WRITE, 1 /* FILE_OPEN */, 0, nullptr, 0);
    if (result != status_success) {
      ec = status_error(result);
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
  void poll(PollInfo& info, IoStatusBlock& status, void* context,
            std::error_code& ec) const noexcept {
    status.status = status_pending;
    const Status result =
        ntdll().device_io_control_file(handle_.native_handle(), nullptr, nullptr, context, &status,
                                       ioctl_poll, &info, sizeof info, &info, sizeof info);
    if (result == status_success || result == status_pending) {
      ec.clear();
      return;
    }
    ec = status_error(result);
  }

  /// Asks the kernel to finish the poll of `status` early; its completion (STATUS_CANCELLED, or
  /// its real result if it won the race) still arrives. A poll already finished is left alone.
  void cancel(IoStatusBlock& status, std::error_code& ec) const noexcept {
    if (status.status != status_pending) {
      ec.clear();
      return;
    }
    IoStatusBlock cancel_status{};
    const Status result =
        ntdll().cancel_io_file_ex(handle_.native_handle(), &status, &cancel_status);
    if (result == status_success || result == status_not_found) {
      ec.clear();
      return;
    }
    ec = status_error(result);
  }

  [[nodiscard]] HANDLE native_handle() const noexcept { return handle_.native_handle(); }

 private:
  Handle handle_;
};

}  // namespace miocpp::sys::windows::afd
