// What every backend must provide, as concepts. sys.hpp checks the chosen backend against them, so
// a backend that drifts from the front end's expectations fails to compile with a named reason.
#pragma once

#include <chrono>
#include <concepts>
#include <cstddef>
#include <optional>
#include <ostream>
#include <system_error>
#include <type_traits>

#include "../interest.hpp"
#include "../token.hpp"

namespace miocpp::sys::concepts {

/// Move-only RAII, empty when default-constructed.
template <class T>
concept Owning = std::default_initializable<T> && std::is_nothrow_move_constructible_v<T> &&
    std::is_nothrow_move_assignable_v<T> && !std::is_copy_constructible_v<T>;

/// One OS event record. The front end's Event is a view over it (same size, cast in place), so it
/// must be standard-layout and trivially copyable, and answer every readiness question itself.
template <class E>
concept Event = std::is_standard_layout_v<E> && std::is_trivially_copyable_v<E> &&
    requires(const E& event, std::ostream& os) {
  { event.token() }
  noexcept->std::same_as<Token>;
  { event.is_readable() }
  noexcept->std::same_as<bool>;
  { event.is_writable() }
  noexcept->std::same_as<bool>;
  { event.is_error() }
  noexcept->std::same_as<bool>;
  { event.is_read_closed() }
  noexcept->std::same_as<bool>;
  { event.is_write_closed() }
  noexcept->std::same_as<bool>;
  { event.is_priority() }
  noexcept->std::same_as<bool>;
  { event.is_aio() }
  noexcept->std::same_as<bool>;
  { event.is_lio() }
  noexcept->std::same_as<bool>;
  event.debug_details(os);
};

/// The storage a selector fills: contiguous records of `E`, allocated once.
template <class B, class E>
concept Events = Owning<B> && std::constructible_from<B, std::size_t> &&
    requires(B& events, const B& const_events) {
  { const_events.capacity() }
  noexcept->std::same_as<std::size_t>;
  { const_events.size() }
  noexcept->std::same_as<std::size_t>;
  { const_events.data() }
  noexcept->std::same_as<const E*>;
  { events.clear() }
  noexcept;
};

/// The OS readiness queue. Thread-safe: registration may happen while another thread selects.
template <class S, class B>
concept Selector = Owning<S> && std::is_nothrow_constructible_v<S, std::error_code&> &&
    requires(const S& selector, B& events, std::optional<std::chrono::nanoseconds> timeout,
             std::error_code& ec) {
  { selector.select(events, timeout, ec) }
  noexcept->std::same_as<void>;
  { selector.try_clone(ec) }
  noexcept->std::same_as<S>;
};

/// A selector that can watch raw POSIX descriptors (posix::SourceFd, pipes, wakers).
template <class S>
concept DescriptorSelector = requires(const S& selector, int fd, Token token, Interest interest,
                                      std::error_code& ec) {
  { selector.register_fd(fd, token, interest, ec) }
  noexcept->std::same_as<void>;
  { selector.reregister_fd(fd, token, interest, ec) }
  noexcept->std::same_as<void>;
  { selector.deregister_fd(fd, ec) }
  noexcept->std::same_as<void>;
};

/// Wakes a selector from any thread; its event is readable and carries its token.
template <class W, class S>
concept Waker = Owning<W> &&
    std::is_nothrow_constructible_v<W, const S&, Token, std::error_code&> &&
    requires(const W& waker, std::error_code& ec) {
  { waker.wake(ec) }
  noexcept->std::same_as<void>;
};

/// Per-source state that registers a handle `H` and wraps every I/O call, so level- or
/// one-shot-based backends can re-arm a source when an operation would block.
template <class I, class S, class H>
concept IoSourceState = std::default_initializable<I> && std::is_nothrow_move_constructible_v<I> &&
    requires(I& state, const S& selector, H handle, Token token, Interest interest,
             std::error_code& ec) {
  { state.register_source(selector, handle, token, interest, ec) }
  noexcept;
  { state.reregister(selector, handle, token, interest, ec) }
  noexcept;
  { state.deregister(selector, handle, ec) }
  noexcept;
  {
    state.do_io([](std::error_code&) noexcept { return std::size_t{0}; }, ec)
    } -> std::same_as<std::size_t>;
};

}  // namespace miocpp::sys::concepts
