// Owned Windows handles: a Win32 HANDLE, and (socket.hpp) a Winsock SOCKET, closed the same way.
#pragma once

#include "../common/owned_handle.hpp"
#include "windows.hpp"

namespace miocpp::sys::windows {

/// What a Windows handle kind is to common::OwnedHandle: `Empty` is the one value that means
/// none, `Close` closes any other. Kernel handles and Winsock sockets differ only in those two.
template <class Native, Native Empty, auto Close>
struct ClosedBy {
  using native_handle_type = Native;
  static constexpr Native empty = Empty;
  static bool is_valid(Native handle) noexcept { return handle != empty; }
  static void close(Native handle) noexcept { Close(handle); }
};

/// A kernel object handle. Null means empty: INVALID_HANDLE_VALUE is never stored, the calls that
/// return it are checked before a Handle is made.
using Handle = common::OwnedHandle<ClosedBy<HANDLE, nullptr, &::CloseHandle>>;

}  // namespace miocpp::sys::windows
