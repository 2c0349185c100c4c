// common::Backend and common::Platform: the shape of a backend facade, written once. A facade
// (`<backend>/backend.hpp`) is one instance of Backend; sys.hpp checks it against
// concepts::Backend, which names every member below.
#pragma once

namespace miocpp::sys::common {

/// What a backend does I/O with, in the order concepts::Backend lists it: the owned socket (whose
/// native handle type, `int` or `SOCKET`, is the backend's) and descriptor, the scatter/gather
/// record and its calls,
/// then the call groups (Sockets, SocketOptions, SocketAddrs, Tcp, Udp, Uds, Pipes) and the
/// NamedPipe class, and the signal and child process watchers.
/// Where a platform cannot do a group, the facade names the group's refusal in unsupported/.
template <class SocketType, class FileDescriptorType, class IoVecType, class IoVecCalls,
          class SocketCalls, class SocketOptionCalls, class SocketAddrCalls, class TcpCalls,
          class UdpCalls, class UdsCalls, class PipeCalls, class NamedPipeType,
          class SignalWatchType, class ChildWatchType>
struct Platform {
  using Socket = SocketType;
  using native_handle_type = typename Socket::native_handle_type;
  using FileDescriptor = FileDescriptorType;
  using IoVec = IoVecType;
  using IoVecs = IoVecCalls;
  using Sockets = SocketCalls;
  using SocketOptions = SocketOptionCalls;
  using SocketAddrs = SocketAddrCalls;
  using Tcp = TcpCalls;
  using Udp = UdpCalls;
  using Uds = UdsCalls;
  using Pipes = PipeCalls;
  using NamedPipe = NamedPipeType;
  using SignalWatch = SignalWatchType;
  using ChildWatch = ChildWatchType;
};

/// A whole facade: how the backend polls (its selector with the event record and storage it
/// fills, its waker, the per-source state that keeps a registration edge-triggered) on top of the
/// Platform it does I/O with.
template <class SelectorType, class EventType, class EventsType, class WakerType,
          class IoSourceStateType, class PlatformType>
struct Backend : PlatformType {
  using Selector = SelectorType;
  using Event = EventType;
  using Events = EventsType;
  using Waker = WakerType;
  using IoSourceState = IoSourceStateType;
};

}  // namespace miocpp::sys::common
