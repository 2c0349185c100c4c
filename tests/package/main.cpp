// The program every consumer test builds, however it finds miocpp: a Poll woken by a Waker from
// another thread. It proves that the headers compile under the consumer's own warnings, that
// linking brings what they need (threads), and that the library works once built; the exit code
// says which step failed.
#include <chrono>
#include <cstdio>
#include <string>
#include <system_error>
#include <thread>

#include <miocpp/miocpp.hpp>
#include <miocpp/version.hpp>

namespace {

int fail(const char* what, const std::error_code& ec) {
  std::fprintf(stderr, "consumer: %s: %s\n", what, ec.message().c_str());
  return 1;
}

}  // namespace

int main() {
  const std::string version = std::to_string(MIOCPP_VERSION_MAJOR) + "." +
                              std::to_string(MIOCPP_VERSION_MINOR) + "." +
                              std::to_string(MIOCPP_VERSION_PATCH);
#ifdef MIOCPP_EXPECTED_VERSION
  // The version the build system found (find_package's miocpp_VERSION) must be the headers' own.
  if (version != MIOCPP_EXPECTED_VERSION) {
    std::fprintf(stderr, "consumer: headers are %s, the package said %s\n", version.c_str(),
                 MIOCPP_EXPECTED_VERSION);
    return 2;
  }
#endif

  std::error_code ec;
  miocpp::Poll poll(ec);
  if (ec) {
    return fail("Poll", ec);
  }
  const miocpp::Token wake_token{42};
  const miocpp::Waker waker(poll.registry(), wake_token, ec);
  if (ec) {
    return fail("Waker", ec);
  }

  std::error_code wake_ec;
  std::thread waking([&waker, &wake_ec] { waker.wake(wake_ec); });
  miocpp::Events events(8);
  poll.poll(events, std::chrono::seconds(10), ec);
  waking.join();
  if (wake_ec) {
    return fail("Waker::wake", wake_ec);
  }
  if (ec) {
    return fail("Poll::poll", ec);
  }
  if (events.size() != 1 || events.begin()->token() != wake_token ||
      !events.begin()->is_readable()) {
    std::fprintf(stderr, "consumer: expected one readable event with token 42, got %zu events\n",
                 events.size());
    return 3;
  }
  std::printf("miocpp %s: a Poll woken by its Waker (token %zu)\n", version.c_str(),
              events.begin()->token().value);
  return 0;
}
