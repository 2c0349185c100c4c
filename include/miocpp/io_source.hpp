// IoSource<T>: an I/O handle plus the backend state that keeps its registration edge-triggered.
#pragma once

#include <system_error>
#include <utility>

#include "detail/poll_identity.hpp"
#include "detail/registry_access.hpp"
#include "interest.hpp"
#include "registry.hpp"
#include "sys/sys.hpp"
#include "token.hpp"

namespace miocpp {

/// Wraps an owned OS handle `T` (anything with `native_handle()`) so that it can be registered
/// and so that every I/O call goes through do_io. Backends that are level- or one-shot-based
/// (poll(2), Windows AFD) re-arm the registration there when an operation would block; on epoll
/// and kqueue do_io is a plain call.
///
/// It also remembers which Poll it is registered with: registering it again, with that Poll or
/// another, gives `std::errc::file_exists`; reregister or deregister while it is not registered
/// gives `std::errc::no_such_file_or_directory`, and reregister through another Poll's registry
/// `std::errc::file_exists`.
///
/// Every net type and pipe end is built on it; it models event::Source. Use it to write a source
/// of your own around an OS handle type miocpp does not wrap; an application that only uses
/// miocpp's sockets and pipes never names it.
///
/// Destroying an IoSource ends its registration, then closes the handle (T's destructor): the
/// backend state removes the registration first (epoll, poll(2), WASI, Windows), or the close
/// does (kqueue), so it ends even when the open file is shared with another descriptor or
/// process (see Registry).
template <class T>
class IoSource {
 public:
  /// No handle and no registration.
  IoSource() noexcept = default;
  /// Takes ownership of `handle`, which should be non-blocking already.
  explicit IoSource(T handle) noexcept : handle_(std::move(handle)) {}

  /// Takes over the handle, its registration and the record of which Poll it belongs to.
  IoSource(IoSource&& other) noexcept
      : handle_(std::move(other.handle_)),
        state_(std::move(other.state_)),
        registered_with_(std::move(other.registered_with_)) {}
  /// Drops this source's registration, closes its handle, then takes over `other`'s.
  IoSource& operator=(IoSource&& other) noexcept {
    if (this != &other) {
      // The old registration goes first (a backend that tracks it removes it here), then the old
      // handle is closed: the other order would leave a moment in which the registration names a
      // closed descriptor whose number another thread may already have been given.
      state_ = std::move(other.state_);
      handle_ = std::move(other.handle_);
      registered_with_ = std::move(other.registered_with_);
    }
    return *this;
  }
  IoSource(const IoSource&) = delete;
  IoSource& operator=(const IoSource&) = delete;
  ~IoSource() = default;

  /// Runs `operation(handle, ec)` -- one I/O call -- and lets the backend see its outcome.
  template <class Operation>
  decltype(auto) do_io(Operation&& operation, std::error_code& ec) {
    return state_.do_io(
        [&](std::error_code& op_ec) { return std::forward<Operation>(operation)(handle_, op_ec); },
        ec);
  }

  /// Runs `operation(handle, ec)` -- one read or one write of `requested` bytes on a stream
  /// (TCP, a Unix stream, a pipe, ...), returning how many it moved -- and lets the backend see
  /// its outcome. Beyond do_io, a short result (fewer bytes than requested, and more than 0)
  /// re-arms the registration as a would-block does: the stream was drained, or its buffer
  /// filled, and the next event is guaranteed without another call that would block. Only for
  /// streams: every datagram read is "short".
  template <class Operation>
  std::size_t do_stream_io(Operation&& operation, std::size_t requested, std::error_code& ec) {
    return state_.do_stream_io(
        [&](std::error_code& op_ec) { return std::forward<Operation>(operation)(handle_, op_ec); },
        requested, ec);
  }

  /// The owned handle. I/O on it that bypasses do_io breaks edge-triggering on the poll(2) and
  /// Windows backends (nothing re-arms the registration).
  [[nodiscard]] T& handle() noexcept { return handle_; }
  /// The owned handle.
  [[nodiscard]] const T& handle() const noexcept { return handle_; }

  /// Gives up the OS handle without closing it, and with it the record of its registration. The
  /// registration itself stays with the handle, for its new owner to deregister.
  [[nodiscard]] auto release() noexcept {
    registered_with_ = detail::PollIdentity();
    state_.forget();
    return handle_.release();
  }

  /// Registers the handle (see Registry::register_source). `std::errc::file_exists` when it is
  /// registered already, with this Poll or another.
  void register_source(const Registry& registry, Token token, Interest interest,
                       std::error_code& ec) noexcept {
    if (registered_with_.is_open()) {
      ec = std::make_error_code(std::errc::file_exists);
      return;
    }
    state_.register_source(registry.selector(), handle_.native_handle(), token, interest, ec);
    if (!ec) {
      registered_with_ = detail::RegistryAccess::identity(registry);
    }
  }

  /// Replaces token and interest (see Registry::reregister).
  /// `std::errc::no_such_file_or_directory` when not registered, `std::errc::file_exists` when
  /// `registry` belongs to another Poll than the registration.
  void reregister(const Registry& registry, Token token, Interest interest,
                  std::error_code& ec) noexcept {
    if (!registered_with_.is_open()) {
      ec = std::make_error_code(std::errc::no_such_file_or_directory);
      return;
    }
    if (registered_with_.id() != detail::RegistryAccess::identity(registry).id()) {
      ec = std::make_error_code(std::errc::file_exists);
      return;
    }
    state_.reregister(registry.selector(), handle_.native_handle(), token, interest, ec);
  }

  /// Removes the registration (see Registry::deregister). `std::errc::no_such_file_or_directory`
  /// when it is not registered with `registry`'s Poll.
  void deregister(const Registry& registry, std::error_code& ec) noexcept {
    if (!registered_with_.is_open() ||
        registered_with_.id() != detail::RegistryAccess::identity(registry).id()) {
      ec = std::make_error_code(std::errc::no_such_file_or_directory);
      return;
    }
    state_.deregister(registry.selector(), handle_.native_handle(), ec);
    registered_with_ = detail::PollIdentity();
  }

 private:
  T handle_;
  sys::IoSourceState state_;
  // The Poll this source is registered with. Once every Registry of that Poll is gone the
  // registration is gone with it, and the source may be registered elsewhere.
  detail::PollIdentity registered_with_;
};

}  // namespace miocpp
