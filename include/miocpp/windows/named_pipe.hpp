// windows::NamedPipe: a non-blocking Windows named pipe.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>
#include <system_error>
#include <utility>

#include "../detail/throw_error.hpp"
#include "../interest.hpp"
#include "../registry.hpp"
#include "../sys/sys.hpp"
#include "../token.hpp"

namespace miocpp::windows {

/// One end of a Windows named pipe, driven by a Poll.
///
/// Completion-based I/O is bridged to readiness as mio does it: the pipe keeps a read in flight
/// into an internal 4 KiB buffer, and read() copies out of it (a message or stream larger than
/// that is read in several pieces); write() copies the bytes into an internal buffer, starts the
/// write and reports them all written, and the next write() would-blocks until that one has
/// finished. Readable / writable events come from the completions of those operations.
///
/// Until the pipe is registered, read, write and connect report would-block: their completions
/// need the Poll's completion port. A handle joins one port for good, so a pipe that was
/// registered with one Poll cannot be registered with another (std::errc::file_exists).
///
/// Server ends come from create(name) or from_native; clients from from_native on a handle that
/// CreateFile opened with FILE_FLAG_OVERLAPPED. A server waits for its client with connect():
/// would-block until a client is there, then a writable event; take_error() then tells whether
/// the connection succeeded. disconnect() drops the client, after which connect() waits for the
/// next one. A read of 0 bytes means the other end closed the pipe.
///
/// The interest given at registration is not used: a named pipe reports whatever its completions
/// bring (readable, writable, closed). Outside Windows every call reports
/// `std::errc::not_supported`.
class NamedPipe {
 public:
  /// The Windows handle type.
  using native_handle_type = sys::NamedPipe::native_handle_type;

  /// Empty: every I/O call reports would-block, registration bad_file_descriptor.
  NamedPipe() noexcept = default;

  /// The server end of a new pipe called `name` (UTF-8): duplex, byte mode, overlapped. Names
  /// have the form `\\.\pipe\my_server`. access_denied when a pipe of that name exists
  /// already.
  static NamedPipe create(std::string_view name, std::error_code& ec) noexcept {
    return NamedPipe(sys::NamedPipe::create(name, ec));
  }
  /// create() with a UTF-16 name, as the Windows API takes it.
  static NamedPipe create(std::wstring_view name, std::error_code& ec) noexcept {
    return NamedPipe(sys::NamedPipe::create(name, ec));
  }

  /// Adopts a pipe handle, server or client end, opened for overlapped I/O.
  static NamedPipe from_native(native_handle_type handle) noexcept {
    return NamedPipe(sys::NamedPipe::from_native(handle));
  }

  /// The pipe's handle, still owned by this object.
  [[nodiscard]] native_handle_type native_handle() const noexcept { return pipe_.native_handle(); }

  /// Gives the handle up without closing it (see sys::NamedPipe::release for what
  /// happens to I/O in flight).
  native_handle_type release() noexcept { return pipe_.release(); }

  /// Waits for a client (server ends): success when one is connected already, otherwise
  /// would-block and a writable event once one connects.
  void connect(std::error_code& ec) noexcept { pipe_.connect(ec); }

  /// Drops the connected client (server ends); connect() may then wait for another.
  void disconnect(std::error_code& ec) noexcept { pipe_.disconnect(ec); }

  /// The error of the last connect once it finished (empty: a client is connected), clearing
  /// it.
  [[nodiscard]] std::error_code take_error(std::error_code& ec) noexcept {
    return pipe_.take_error(ec);
  }

  /// Copies out what the read-ahead brought; would-block while it is still in flight. 0 means
  /// the other end closed the pipe.
  std::size_t read(std::span<std::byte> buffer, std::error_code& ec) noexcept {
    return pipe_.read(buffer, ec);
  }

  /// Takes all of `bytes` and starts writing them; would-block while an earlier write is in
  /// flight. Broken_pipe (ERROR_NO_DATA) once the other end is gone.
  std::size_t write(std::span<const std::byte> bytes, std::error_code& ec) noexcept {
    return pipe_.write(bytes, ec);
  }

  /// Associates the pipe with the Poll's completion port and starts the read-ahead (see
  /// Registry::register_source). A pipe that was ever registered with another Poll gives
  /// `std::errc::file_exists`: a handle cannot leave its completion port.
  void register_source(const Registry& registry, Token token, Interest interest,
                       std::error_code& ec) noexcept {
    pipe_.register_source(registry.selector(), token, interest, ec);
  }
  /// Replaces the token (see Registry::reregister); the same Poll only.
  void reregister(const Registry& registry, Token token, Interest interest,
                  std::error_code& ec) noexcept {
    pipe_.reregister(registry.selector(), token, interest, ec);
  }
  /// Stops reporting events (see Registry::deregister). The handle stays tied to the completion
  /// port, so it can be registered again with the same Poll only.
  void deregister(const Registry& registry, std::error_code& ec) noexcept {
    pipe_.deregister(registry.selector(), ec);
  }

#if MIOCPP_HAS_EXCEPTIONS
  /// \name Throwing overloads
  /// Only where exceptions are enabled (MIOCPP_HAS_EXCEPTIONS).
  /// @{

  /// The call of the same name without `ec`: throws `std::system_error` carrying the code that
  /// overload reports (would-block included).
  static NamedPipe create(std::string_view name) {
    return miocpp::detail::or_throw("miocpp::windows::NamedPipe::create",
                                    [&](std::error_code& ec) { return create(name, ec); });
  }
  static NamedPipe create(std::wstring_view name) {
    return miocpp::detail::or_throw("miocpp::windows::NamedPipe::create",
                                    [&](std::error_code& ec) { return create(name, ec); });
  }
  void connect() {
    miocpp::detail::or_throw("miocpp::windows::NamedPipe::connect",
                             [&](std::error_code& ec) { connect(ec); });
  }
  void disconnect() {
    miocpp::detail::or_throw("miocpp::windows::NamedPipe::disconnect",
                             [&](std::error_code& ec) { disconnect(ec); });
  }
  [[nodiscard]] std::error_code take_error() {
    return miocpp::detail::or_throw("miocpp::windows::NamedPipe::take_error",
                                    [&](std::error_code& ec) { return take_error(ec); });
  }
  std::size_t read(std::span<std::byte> buffer) {
    return miocpp::detail::or_throw("miocpp::windows::NamedPipe::read",
                                    [&](std::error_code& ec) { return read(buffer, ec); });
  }
  std::size_t write(std::span<const std::byte> bytes) {
    return miocpp::detail::or_throw("miocpp::windows::NamedPipe::write",
                                    [&](std::error_code& ec) { return write(bytes, ec); });
  }
  /// @}
#endif

 private:
  explicit NamedPipe(sys::NamedPipe pipe) noexcept : pipe_(std::move(pipe)) {}

  sys::NamedPipe pipe_;
};

}  // namespace miocpp::windows
