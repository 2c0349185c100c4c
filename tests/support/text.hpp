// Values the tests compare with: the bytes of a text and back, what a value prints as, the code a
// throwing call throws, and a count of the errors of a loop.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <ostream>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include <gtest/gtest.h>

#include <miocpp/config.hpp>

namespace test {

/// Bytes of a string literal, for writing.
inline std::span<const std::byte> bytes_of(std::string_view text) {
  return std::as_bytes(std::span(text.data(), text.size()));
}

/// Bytes as a string, for comparisons.
inline std::string as_string(std::span<const std::byte> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};  // NOLINT(*-reinterpret-cast)
}

/// What `value` prints as through operator<<.
template <class T>
std::string printed(const T& value) {
  std::ostringstream os;
  os << value;
  return os.str();
}

/// Whether `part` appears in `text`.
inline bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

/// Expects each of `present` to appear in `text`, and none of `absent`.
inline void expect_mentions(std::string_view text, std::initializer_list<std::string_view> present,
                            std::initializer_list<std::string_view> absent = {}) {
  for (const std::string_view part : present) {
    EXPECT_TRUE(contains(text, part)) << "no \"" << part << "\" in " << text;
  }
  for (const std::string_view part : absent) {
    EXPECT_FALSE(contains(text, part)) << "\"" << part << "\" in " << text;
  }
}

/// Counts the errors of a loop without an assertion per round.
struct Failures {
  std::size_t count = 0;
  std::error_code last;

  void check(const std::error_code& ec) {
    if (ec) {
      ++count;
      last = ec;
    }
  }
};

inline std::ostream& operator<<(std::ostream& os, const Failures& failures) {
  return os << failures.count << " failures, the last: " << failures.last.message();
}

#if MIOCPP_HAS_EXCEPTIONS
/// The code of the std::system_error that `call` throws; empty if it throws none.
template <class Call>
std::error_code thrown_code(Call&& call) {
  try {
    std::forward<Call>(call)();
  } catch (const std::system_error& error) {
    return error.code();
  }
  return {};
}
#endif

}  // namespace test
