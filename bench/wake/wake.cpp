// Waking one poller from several threads: how many wakes per second go through, and (counted from
// outside by bench/run, under perf or strace) how many system calls each wake costs. Three ways:
//   miocpp   Waker::wake: an atomic flag, and the eventfd write only when no wake is pending;
//   eventfd  the same epoll and eventfd written on every wake (what mio's Waker does);
//   libuv    uv_async_send (its own pending flag), when built with libuv.
// Usage: bench_wake <miocpp|eventfd|libuv> [--threads N] [--duration SECONDS]
// Prints one line of JSON: {"mode", "threads", "wakes", "events", "seconds"}.
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

#if defined(MIOCPP_BENCH_HAVE_LIBUV)
#include <uv.h>
#endif

#include <miocpp/miocpp.hpp>

namespace {

using clock_type = std::chrono::steady_clock;

[[noreturn]] void fail(const char* what) {
  std::perror(what);
  std::exit(1);
}

struct Options {
  std::string_view mode;
  unsigned threads = 4;
  double duration = 1.0;
};

/// The waking side, the same for every mode: `threads` threads calling `wake` as fast as they can
/// until told to stop. Returns the wakes made.
class Wakers {
 public:
  Wakers(unsigned threads, std::function<void()> wake) : wake_(std::move(wake)) {
    for (unsigned t = 0; t < threads; ++t) {
      threads_.emplace_back([this] {
        std::uint64_t made = 0;
        while (!stop_.load(std::memory_order_relaxed)) {
          wake_();
          ++made;
        }
        wakes_.fetch_add(made, std::memory_order_relaxed);
      });
    }
  }
  std::uint64_t stop() {
    stop_.store(true);
    for (std::thread& thread : threads_) {
      thread.join();
    }
    return wakes_.load();
  }

 private:
  std::function<void()> wake_;
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> wakes_{0};
  std::vector<std::thread> threads_;
};

struct Result {
  std::uint64_t wakes = 0;
  std::uint64_t events = 0;
  double seconds = 0;
};

Result run_miocpp(const Options& options) {
  std::error_code ec;
  miocpp::Poll poll(ec);
  miocpp::Events events(16);
  const miocpp::Waker waker(poll.registry(), miocpp::Token{1}, ec);
  if (ec) {
    fail("miocpp waker");
  }
  Result result;
  const auto start = clock_type::now();
  const auto end = start + std::chrono::duration<double>(options.duration);
  Wakers wakers(options.threads, [&waker] {
    std::error_code wake_ec;
    waker.wake(wake_ec);
  });
  while (clock_type::now() < end) {
    poll.poll(events, std::chrono::milliseconds(10), ec);
    result.events += events.size();
  }
  result.wakes = wakers.stop();
  result.seconds = std::chrono::duration<double>(clock_type::now() - start).count();
  return result;
}

Result run_eventfd(const Options& options) {
  const int epoll = ::epoll_create1(EPOLL_CLOEXEC);
  const int wake_fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (epoll < 0 || wake_fd < 0) {
    fail("epoll/eventfd");
  }
  ::epoll_event registration{};
  registration.events = EPOLLIN | EPOLLET;
  if (::epoll_ctl(epoll, EPOLL_CTL_ADD, wake_fd, &registration) < 0) {
    fail("epoll_ctl");
  }
  Result result;
  const auto start = clock_type::now();
  const auto end = start + std::chrono::duration<double>(options.duration);
  Wakers wakers(options.threads, [wake_fd] {
    const std::uint64_t one = 1;
    (void)!::write(wake_fd, &one, sizeof one);
  });
  std::vector<::epoll_event> ready(16);
  while (clock_type::now() < end) {
    const int count = ::epoll_wait(epoll, ready.data(), static_cast<int>(ready.size()), 10);
    result.events += count > 0 ? static_cast<std::uint64_t>(count) : 0;
  }
  result.wakes = wakers.stop();
  result.seconds = std::chrono::duration<double>(clock_type::now() - start).count();
  ::close(wake_fd);
  ::close(epoll);
  return result;
}

#if defined(MIOCPP_BENCH_HAVE_LIBUV)
Result run_libuv(const Options& options) {
  struct State {
    uv_async_t async{};
    std::uint64_t events = 0;
    std::atomic<bool> done{false};
  } state;
  uv_loop_t loop;
  if (uv_loop_init(&loop) != 0) {
    fail("uv_loop_init");
  }
  state.async.data = &state;
  uv_async_init(&loop, &state.async, [](uv_async_t* async) {
    auto* self = static_cast<State*>(async->data);
    ++self->events;
    if (self->done.load()) {
      uv_close(reinterpret_cast<uv_handle_t*>(async), nullptr);  // NOLINT(*-reinterpret-cast)
    }
  });
  Result result;
  const auto start = clock_type::now();
  Wakers wakers(options.threads, [&state] { uv_async_send(&state.async); });
  std::thread timer([&] {
    std::this_thread::sleep_for(std::chrono::duration<double>(options.duration));
    result.wakes = wakers.stop();  // no uv_async_send after the handle closes
    state.done.store(true);
    uv_async_send(&state.async);  // the loop closes the handle and uv_run returns
  });
  uv_run(&loop, UV_RUN_DEFAULT);
  timer.join();
  result.events = state.events;
  result.seconds = std::chrono::duration<double>(clock_type::now() - start).count();
  uv_loop_close(&loop);
  return result;
}
#endif

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_wake <miocpp|eventfd|libuv> [--threads N] [--duration S]\n");
    return 2;
  }
  options.mode = argv[1];
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string_view flag = argv[i];
    if (flag == "--threads") {
      options.threads = static_cast<unsigned>(std::strtoul(argv[i + 1], nullptr, 10));
    } else if (flag == "--duration") {
      options.duration = std::strtod(argv[i + 1], nullptr);
    }
  }
  Result result;
  if (options.mode == "miocpp") {
    result = run_miocpp(options);
  } else if (options.mode == "eventfd") {
    result = run_eventfd(options);
#if defined(MIOCPP_BENCH_HAVE_LIBUV)
  } else if (options.mode == "libuv") {
    result = run_libuv(options);
#endif
  } else {
    std::fprintf(stderr, "bench_wake: mode %.*s is not built here\n",
                 static_cast<int>(options.mode.size()), options.mode.data());
    return 3;
  }
  std::printf(
      "{\"mode\": \"%.*s\", \"threads\": %u, \"wakes\": %llu, \"events\": %llu, "
      "\"seconds\": %.6f}\n",
      static_cast<int>(options.mode.size()), options.mode.data(), options.threads,
      static_cast<unsigned long long>(result.wakes),   // NOLINT(google-runtime-int)
      static_cast<unsigned long long>(result.events),  // NOLINT(google-runtime-int)
      result.seconds);
  return 0;
}
