// The backend contract: every name the front end takes from a backend, as concepts. sys.hpp
// checks the chosen backend's facade (its `Backend` struct) against concepts::Backend, so a
// backend that lacks a call, or gives it another signature, fails to compile with the concept's
// name. Adding a call to the contract is one line here plus the call in each backend.
#pragma once

#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <ostream>
#include <span>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>

#include "../interest.hpp"
#include "../net/ip_addr.hpp"
#include "../net/shutdown.hpp"
#include "../net/socket_addr.hpp"
#include "../net/udp_batch.hpp"
#include "../token.hpp"
#include "option.hpp"
#include "process_concepts.hpp"
#include "uds_concepts.hpp"

namespace miocpp::sys::concepts {

/// Move-only RAII, empty when default-constructed.
template <class T>
concept Owning = std::default_initializable<T> && std::is_nothrow_move_constructible_v<T> &&
    std::is_nothrow_move_assignable_v<T> && !std::is_copy_constructible_v<T>;

/// An owned OS handle (socket, descriptor): Owning, adopts and gives up its native handle `H`.
template <class T, class H>
concept Handle = Owning<T> && std::is_nothrow_constructible_v<T, H> &&
    std::same_as<typename T::native_handle_type, H> && requires(T& handle, const T& const_handle) {
  { const_handle.native_handle() }
  noexcept->std::same_as<H>;
  { const_handle.is_open() }
  noexcept->std::same_as<bool>;
  { handle.release() }
  noexcept->std::same_as<H>;
};

// ---- Polling ------------------------------------------------------------------------------------

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
/// Raw descriptors (posix::SourceFd) register with the *_fd verbs; a backend without descriptors
/// refuses them with std::errc::not_supported.
template <class S, class B>
concept Selector = Owning<S> && std::is_nothrow_constructible_v<S, std::error_code&> &&
    requires(const S& selector, B& events, std::optional<std::chrono::nanoseconds> timeout, int fd,
             Token token, Interest interest, std::error_code& ec) {
  { selector.select(events, timeout, ec) }
  noexcept->std::same_as<void>;
  { selector.try_clone(ec) }
  noexcept->std::same_as<S>;
  { selector.register_fd(fd, token, interest, ec) }
  noexcept->std::same_as<void>;
  { selector.reregister_fd(fd, token, interest, ec) }
  noexcept->std::same_as<void>;
  { selector.deregister_fd(fd, ec) }
  noexcept->std::same_as<void>;
};

/// A selector that hosts a waker built on a descriptor (eventfd, self-pipe): registering it may
/// differ from registering a source (poll(2) keeps a waker armed and drains it itself).
template <class S>
concept WakerHost = requires(const S& selector, int fd, Token token, std::error_code& ec) {
  { selector.register_waker(fd, token, ec) }
  noexcept->std::same_as<void>;
};

/// Wakes a selector `S` from any thread; its event is readable and carries its token. How wakes
/// coalesce is the waker's file's to say.
template <class W, class S>
concept Waker = Owning<W> &&
    std::is_nothrow_constructible_v<W, const S&, Token, std::error_code&> &&
    requires(const W& waker, std::error_code& ec) {
  { waker.wake(ec) }
  noexcept->std::same_as<void>;
};

/// Per-source state that registers a handle `H` with a selector `S` and wraps every I/O call, so
/// level- or one-shot-based backends can re-arm a source when an operation would block, and
/// (do_stream_io, given the bytes requested) when a stream read or write stops short. forget()
/// drops the state's record of a registration that stays with a released handle.
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
  { state.forget() }
  noexcept;
  {
    state.do_io([](std::error_code&) noexcept { return std::size_t{0}; }, ec)
    } -> std::same_as<std::size_t>;
  {
    state.do_stream_io([](std::error_code&) noexcept { return std::size_t{0}; }, std::size_t{1}, ec)
    } -> std::same_as<std::size_t>;
};

// ---- I/O ----------------------------------------------------------------------------------------

/// The scatter/gather record `V` (iovec, WSABUF) behind IoSlice and IoSliceMut.
template <class C, class V>
concept IoVecs = std::is_standard_layout_v<V> && std::is_trivially_copyable_v<V> &&
    requires(const void* data, std::size_t size, const V& vec) {
  { C::make(data, size) }
  noexcept->std::same_as<V>;
  { C::data(vec) }
  noexcept->std::same_as<std::byte*>;
  { C::size(vec) }
  noexcept->std::same_as<std::size_t>;
};

/// Calls on any connected or bound socket with native handle `H`, each one system call.
template <class C, class H, class V>
concept Sockets = requires(H socket, std::span<std::byte> buffer, std::span<const std::byte> bytes,
                           std::span<const V> vecs, net::Shutdown how, std::error_code& ec) {
  { C::send(socket, bytes, ec) }
  noexcept->std::same_as<std::size_t>;
  { C::receive(socket, buffer, ec) }
  noexcept->std::same_as<std::size_t>;
  { C::peek(socket, buffer, ec) }
  noexcept->std::same_as<std::size_t>;
  { C::send_vectored(socket, vecs, ec) }
  noexcept->std::same_as<std::size_t>;
  { C::receive_vectored(socket, vecs, ec) }
  noexcept->std::same_as<std::size_t>;
  { C::shutdown(socket, how, ec) }
  noexcept->std::same_as<void>;
  { C::local_addr(socket, ec) }
  noexcept->std::same_as<net::SocketAddr>;
  { C::peer_addr(socket, ec) }
  noexcept->std::same_as<net::SocketAddr>;
  { C::take_error(socket, ec) }
  noexcept->std::same_as<std::error_code>;
};

/// SocketAddr to and from the OS's sockaddr_storage and its length type.
template <class C>
concept SocketAddrs = std::is_trivially_copyable_v<typename C::Storage> &&
    std::is_integral_v<typename C::Length> &&
    requires(const net::SocketAddr& address, typename C::Storage& storage,
             const typename C::Storage& const_storage, typename C::Length length,
             std::error_code& ec) {
  { C::to_sockaddr(address, storage) }
  noexcept->std::same_as<typename C::Length>;
  { C::from_sockaddr(const_storage, length, ec) }
  noexcept->std::same_as<net::SocketAddr>;
};

/// One socket option `Tag` (sys/option.hpp): set from its set_type, read as its type.
template <class C, class H, class Tag>
concept SocketOption = requires(H socket, const typename Tag::set_type& value,
                                std::error_code& ec) {
  { C::set(socket, Tag{}, value, ec) }
  noexcept->std::same_as<void>;
  { C::get(socket, Tag{}, ec) }
  noexcept->std::same_as<typename Tag::type>;
};

template <class C, class H, class List>
inline constexpr bool all_socket_options = false;
template <class C, class H, class... Tags>
inline constexpr bool all_socket_options<C, H, option::List<Tags...>> = (SocketOption<C, H, Tags> &&
                                                                         ...);

/// Every socket option of option::All on a socket with native handle `H`; one the OS lacks is
/// std::errc::not_supported.
template <class C, class H>
concept SocketOptions = all_socket_options<C, H, option::All>;

/// TCP: listeners and streams, owned as `S` with native handle `H`, made in one call (bind,
/// connect) or step by step for net::TcpSocket (open, then bind_to/listen or start_connect).
template <class C, class S, class H>
concept Tcp = requires(H socket, const net::SocketAddr& address, net::SocketAddr& peer,
                       std::uint32_t backlog, std::error_code& ec) {
  { C::bind(address, ec) }
  noexcept->std::same_as<S>;
  { C::connect(address, ec) }
  noexcept->std::same_as<S>;
  { C::accept(socket, peer, ec) }
  noexcept->std::same_as<S>;
  { C::open(address, ec) }
  noexcept->std::same_as<S>;
  { C::bind_to(socket, address, ec) }
  noexcept->std::same_as<void>;
  { C::listen(socket, backlog, ec) }
  noexcept->std::same_as<void>;
  { C::start_connect(socket, address, ec) }
  noexcept->std::same_as<void>;
};

/// UDP: datagrams with their peer's address, batches of them, and multicast group membership (the
/// other UDP options are SocketOptions). A batch call returns how many slots or entries it did
/// and sets `ec` to what stopped it, even after some (the front end defers or drops that error).
/// send_batch takes entries already checked (net::detail::check_send_batch), and a segment size
/// only where can_segment said yes: whether the OS, and the running kernel, cut GSO sends (an
/// answer about the socket itself, closed say, is yes: the send then reports it).
template <class C, class S, class H>
concept Udp = requires(H socket, const net::SocketAddr& address, net::SocketAddr& from,
                       std::span<std::byte> buffer, std::span<const std::byte> bytes,
                       std::span<net::RecvDatagram> slots,
                       std::span<const net::SendDatagram> datagrams, bool on, std::uint32_t value,
                       const net::Ipv4Addr& v4, const net::Ipv6Addr& v6, std::error_code& ec) {
  { C::bind(address, ec) }
  noexcept->std::same_as<S>;
  { C::connect(socket, address, ec) }
  noexcept->std::same_as<void>;
  { C::send_to(socket, bytes, address, ec) }
  noexcept->std::same_as<std::size_t>;
  { C::recv_from(socket, buffer, from, ec) }
  noexcept->std::same_as<std::size_t>;
  { C::peek_from(socket, buffer, from, ec) }
  noexcept->std::same_as<std::size_t>;
  { C::recv_batch(socket, slots, ec) }
  noexcept->std::same_as<std::size_t>;
  { C::send_batch(socket, datagrams, ec) }
  noexcept->std::same_as<std::size_t>;
  { C::can_segment(socket) }
  noexcept->std::same_as<bool>;
  { C::join_multicast_v4(socket, v4, v4, ec) }
  noexcept->std::same_as<void>;
  { C::leave_multicast_v4(socket, v4, v4, ec) }
  noexcept->std::same_as<void>;
  { C::join_multicast_v6(socket, v6, value, ec) }
  noexcept->std::same_as<void>;
  { C::leave_multicast_v6(socket, v6, value, ec) }
  noexcept->std::same_as<void>;
};

/// Pipes and plain descriptor I/O (owned as `D`, native handle `int`); std::errc::not_supported
/// where the OS has no descriptors.
template <class C, class D, class V>
concept Pipes = requires(int fd, std::span<std::byte> buffer, std::span<const std::byte> bytes,
                         std::span<const V> vecs, bool on, std::error_code& ec) {
  { C::open(ec) }
  noexcept->std::same_as<std::pair<D, D>>;
  { C::read(fd, buffer, ec) }
  noexcept->std::same_as<std::size_t>;
  { C::write(fd, bytes, ec) }
  noexcept->std::same_as<std::size_t>;
  { C::read_vectored(fd, vecs, ec) }
  noexcept->std::same_as<std::size_t>;
  { C::write_vectored(fd, vecs, ec) }
  noexcept->std::same_as<std::size_t>;
  { C::set_nonblocking(fd, on, ec) }
  noexcept->std::same_as<void>;
};

/// A Windows named pipe, driven by the selector `S` (std::errc::not_supported elsewhere).
template <class P, class S>
concept NamedPipe = Owning<P> &&
    requires(P& pipe, const P& const_pipe, const S& selector, typename P::native_handle_type handle,
             std::string_view name, std::wstring_view wide_name, std::span<std::byte> buffer,
             std::span<const std::byte> bytes, Token token, Interest interest,
             std::error_code& ec) {
  { P::create(name, ec) }
  noexcept->std::same_as<P>;
  { P::create(wide_name, ec) }
  noexcept->std::same_as<P>;
  { P::from_native(handle) }
  noexcept->std::same_as<P>;
  { const_pipe.native_handle() }
  noexcept->std::same_as<typename P::native_handle_type>;
  { pipe.release() }
  noexcept->std::same_as<typename P::native_handle_type>;
  { pipe.connect(ec) }
  noexcept->std::same_as<void>;
  { pipe.disconnect(ec) }
  noexcept->std::same_as<void>;
  { pipe.read(buffer, ec) }
  noexcept->std::same_as<std::size_t>;
  { pipe.write(bytes, ec) }
  noexcept->std::same_as<std::size_t>;
  { const_pipe.take_error(ec) }
  noexcept->std::same_as<std::error_code>;
  { pipe.register_source(selector, token, interest, ec) }
  noexcept->std::same_as<void>;
  { pipe.reregister(selector, token, interest, ec) }
  noexcept->std::same_as<void>;
  { pipe.deregister(selector, ec) }
  noexcept->std::same_as<void>;
};

// ---- The whole backend --------------------------------------------------------------------------

/// A backend facade: one struct naming every type and call group the front end uses. Each
/// backend's facade is `<backend folder>/backend.hpp`.
template <class B>
concept Backend = Event<typename B::Event> && Events<typename B::Events, typename B::Event> &&
    Selector<typename B::Selector, typename B::Events> &&
    Waker<typename B::Waker, typename B::Selector> &&
    IoSourceState<typename B::IoSourceState, typename B::Selector,
                  typename B::native_handle_type> &&
    Handle<typename B::Socket, typename B::native_handle_type> &&
    Handle<typename B::FileDescriptor, int> && IoVecs<typename B::IoVecs, typename B::IoVec> &&
    Sockets<typename B::Sockets, typename B::native_handle_type, typename B::IoVec> &&
    SocketOptions<typename B::SocketOptions, typename B::native_handle_type> &&
    SocketAddrs<typename B::SocketAddrs> &&
    Tcp<typename B::Tcp, typename B::Socket, typename B::native_handle_type> &&
    Udp<typename B::Udp, typename B::Socket, typename B::native_handle_type> &&
    Uds<typename B::Uds, typename B::Socket, typename B::native_handle_type> &&
    Pipes<typename B::Pipes, typename B::FileDescriptor, typename B::IoVec> &&
    NamedPipe<typename B::NamedPipe, typename B::Selector> && Owning<typename B::SignalWatch> &&
    SignalWatch<typename B::SignalWatch> && Owning<typename B::ChildWatch> &&
    ChildWatch<typename B::ChildWatch>;

}  // namespace miocpp::sys::concepts
