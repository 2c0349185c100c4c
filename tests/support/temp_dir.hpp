// A temporary directory, removed with everything in it at the end of a test: where the
// Unix-domain socket tests put their socket paths.
#pragma once

#include <stdlib.h>  // mkdtemp

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

#include <gtest/gtest.h>

namespace test {

/// A new directory under /tmp (short, so socket paths fit sockaddr_un), removed with everything
/// in it at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::string pattern = "/tmp/miocpp-uds-XXXXXX";
    if (::mkdtemp(pattern.data()) != nullptr) {
      path_ = pattern;
    }
    EXPECT_FALSE(path_.empty()) << "mkdtemp: " << std::strerror(errno);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  TempDir(TempDir&&) = delete;
  TempDir& operator=(TempDir&&) = delete;
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }

  /// The directory itself.
  [[nodiscard]] const std::string& path() const { return path_; }

  /// `name` inside the directory.
  [[nodiscard]] std::string path(std::string_view name) const {
    return path_ + '/' + std::string(name);
  }

  /// Whether the directory holds nothing.
  [[nodiscard]] bool empty() const { return std::filesystem::is_empty(path_); }

 private:
  std::string path_;
};

}  // namespace test
