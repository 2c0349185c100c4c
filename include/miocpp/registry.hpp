// Registry: registers event sources with a Poll.
#pragma once

#include <system_error>

#include "detail/poll_identity.hpp"
#include "detail/throw_error.hpp"
#include "interest.hpp"
#include "source.hpp"
#include "sys/sys.hpp"
#include "token.hpp"

namespace miocpp {

class Poll;
namespace detail {
struct RegistryAccess;
}  // namespace detail

/// Registers sources with the Poll that owns it (Poll::registry()) or with the Poll it was cloned
/// from (try_clone()). Every member is thread-safe and may run while another thread is inside
/// Poll::poll; the new interest applies to that very poll.
///
/// Registrations are edge-triggered: after an event, the source reports again only once an
/// operation on it has returned `std::errc::operation_would_block` -- or, on a stream (TcpStream,
/// UnixStream, a pipe end, windows::NamedPipe, an IoSource used through do_stream_io), once a
/// read has returned fewer bytes than asked (and more than 0: the stream is drained) or a write
/// has taken fewer than given (its buffer is full). That holds on every backend, so a loop may
/// stop at a short read and save the read that would block. One thing a short read does not
/// cover: an end of stream that had arrived with the data is reported by the event at hand
/// (Event::is_read_closed), and epoll and kqueue bring no new event for it -- after a short read
/// of an event that says read_closed, read again (it returns 0). Datagram sockets are not streams:
/// every datagram read is "short", and only would-block re-arms them. A posix::SourceFd does no
/// I/O of its own: on epoll and kqueue every new arrival is an edge anyway, and on poll(2) it is
/// re-armed only by reregister.
///
/// Errors: registering a source that is already registered gives `std::errc::file_exists`;
/// reregistering or deregistering one that is not registered gives
/// `std::errc::no_such_file_or_directory`; an Interest the backend cannot watch (`aio`/`lio` on
/// Linux, `priority` on kqueue) gives `std::errc::not_supported`. Sockets and pipe ends also
/// remember their Poll, so registering one with a second Poll gives `std::errc::file_exists`; a
/// raw descriptor through posix::SourceFd has no such memory and follows the OS (epoll lets one
/// descriptor join several epoll sets).
///
/// Backends differ in details, each asserted by the tests: with kqueue, registering a SourceFd
/// twice updates it and reregistering an unregistered one registers it; epoll refuses regular
/// files (`std::errc::operation_not_permitted`) where kqueue and poll(2) accept them (always
/// ready); the poll(2) backend only forgets a descriptor closed without deregistering at its
/// next poll.
///
/// Destroying a registered socket or pipe end ends its registration on every backend, even when
/// its open file lives on in a `dup`, a `fork()`ed child or a descriptor sent over `SCM_RIGHTS`:
/// no event names its token afterwards, except events a concurrent poll had already collected.
/// epoll keys registrations to the open file, so there miocpp deletes the registration before it
/// closes the descriptor (one `epoll_ctl` more per close of a registered source, as in libuv);
/// kqueue drops it on `close(2)`; poll(2), WASI and Windows remove their own record. A raw
/// descriptor registered through posix::SourceFd is the application's: deregister it before
/// closing it if it may be shared.
class Registry {
 public:
  /// An empty registry (moved-from state): every call on it fails.
  Registry() noexcept = default;
  /// Takes over the selector handle; the moved-from Registry is empty.
  Registry(Registry&&) noexcept = default;
  /// Releases this registry's handle and takes over `other`'s.
  Registry& operator=(Registry&&) noexcept = default;
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;
  ~Registry() = default;

  /// Starts delivering events for `source` with `token` for the readiness in `interest`.
  ///
  /// Events are edge-triggered: one arrives when the source becomes ready, and another only after
  /// an operation on it has reported `std::errc::operation_would_block`, or a stream read or
  /// write has stopped short (see the class documentation). Registering a source
  /// that is ready already delivers an event at the next poll.
  template <event::Source S>
  void register_source(S& source, Token token, Interest interest,
                       std::error_code& ec) const noexcept {
    source.register_source(*this, token, interest, ec);
  }

  /// Replaces the token and interest of a registered source (both; there is no partial update).
  /// Also re-arms it: a source that is ready reports again at the next poll, which is how a raw
  /// posix::SourceFd is re-armed on the poll(2) backend.
  template <event::Source S>
  void reregister(S& source, Token token, Interest interest, std::error_code& ec) const noexcept {
    source.reregister(*this, token, interest, ec);
  }

  /// Stops delivering events for `source`. Closing a source deregisters it too. Events already
  /// collected by a concurrent poll may still name its token.
  template <event::Source S>
  void deregister(S& source, std::error_code& ec) const noexcept {
    source.deregister(*this, ec);
  }

  /// register_source() for a value-like source (event::ValueSource) passed as a temporary, as in
  /// mio: `registry.register_source(posix::SourceFd{fd}, token, interest, ec)`. A temporary
  /// socket or pipe end does not compile: it would be closed right after the call.
  template <event::ValueSource S>
  void register_source(S&& source, Token token, Interest interest,
                       std::error_code& ec) const noexcept {
    register_source(source, token, interest, ec);
  }
  /// reregister() for a value-like source passed as a temporary.
  template <event::ValueSource S>
  void reregister(S&& source, Token token, Interest interest, std::error_code& ec) const noexcept {
    reregister(source, token, interest, ec);
  }
  /// deregister() for a value-like source passed as a temporary.
  template <event::ValueSource S>
  void deregister(S&& source, std::error_code& ec) const noexcept {
    deregister(source, ec);
  }

  /// Another Registry for the same Poll, usable from another thread. Clones share the Poll's
  /// selector (its one epoll or kqueue descriptor, poll(2) table or completion port, closed with
  /// the last of them), so a clone opens nothing and cannot run out of descriptors. Fails on an
  /// empty registry (`std::errc::bad_file_descriptor`); on error the result is empty.
  [[nodiscard]] Registry try_clone(std::error_code& ec) const noexcept {
    Registry clone;
    clone.selector_ = selector_.try_clone(ec);
    if (!ec) {
      clone.identity_ = identity_;
    }
    return clone;
  }

#if MIOCPP_HAS_EXCEPTIONS
  /// \name Throwing overloads
  /// Only where exceptions are enabled (MIOCPP_HAS_EXCEPTIONS).
  /// @{

  /// The call of the same name without `ec`: throws `std::system_error` carrying the code that
  /// overload reports.
  template <event::Source S>
  void register_source(S& source, Token token, Interest interest) const {
    std::error_code ec;
    register_source(source, token, interest, ec);
    detail::throw_if_error(ec, "miocpp::Registry::register_source");
  }
  template <event::Source S>
  void reregister(S& source, Token token, Interest interest) const {
    std::error_code ec;
    reregister(source, token, interest, ec);
    detail::throw_if_error(ec, "miocpp::Registry::reregister");
  }
  template <event::Source S>
  void deregister(S& source) const {
    std::error_code ec;
    deregister(source, ec);
    detail::throw_if_error(ec, "miocpp::Registry::deregister");
  }
  template <event::ValueSource S>
  void register_source(S&& source, Token token, Interest interest) const {
    register_source(source, token, interest);
  }
  template <event::ValueSource S>
  void reregister(S&& source, Token token, Interest interest) const {
    reregister(source, token, interest);
  }
  template <event::ValueSource S>
  void deregister(S&& source) const {
    deregister(source);
  }
  [[nodiscard]] Registry try_clone() const {
    std::error_code ec;
    Registry clone = try_clone(ec);
    detail::throw_if_error(ec, "miocpp::Registry::try_clone");
    return clone;
  }
  /// @}
#endif

  /// The backend selector, for source implementations (IoSource, posix::SourceFd). Not needed to
  /// use miocpp, and not portable across backends: its members are those of the backend in use.
  [[nodiscard]] const sys::Selector& selector() const noexcept {
    return selector_;
  }

 private:
  friend class Poll;
  // Sources and the Waker learn which Poll a registry belongs to through this, and only they.
  friend struct detail::RegistryAccess;

  /// Identifies the Poll behind this registry (shared by its clones).
  [[nodiscard]] const detail::PollIdentity& identity() const noexcept {
    return identity_.get();
  }

  explicit Registry(std::error_code& ec) noexcept : selector_(ec) {
    if (!ec) {
      identity_ = detail::RegistryIdentity(detail::PollIdentity::create(ec));
    }
    if (ec) {
      selector_ = sys::Selector();
    }
  }

  sys::Selector selector_;
  detail::RegistryIdentity identity_;
};

}  // namespace miocpp
