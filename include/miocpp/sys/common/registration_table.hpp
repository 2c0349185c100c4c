// The registrations of a selector that keeps its own table (poll(2), WASI): found by descriptor
// number, told apart by id, removed by moving the last one into the gap.
#pragma once

#include <algorithm>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

#include "../../config.hpp"

namespace miocpp::sys::common {

/// A registration as the table keeps it: the table sets `fd` and `id`, the backend the rest.
template <class R>
concept TableEntry = std::is_nothrow_copy_assignable_v<R> && requires(R& entry) {
  { entry.fd } -> std::same_as<int&>;
  { entry.id } -> std::same_as<std::uint64_t&>;
};

/// Registrations in slots 0..size()-1, with an index from descriptor number to slot. A backend
/// that hands the OS an array parallel to the slots (poll(2)'s pollfds) erases from it the way
/// erase() does here: the last element moves into the gap.
///
/// The id tells successive registrations of one descriptor number apart, so that a source whose
/// descriptor was deregistered and registered again by someone else does not re-arm or remove the
/// newer registration. `is_open` tells whether a descriptor is open, for the errors that depend
/// on it.
template <TableEntry Registration, bool (*is_open)(int) noexcept>
class RegistrationTable {
 public:
  static constexpr std::size_t none = SIZE_MAX;

  /// EBADF for a descriptor that is not open. The wait would report it only later, if at all, so
  /// registration checks first, as epoll_ctl and kevent do.
  static bool check_descriptor(int fd, std::error_code& ec) noexcept {
    if (!is_open(fd)) {
      ec = std::make_error_code(std::errc::bad_file_descriptor);
      return false;
    }
    return true;
  }

  [[nodiscard]] std::size_t size() const noexcept { return registrations_.size(); }
  Registration& operator[](std::size_t slot) noexcept { return registrations_[slot]; }
  const Registration& operator[](std::size_t slot) const noexcept { return registrations_[slot]; }

  /// The slot of `fd`, or none.
  [[nodiscard]] std::size_t slot_of(int fd) const noexcept {
    const auto index = static_cast<std::size_t>(fd);
    if (fd < 0 || index >= slot_of_fd_.size() || slot_of_fd_[index] == unused) {
      return none;
    }
    return slot_of_fd_[index];
  }

  /// The slot of `fd`; none with the error for a descriptor that is not registered, as epoll_ctl
  /// answers it: EBADF when it is not open either, ENOENT otherwise.
  std::size_t find(int fd, std::error_code& ec) const noexcept {
    const std::size_t slot = slot_of(fd);
    if (slot == none) {
      ec = std::make_error_code(is_open(fd) ? std::errc::no_such_file_or_directory
                                            : std::errc::bad_file_descriptor);
      return none;
    }
    ec.clear();
    return slot;
  }

  /// The slot of registration `id` of `fd`, or none when `fd` has been deregistered or registered
  /// anew since.
  [[nodiscard]] std::size_t slot_of(int fd, std::uint64_t id) const noexcept {
    const std::size_t slot = slot_of(fd);
    return slot != none && registrations_[slot].id == id ? slot : none;
  }

  /// Adds `registration` for `fd` and returns its id (never 0), or 0 with `ec` set: EEXIST when
  /// `fd` is registered already, ENOMEM when there is no room. `grow` makes room in the backend's
  /// own arrays for one more registration; once it and the table have grown, nothing that follows
  /// can fail.
  template <class Grow>
  std::uint64_t insert(int fd, Registration registration, std::error_code& ec,
                       Grow&& grow) noexcept {
    if (slot_of(fd) != none) {
      ec = std::make_error_code(std::errc::file_exists);
      return 0;
    }
    if (!reserve_for(fd, std::forward<Grow>(grow), ec)) {
      return 0;
    }
    registration.fd = fd;
    registration.id = next_id_++;
    slot_of_fd_[static_cast<std::size_t>(fd)] = static_cast<std::uint32_t>(size());
    registrations_.push_back(registration);
    ec.clear();
    return registration.id;
  }

  /// Removes a registration by moving the last one into its place.
  void erase(std::size_t slot) noexcept {
    slot_of_fd_[static_cast<std::size_t>(registrations_[slot].fd)] = unused;
    const std::size_t last = size() - 1;
    if (slot != last) {
      registrations_[slot] = registrations_[last];
      slot_of_fd_[static_cast<std::size_t>(registrations_[slot].fd)] =
          static_cast<std::uint32_t>(slot);
    }
    registrations_.pop_back();
    if (scan_from_ >= size()) {
      scan_from_ = 0;
    }
  }

  /// Where the next scan of the results starts: where a full Events stopped the last one, so that
  /// a few busy sources cannot keep the others from being reported.
  [[nodiscard]] std::size_t scan_from() const noexcept { return scan_from_; }
  void resume_scan_at(std::size_t slot) noexcept { scan_from_ = slot; }

 private:
  static constexpr std::uint32_t unused = UINT32_MAX;

  template <class Grow>
  bool reserve_for(int fd, Grow&& grow, std::error_code& ec) noexcept {
#if MIOCPP_HAS_EXCEPTIONS
    try {
#endif
      const auto index = static_cast<std::size_t>(fd);
      if (index >= slot_of_fd_.size()) {
        slot_of_fd_.resize(std::max(index + 1, slot_of_fd_.size() * 2), unused);
      }
      registrations_.reserve(size() + 1);
      std::forward<Grow>(grow)(size() + 1);
      return true;
#if MIOCPP_HAS_EXCEPTIONS
    } catch (...) {
      ec = std::make_error_code(std::errc::not_enough_memory);
      return false;
    }
#else
    (void)ec;
#endif
  }

  std::vector<Registration> registrations_;
  std::vector<std::uint32_t> slot_of_fd_;  // descriptor number -> slot (unused: none)
  std::uint64_t next_id_ = 1;
  std::size_t scan_from_ = 0;
};

}  // namespace miocpp::sys::common
