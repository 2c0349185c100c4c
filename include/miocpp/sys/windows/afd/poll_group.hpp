// Poll groups: sockets whose AFD polls share one \Device\Afd handle, and the set of them a
// selector keeps.
#pragma once

#include <memory>
#include <new>
#include <system_error>
#include <utility>
#include <vector>

#include "../iocp.hpp"
#include "../windows.hpp"
#include "device.hpp"

namespace miocpp::sys::windows::afd {

/// Up to `max_size` sockets polled through one driver handle (each poll is a separate request on
/// it): a handle per socket would cost a kernel object each. 32 is the size wepoll and mio use.
class PollGroup {
 public:
  static constexpr int max_size = 32;

  PollGroup(const CompletionPort& port, ULONG_PTR key, std::error_code& ec) noexcept
      : device_(port, key, ec) {}

  [[nodiscard]] const Device& device() const noexcept { return device_; }
  [[nodiscard]] bool is_full() const noexcept { return size_ >= max_size; }

  void join() noexcept { ++size_; }
  /// True when the last socket left.
  [[nodiscard]] bool leave() noexcept { return --size_ == 0; }

 private:
  Device device_;
  int size_ = 0;
};

/// The poll groups of one selector: a socket joins the newest group while it has room, and a group
/// is closed when its last socket leaves. Not thread-safe: the selector's lock guards it.
class PollGroups {
 public:
  /// The group a new socket joins, on `port` with completion key `key`; nullptr on error.
  PollGroup* join(const CompletionPort& port, ULONG_PTR key, std::error_code& ec) noexcept {
    if (groups_.empty() || groups_.back()->is_full()) {
      auto group = std::unique_ptr<PollGroup>(new (std::nothrow) PollGroup(port, key, ec));
      if (group == nullptr) {
        ec = std::make_error_code(std::errc::not_enough_memory);
        return nullptr;
      }
      if (ec) {
        return nullptr;
      }
      // The one with free room stays last: join only looks there.
      groups_.push_back(std::move(group));
    }
    ec.clear();
    PollGroup* group = groups_.back().get();
    group->join();
    return group;
  }

  void leave(PollGroup& group) noexcept {
    if (group.leave()) {
      std::erase_if(groups_, [&group](const auto& owned) { return owned.get() == &group; });
    }
  }

 private:
  std::vector<std::unique_ptr<PollGroup>> groups_;
};

}  // namespace miocpp::sys::windows::afd
