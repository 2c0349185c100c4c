// Counting this process's open file descriptors, to prove nothing leaks.
#pragma once

#include <cstddef>
#include <filesystem>

namespace test {

/// The number of entries in /proc/self/fd (Linux) or /dev/fd (BSDs, macOS).
inline std::size_t open_descriptor_count() {
  const std::filesystem::path dir =
      std::filesystem::exists("/proc/self/fd") ? "/proc/self/fd" : "/dev/fd";
  std::size_t count = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir)) {
    ++count;
  }
  return count;
}

}  // namespace test
