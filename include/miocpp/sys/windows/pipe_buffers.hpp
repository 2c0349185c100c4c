// The overlapped operations of a named pipe and the buffers behind them: the read-ahead that
// read() hands out from, and the write-behind that write() copies into.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <system_error>
#include <utility>
#include <vector>

#include "../../config.hpp"
#include "completion_target.hpp"
#include "error.hpp"
#include "windows.hpp"

namespace miocpp::sys::windows {

class PipeState;

/// One kind of overlapped operation of a pipe. Its CompletionTarget (and so its OVERLAPPED) is
/// its first member, so a completion leads back to the pipe.
struct PipeOperation {
  CompletionTarget target;
  PipeState* owner = nullptr;

  static PipeState& owner_of(CompletionTarget& target) noexcept {
    return *reinterpret_cast<PipeOperation*>(&target)->owner;  // NOLINT(*-reinterpret-cast)
  }

  /// The OVERLAPPED, cleared for a new operation.
  OVERLAPPED* fresh() noexcept {
    target.overlapped = OVERLAPPED{};
    return &target.overlapped;
  }

  /// The outcome of the finished operation on `handle`: 0 or its error.
  DWORD result(HANDLE handle) noexcept {
    DWORD transferred = 0;
    if (::GetOverlappedResult(handle, &target.overlapped, &transferred, FALSE) == 0) {
      return ::GetLastError();
    }
    return 0;
  }
};

/// Runs `allocation` (a resize, an assign); false when it runs out of memory. Without exceptions
/// running out of memory ends the program anyway.
template <class Allocation>
bool try_allocate(Allocation&& allocation) noexcept {
#if MIOCPP_HAS_EXCEPTIONS
  try {
    allocation();
  } catch (...) {
    return false;
  }
#else
  allocation();
#endif
  return true;
}

/// Where the read-ahead or the write-behind stands.
enum class PipeIo : std::uint8_t { none, pending, ready, failed };

/// What the read-ahead and the write-behind both are: an operation, its buffer, how far it got.
struct PipeBuffer {
  PipeOperation operation;
  PipeIo state = PipeIo::none;
  std::vector<std::byte> buffer;
  std::size_t size = 0;      // bytes that count in `buffer`
  std::size_t position = 0;  // bytes of those handed out (reads) or sent (writes)
  std::error_code error;

  void fail(std::error_code why) noexcept {
    state = PipeIo::failed;
    error = why;
  }

  /// The failure of the last operation, handed out once (the state is back to none).
  std::error_code take_failure() noexcept {
    state = PipeIo::none;
    return std::exchange(error, std::error_code());
  }
};

/// A ReadFile kept in flight into an internal buffer, and what it brought that read() has not
/// handed out yet.
struct ReadAhead : PipeBuffer {
  static constexpr std::size_t buffer_size = 4096;

  /// Allocates the buffer on first use; false when out of memory.
  bool allocate() noexcept {
    return !buffer.empty() || try_allocate([this] { buffer.resize(buffer_size); });
  }

  /// Starts a ReadFile on `pipe`: 0 when it is in flight (its completion comes, even when the
  /// read is done at once), else the error.
  DWORD start(HANDLE pipe) noexcept {
    if (::ReadFile(pipe, buffer.data(), static_cast<DWORD>(buffer.size()), nullptr,
                   operation.fresh()) != 0) {
      state = PipeIo::pending;
      return 0;
    }
    const DWORD failure = ::GetLastError();
    if (failure == ERROR_IO_PENDING || failure == ERROR_MORE_DATA) {
      // ERROR_MORE_DATA (a message larger than the buffer) is a partial success: it completes
      // through the port like a normal read, and the rest of the message is read next.
      state = PipeIo::pending;
      return 0;
    }
    return failure;
  }

  /// The read in flight finished with `failure` (0 or an error), `transferred` bytes arrived.
  void finished(DWORD failure, std::size_t transferred) noexcept {
    if (failure == 0 || failure == ERROR_MORE_DATA) {
      state = PipeIo::ready;
      size = transferred;
      position = 0;
    } else {
      fail(win32_code(failure));
    }
  }

  /// Copies out what is ready; once all of it is handed out the state is back to none.
  std::size_t take(std::span<std::byte> out) noexcept {
    const std::size_t count = std::min(out.size(), size - position);
    std::memcpy(out.data(), buffer.data() + position, count);
    position += count;
    if (position == size) {
      state = PipeIo::none;
    }
    return count;
  }

  /// As PipeBuffer's, but a writer that is gone is the end of the stream, not an error.
  std::error_code take_failure() noexcept {
    const std::error_code why = PipeBuffer::take_failure();
    return why.value() == ERROR_BROKEN_PIPE ? std::error_code() : why;
  }
};

/// The bytes of the last write(), which a WriteFile sends on while the caller goes on.
struct WriteBehind : PipeBuffer {
  /// Takes a copy of `bytes`; false when out of memory.
  bool fill(std::span<const std::byte> bytes) noexcept {
    if (buffer.size() < bytes.size() &&
        !try_allocate([this, &bytes] { buffer.resize(bytes.size()); })) {
      return false;
    }
    std::memcpy(buffer.data(), bytes.data(), bytes.size());
    size = bytes.size();
    position = 0;
    return true;
  }

  /// Starts a WriteFile of what is left on `pipe`: 0 when it is in flight (its completion comes,
  /// even when the write is done at once), else the error.
  DWORD start(HANDLE pipe) noexcept {
    if (::WriteFile(pipe, buffer.data() + position, static_cast<DWORD>(size - position), nullptr,
                    operation.fresh()) != 0) {
      return 0;
    }
    const DWORD failure = ::GetLastError();
    return failure == ERROR_IO_PENDING ? 0 : failure;
  }

  /// The write in flight finished with `failure` (0 or an error), `transferred` bytes went out.
  /// True when part of the buffer is left to write; otherwise the write is over (none or failed).
  bool finished(DWORD failure, std::size_t transferred) noexcept {
    if (failure != 0) {
      fail(win32_code(failure));
      return false;
    }
    position += transferred;
    if (position < size) {
      return true;
    }
    state = PipeIo::none;
    return false;
  }
};

}  // namespace miocpp::sys::windows
