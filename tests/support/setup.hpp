// Set-up steps inside a test body that must succeed, or the test stops with the error: opening a
// Poll, and registering, reregistering and deregistering a source. Macros, because a fatal
// ASSERT_ only stops the function it is written in.
#pragma once

#include <system_error>

#include <gtest/gtest.h>

#include <miocpp/poll.hpp>

/// A Poll that must open, and with a second argument such as `events(16)` the Events buffer its
/// polls fill; the test stops if the Poll does not open.
// NOLINTNEXTLINE(cppcoreguidelines-macro-usage): ASSERT_ must sit in the test body
#define OPEN_POLL(name, ...)              \
  std::error_code name##_ec;              \
  miocpp::Poll name(name##_ec);           \
  __VA_OPT__(miocpp::Events __VA_ARGS__;) \
  ASSERT_FALSE(name##_ec) << name##_ec.message()

/// Runs `call`, which reports through the std::error_code `step_ec`; the test stops if it
/// reports an error.
// NOLINTNEXTLINE(cppcoreguidelines-macro-usage)
#define ASSERT_STEP(call)                       \
  do {                                          \
    std::error_code step_ec;                    \
    call;                                       \
    ASSERT_FALSE(step_ec) << step_ec.message(); \
  } while (false)

/// Registers, reregisters or deregisters `source` with `poll`; the test stops if that fails.
// NOLINTNEXTLINE(cppcoreguidelines-macro-usage)
#define REGISTER(poll, source, token, interest) \
  ASSERT_STEP((poll).registry().register_source(source, token, interest, step_ec))
// NOLINTNEXTLINE(cppcoreguidelines-macro-usage)
#define REREGISTER(poll, source, token, interest) \
  ASSERT_STEP((poll).registry().reregister(source, token, interest, step_ec))
// NOLINTNEXTLINE(cppcoreguidelines-macro-usage)
#define DEREGISTER(poll, source) ASSERT_STEP((poll).registry().deregister(source, step_ec))

namespace test {

/// Registers `source` with `poll` for readable events under `token`; a failure fails the test
/// without stopping it, so that helpers returning a value may call it.
template <class Source>
void register_readable(miocpp::Poll& poll, Source& source, miocpp::Token token) {
  std::error_code ec;
  poll.registry().register_source(source, token, miocpp::Interest::readable, ec);
  EXPECT_FALSE(ec) << ec.message();
}

}  // namespace test
