// Running the process out of descriptors on purpose, for the tests of what the library does then:
// a lowered RLIMIT_NOFILE with every number below it taken, given back a few at a time, and
// everything restored at the end. POSIX only.
#pragma once

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstddef>
#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

namespace test {

/// The highest descriptor number open in this process, -1 if none (the directory listed is open
/// while it is read, so it may count itself).
inline int highest_open_descriptor() {
  const std::filesystem::path dir =
      std::filesystem::exists("/proc/self/fd") ? "/proc/self/fd" : "/dev/fd";
  int highest = -1;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    int fd = -1;
    if (std::from_chars(name.data(), name.data() + name.size(), fd).ec == std::errc()) {
      highest = std::max(highest, fd);
    }
  }
  return highest;
}

/// Leaves the process exactly `room` free descriptor numbers while it lives. It lowers the soft
/// RLIMIT_NOFILE to a little above the highest open descriptor (so that filling the table takes a
/// few dozen descriptors, not the whole default limit) and takes every free number below that
/// with /dev/null; then it gives `room` of them back. The destructor closes what it took and
/// restores the limit.
///
/// Nothing that opens a descriptor works meanwhile, test::open_descriptor_count() included (it
/// opens a directory): count before and after, not during. The room it leaves is exact only while
/// no other thread opens or closes descriptors.
class DescriptorShortage {
 public:
  explicit DescriptorShortage(std::size_t room = 0) {
    if (::getrlimit(RLIMIT_NOFILE, &saved_) != 0) {
      fail("getrlimit");
      return;
    }
    // Enough numbers above the highest one open for the fillers to hand out `room` of them.
    constexpr ::rlim_t margin = 16;
    ::rlimit lowered = saved_;
    lowered.rlim_cur = static_cast<::rlim_t>(highest_open_descriptor() + 1) + margin + room;
    if (lowered.rlim_cur > saved_.rlim_cur) {
      error_ = "the descriptor limit is too low already";
      return;
    }
    if (::setrlimit(RLIMIT_NOFILE, &lowered) != 0) {
      fail("setrlimit");
      return;
    }
    lowered_ = true;
    for (;;) {
      const int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
      if (fd < 0) {
        if (errno != EMFILE) {
          fail("open /dev/null");
          return;
        }
        break;
      }
      fillers_.push_back(fd);
    }
    if (fillers_.size() < room) {
      error_ = "too few descriptors taken to give " + std::to_string(room) + " back";
      return;
    }
    make_room(room);
  }
  DescriptorShortage(const DescriptorShortage&) = delete;
  DescriptorShortage& operator=(const DescriptorShortage&) = delete;
  DescriptorShortage(DescriptorShortage&&) = delete;
  DescriptorShortage& operator=(DescriptorShortage&&) = delete;
  ~DescriptorShortage() {
    for (const int fd : fillers_) {
      ::close(fd);
    }
    if (lowered_) {
      ::setrlimit(RLIMIT_NOFILE, &saved_);
    }
  }

  /// Whether the shortage is in place.
  [[nodiscard]] bool ok() const noexcept { return error_.empty(); }

  /// Why it is not ("" when it is).
  [[nodiscard]] const std::string& error() const noexcept { return error_; }

  /// Gives `count` more descriptor numbers back to the process (the highest ones taken).
  void make_room(std::size_t count) {
    for (; count > 0 && !fillers_.empty(); --count) {
      ::close(fillers_.back());
      fillers_.pop_back();
    }
  }

 private:
  void fail(const char* what) { error_ = std::string(what) + ": " + std::strerror(errno); }

  ::rlimit saved_{};
  bool lowered_ = false;
  std::vector<int> fillers_;
  std::string error_;
};

}  // namespace test
