// Pipes and descriptor I/O, refused: for backends without descriptors (the shell; Windows, whose
// pipes are named pipes) and, for open(), WASI preview1, which cannot create a pipe.
#pragma once

#include <cstddef>
#include <span>
#include <system_error>
#include <utility>

#include "refuse.hpp"

namespace miocpp::sys::unsupported {

/// concepts::Pipes for the backend's owned descriptor type `FileDescriptor` and its scatter/gather
/// record `IoVec`; every call reports std::errc::not_supported.
template <class FileDescriptor, class IoVec>
struct Pipes {
  static std::pair<FileDescriptor, FileDescriptor> open(std::error_code& ec) noexcept {
    return refuse<std::pair<FileDescriptor, FileDescriptor>>(ec);
  }
  static std::size_t read(int, std::span<std::byte>, std::error_code& ec) noexcept {
    return refuse<std::size_t>(ec);
  }
  static std::size_t write(int, std::span<const std::byte>, std::error_code& ec) noexcept {
    return refuse<std::size_t>(ec);
  }
  static std::size_t read_vectored(int, std::span<const IoVec>, std::error_code& ec) noexcept {
    return refuse<std::size_t>(ec);
  }
  static std::size_t write_vectored(int, std::span<const IoVec>, std::error_code& ec) noexcept {
    return refuse<std::size_t>(ec);
  }
  static void set_nonblocking(int, bool, std::error_code& ec) noexcept { refuse(ec); }
};

}  // namespace miocpp::sys::unsupported
