// Histogram: round-trip times in nanoseconds, kept in log-linear buckets (64 per power of two, so
// a percentile is within 1.6% of the exact value) in fixed memory: recording never allocates.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>

namespace load {

class Histogram {
 public:
  void record(std::uint64_t nanoseconds) noexcept {
    ++counts_[index(nanoseconds)];
    ++total_;
  }

  [[nodiscard]] std::uint64_t total() const noexcept { return total_; }

  /// The value below which `fraction` (0..1) of the recorded values lie: the middle of the
  /// bucket that holds it.
  [[nodiscard]] std::uint64_t percentile(double fraction) const noexcept {
    const auto rank = static_cast<std::uint64_t>(fraction * static_cast<double>(total_));
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < counts_.size(); ++i) {
      seen += counts_[i];
      if (seen > rank) {
        return (lowest(i) + lowest(i + 1)) / 2;
      }
    }
    return lowest(counts_.size());
  }

 private:
  static constexpr unsigned sub_bits = 6;                  // 64 buckets per power of two
  static constexpr std::uint64_t linear = 2U << sub_bits;  // below this, one bucket per value
  static constexpr std::size_t bucket_count = linear + (64 - sub_bits - 1) * (linear / 2);

  static std::size_t index(std::uint64_t value) noexcept {
    if (value < linear) {
      return static_cast<std::size_t>(value);
    }
    const auto shift = static_cast<unsigned>(std::bit_width(value)) - sub_bits - 1;
    return static_cast<std::size_t>(linear + (shift - 1) * (linear / 2) +
                                    ((value >> shift) - linear / 2));
  }

  static std::uint64_t lowest(std::size_t index) noexcept {
    if (index < linear) {
      return index;
    }
    const std::size_t shift = (index - linear) / (linear / 2) + 1;
    const std::size_t mantissa = (index - linear) % (linear / 2) + linear / 2;
    return static_cast<std::uint64_t>(mantissa) << shift;
  }

  std::array<std::uint64_t, bucket_count> counts_{};
  std::uint64_t total_ = 0;
};

}  // namespace load
