// The native NT calls that reach the AFD driver, resolved from ntdll.dll at run time.
//
// They are not part of the Win32 import libraries every toolchain ships (mingw-w64 and MSVC
// differ), and their declarations live in DDK headers; resolving them once with GetProcAddress
// keeps the library header-only and the link line to ws2_32 alone. The records below are the
// documented NT layouts, declared here for the same reason.
#pragma once

#include <cstdint>
#include <system_error>

#include "../error.hpp"
#include "../windows.hpp"

namespace miocpp::sys::windows::afd {

using Status = LONG;  // NTSTATUS

inline constexpr Status status_success = 0;
inline constexpr Status status_pending = 0x00000103;
inline constexpr Status status_cancelled = static_cast<Status>(0xC0000120);
inline constexpr Status status_not_found = static_cast<Status>(0xC0000225);

/// IO_STATUS_BLOCK: the kernel writes the outcome of an asynchronous request here.
struct IoStatusBlock {
  union {
    Status status;
    void* pointer;
  };
  ULONG_PTR information;
};

struct UnicodeString {
  USHORT length;
  USHORT maximum_length;
  const wchar_t* buffer;
};

struct ObjectAttributes {
  ULONG length;
  HANDLE root_directory;
  const UnicodeString* object_name;
  ULONG attributes;
  void* security_descriptor;
  void* security_quality_of_service;
};

using NtCreateFileFn = Status(NTAPI*)(HANDLE* file, ACCESS_MASK access,
                                      const ObjectAttributes* attributes, IoStatusBlock* status,
                                      LARGE_INTEGER* allocation_size, ULONG file_attributes,
                                      ULONG share_access, ULONG create_disposition,
                                      ULONG create_options, void* ea_buffer, ULONG ea_length);
using NtDeviceIoControlFileFn = Status(NTAPI*)(HANDLE file, HANDLE event, void* apc_routine,
                                               void* apc_context, IoStatusBlock* status,
                                               ULONG io_control_code, void* input_buffer,
                                               ULONG input_length, void* output_buffer,
                                               ULONG output_length);
using NtCancelIoFileExFn = Status(NTAPI*)(HANDLE file, IoStatusBlock* request,
                                          IoStatusBlock* status);
using RtlNtStatusToDosErrorFn = ULONG(NTAPI*)(Status status);

/// The resolved entry points; `loaded` is false when ntdll lacks one (then the selector cannot
/// be opened and reports ERROR_PROC_NOT_FOUND).
struct Ntdll {
  NtCreateFileFn create_file = nullptr;
  NtDeviceIoControlFileFn device_io_control_file = nullptr;
  NtCancelIoFileExFn cancel_io_file_ex = nullptr;
  RtlNtStatusToDosErrorFn status_to_dos_error = nullptr;
  bool loaded = false;
};

template <class Function>
Function resolve(HMODULE module, const char* name) noexcept {
  // GetProcAddress returns a generic function pointer; going through void* is the conversion
  // -Wcast-function-type accepts.
  return reinterpret_cast<Function>(                             // NOLINT(*-reinterpret-cast)
      reinterpret_cast<void*>(::GetProcAddress(module, name)));  // NOLINT(*-reinterpret-cast)
}

/// Resolved on first use, once per process (ntdll is always loaded, never unloaded).
inline const Ntdll& ntdll() noexcept {
  static const Ntdll resolved = [] {
    Ntdll result;
    const HMODULE module = ::GetModuleHandleW(L"ntdll.dll");
    if (module == nullptr) {
      return result;
    }
    result.create_file = resolve<NtCreateFileFn>(module, "NtCreateFile");
    result.device_io_control_file =
        resolve<NtDeviceIoControlFileFn>(module, "NtDeviceIoControlFile");
    result.cancel_io_file_ex = resolve<NtCancelIoFileExFn>(module, "NtCancelIoFileEx");
    result.status_to_dos_error = resolve<RtlNtStatusToDosErrorFn>(module, "RtlNtStatusToDosError");
    result.loaded = result.create_file != nullptr && result.device_io_control_file != nullptr &&
                    result.cancel_io_file_ex != nullptr && result.status_to_dos_error != nullptr;
    return result;
  }();
  return resolved;
}

/// An NTSTATUS as the Win32 error it corresponds to.
inline std::error_code status_error(Status status) noexcept {
  const Ntdll& nt = ntdll();
  return win32_code(nt.status_to_dos_error != nullptr ? nt.status_to_dos_error(status)
                                                      : static_cast<DWORD>(ERROR_MR_MID_NOT_FOUND));
}

}  // namespace miocpp::sys::windows::afd
