// OwnedSource: the part every owning event source shares (sockets, pipe ends) -- an owned OS handle
// inside an IoSource, its ownership calls and its registration.
#pragma once

#include <system_error>
#include <utility>

#include "interest.hpp"
#include "io_source.hpp"
#include "registry.hpp"
#include "token.hpp"

namespace miocpp {

/// What every owning source has: the OS handle and its registration. Every socket type, pipe end
/// and socket base derives from it; an application names it only to write an owning source of its
/// own around a handle of miocpp's backend (`Handle` is such a handle type, e.g. sys::Socket).
///
/// Owning sources are move-only: moving transfers the handle and its registration, destroying
/// closes the handle (which ends its registration).
template <class Handle>
class OwnedSource {
 public:
  /// The OS handle type: `int` on POSIX and WASI, `SOCKET` for Windows sockets.
  using native_handle_type = typename Handle::native_handle_type;

  /// Empty: every I/O call reports std::errc::bad_file_descriptor.
  OwnedSource() noexcept = default;
  /// Takes ownership of `handle`.
  explicit OwnedSource(Handle handle) noexcept : source_(std::move(handle)) {}

  /// The OS handle, still owned by this object.
  [[nodiscard]] native_handle_type native_handle() const noexcept {
    return source_.handle().native_handle();
  }

  /// Gives the OS handle up without closing it; this object becomes empty. The OS registration
  /// stays with the handle: deregister first unless the new owner takes it over.
  native_handle_type release() noexcept { return source_.release(); }

  /// Called by Registry::register_source, which documents it: use that. Registering a source
  /// that is registered already, with this Poll or another, gives `std::errc::file_exists`.
  void register_source(const Registry& registry, Token token, Interest interest,
                       std::error_code& ec) noexcept {
    source_.register_source(registry, token, interest, ec);
  }
  /// Called by Registry::reregister, which documents it: use that.
  void reregister(const Registry& registry, Token token, Interest interest,
                  std::error_code& ec) noexcept {
    source_.reregister(registry, token, interest, ec);
  }
  /// Called by Registry::deregister, which documents it: use that.
  void deregister(const Registry& registry, std::error_code& ec) noexcept {
    source_.deregister(registry, ec);
  }

 protected:
  /// Runs `operation(ec)` -- your own system call on native_handle() that reports through `ec`
  /// -- as miocpp runs its own I/O, so that a backend that must re-arm the registration after
  /// `std::errc::operation_would_block` does so. Use it for calls miocpp does not wrap
  /// (sendmsg with ancillary data, recvmmsg, splice, ...). The stream and datagram sockets and
  /// the pipe ends make it public.
  template <class Operation>
  decltype(auto) try_io(Operation&& operation, std::error_code& ec) noexcept {
    return do_io([&](native_handle_type,
                     std::error_code& op_ec) { return std::forward<Operation>(operation)(op_ec); },
                 ec);
  }

  /// Runs one I/O call on the handle through the IoSource (see IoSource::do_io).
  template <class Call>
  decltype(auto) do_io(Call&& call, std::error_code& ec) noexcept {
    return source_.do_io(
        [&](Handle& handle, std::error_code& op_ec) noexcept {
          return std::forward<Call>(call)(handle.native_handle(), op_ec);
        },
        ec);
  }

  /// Runs one stream read or write of `requested` bytes through the IoSource (see
  /// IoSource::do_stream_io: a short one re-arms the registration).
  template <class Call>
  std::size_t do_stream_io(Call&& call, std::size_t requested, std::error_code& ec) noexcept {
    return source_.do_stream_io(
        [&](Handle& handle, std::error_code& op_ec) noexcept {
          return std::forward<Call>(call)(handle.native_handle(), op_ec);
        },
        requested, ec);
  }

  /// The handle and the backend's registration state.
  IoSource<Handle> source_;
};

}  // namespace miocpp
