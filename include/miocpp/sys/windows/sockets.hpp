// Sockets: the calls TCP and UDP sockets share on Winsock, one Winsock call each.
#pragma once

#include <algorithm>
#include <climits>
#include <cstddef>
#include <span>
#include <system_error>

#include "../../net/shutdown.hpp"
#include "../../net/socket_addr.hpp"
#include "../common/shutdown.hpp"
#include "error.hpp"
#include "io_vec.hpp"
#include "socket.hpp"
#include "socket_addr.hpp"
#include "windows.hpp"

namespace miocpp::sys::windows {

/// concepts::Sockets over SOCKETs.
struct Sockets {
  static std::size_t send(SOCKET socket, std::span<const std::byte> bytes,
                          std::error_code& ec) noexcept {
    return io_result(
        ::send(socket, reinterpret_cast<const char*>(bytes.data()),  // NOLINT(*-reinterpret-cast)
               clamp_length(bytes.size()), 0),
        ec);
  }

  static std::size_t receive(SOCKET socket, std::span<std::byte> buffer,
                             std::error_code& ec) noexcept {
    return receive_bytes(socket, buffer, 0, ec);
  }

  /// recv with MSG_PEEK: the bytes stay queued for the next read.
  static std::size_t peek(SOCKET socket, std::span<std::byte> buffer,
                          std::error_code& ec) noexcept {
    return receive_bytes(socket, buffer, MSG_PEEK, ec);
  }

  static std::size_t send_vectored(SOCKET socket, std::span<const IoVec> buffers,
                                   std::error_code& ec) noexcept {
    DWORD sent = 0;
    if (::WSASend(socket, as_mutable(buffers), vec_count(buffers), &sent, 0, nullptr, nullptr) ==
        SOCKET_ERROR) {
      ec = last_socket_error();
      return 0;
    }
    ec.clear();
    return sent;
  }

  /// WSARecv; WSAESHUTDOWN (reading after shutdown(SD_RECEIVE)) is end of stream, as for recv.
  static std::size_t receive_vectored(SOCKET socket, std::span<const IoVec> buffers,
                                      std::error_code& ec) noexcept {
    DWORD received = 0;
    DWORD flags = 0;
    if (::WSARecv(socket, as_mutable(buffers), vec_count(buffers), &received, &flags, nullptr,
                  nullptr) == SOCKET_ERROR) {
      const int error = ::WSAGetLastError();
      ec = error == WSAESHUTDOWN ? std::error_code() : win32_code(static_cast<DWORD>(error));
      return 0;
    }
    ec.clear();
    return received;
  }

  static void shutdown(SOCKET socket, net::Shutdown how, std::error_code& ec) noexcept {
    check(::shutdown(socket, common::shutdown_how(how, SD_RECEIVE, SD_SEND, SD_BOTH)), ec);
  }

  /// getsockname and getpeername (std::errc::not_connected when there is no peer).
  static net::SocketAddr local_addr(SOCKET socket, std::error_code& ec) noexcept {
    return address_of(socket, ::getsockname, ec);
  }
  static net::SocketAddr peer_addr(SOCKET socket, std::error_code& ec) noexcept {
    return address_of(socket, ::getpeername, ec);
  }

  /// The pending socket error (SO_ERROR), which reading also clears: empty when there is none.
  /// `ec` reports whether asking failed.
  static std::error_code take_error(SOCKET socket, std::error_code& ec) noexcept {
    const int pending = SocketOption::get<int>(socket, SOL_SOCKET, SO_ERROR, ec);
    return ec || pending == 0 ? std::error_code() : win32_code(static_cast<DWORD>(pending));
  }

 private:
  // WSASend and WSARecv take the array as non-const; they only read it.
  static IoVec* as_mutable(std::span<const IoVec> buffers) noexcept {
    return const_cast<IoVec*>(buffers.data());  // NOLINT(*-const-cast)
  }
  static DWORD vec_count(std::span<const IoVec> buffers) noexcept {
    return static_cast<DWORD>(std::min<std::size_t>(buffers.size(), ULONG_MAX));
  }

  template <class Query>
  static net::SocketAddr address_of(SOCKET socket, Query query, std::error_code& ec) noexcept {
    RawSocketAddr raw;
    check(query(socket, raw.get(), &raw.length), ec);
    return ec ? net::SocketAddr() : from_raw(raw, ec);
  }
};

}  // namespace miocpp::sys::windows
