// Timer throughput: miocpp's Timers (a hierarchical timing wheel) beside libuv's uv_timer_t and
// Asio's steady_timer (binary heaps), in one program, with 1k, 100k and 1M live timers:
//   start+cancel  cancel a random live timer and start it again, far away (60-120 s);
//   reset         move a random live timer to a new far deadline;
//   start+expire  B of the live timers (B = min(live, 16384)) fire within 1-4 ms and are started
//                 again at once; the loop sleeps 1 ms (not measured), then lets the library find
//                 and fire what is due, with its own expiry processing, and starts each again.
// Only the library calls are timed; set-up and tear-down are not. Rounds interleave the
// libraries (their order rotates), so each round's ratios compare the same moments of the
// machine. Allocations are counted in the timed sections.
// Usage: bench_timers [--rounds N] [--duration SECONDS] [--sizes N,N,...] [--libraries a,b,...]
// Prints one line of JSON per measurement: {"scenario", "size", "library", "round", "operations",
// "seconds", "allocations"}. Progress goes to stderr.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

// The tests' allocation counter, whole: it counts malloc too, which Timers allocates with.
#include "../../tests/support/allocation_counter.hpp"
#include "miocpp_timers.hpp"
#include "workload.hpp"
#if defined(MIOCPP_BENCH_HAVE_LIBUV)
#include "libuv_timers.hpp"
#endif
#if defined(MIOCPP_BENCH_HAVE_ASIO)
#include "asio_timers.hpp"
#endif

namespace {

using bench::Clock;

struct Options {
  int rounds = 5;
  double duration = 0.25;  // seconds measured per scenario, library and size
  std::vector<std::size_t> sizes = {1'000, 100'000, 1'000'000};
  std::vector<std::string> libraries = {"miocpp", "libuv", "asio"};
};

/// Operations, measured seconds and allocations of one scenario.
struct Tally {
  std::size_t operations = 0;
  double seconds = 0;
  std::size_t allocations = 0;

  /// Times `work` (which returns the operations it did), counting its allocations.
  template <class Work>
  void time(Work&& work) {
    const test::AllocationWindow window;
    const Clock::time_point start = Clock::now();
    operations += work();
    const Clock::time_point end = Clock::now();
    seconds += std::chrono::duration<double>(end - start).count();
    allocations += window.count();
  }
};

void print(const char* scenario, std::size_t size, const char* library, int round,
           const Tally& tally) {
  std::printf(
      "{\"scenario\": \"%s\", \"size\": %zu, \"library\": \"%s\", \"round\": %d, "
      "\"operations\": %zu, \"seconds\": %.9f, \"allocations\": %zu}\n",
      scenario, size, library, round, tally.operations, tally.seconds, tally.allocations);
  std::fflush(stdout);
  std::fprintf(stderr, "bench_timers: round %d %s %zu %s: %.0f operations/s\n", round, scenario,
               size, library, static_cast<double>(tally.operations) / tally.seconds);
}

/// Every scenario on one library with `size` live timers.
template <class Library>
void measure(const Options& options, std::size_t size, int round) {
  bench::Random random(0x7153 + size);
  Library library(size, random);
  constexpr std::size_t chunk = 1024;

  Tally start_cancel;
  while (start_cancel.seconds < options.duration) {
    start_cancel.time([&] {
      library.start_cancel(chunk);
      return chunk;
    });
  }
  print("start+cancel", size, Library::name, round, start_cancel);

  Tally reset;
  while (reset.seconds < options.duration) {
    reset.time([&] {
      library.reset(chunk);
      return chunk;
    });
  }
  print("reset", size, Library::name, round, reset);

  // The time spent sleeping is not measured; the wall-clock bound keeps small sizes (whose
  // measured time grows slowly) from running long.
  library.make_near(std::min<std::size_t>(size, 16'384));
  Tally expire;
  const Clock::time_point give_up =
      Clock::now() + std::chrono::duration_cast<Clock::duration>(
                         std::chrono::duration<double>(2 * options.duration));
  while (expire.seconds < options.duration && Clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    expire.time([&] { return library.expire_due(); });
  }
  print("start+expire", size, Library::name, round, expire);
}

std::vector<std::string> split(std::string_view text) {
  std::vector<std::string> parts;
  while (!text.empty()) {
    const std::size_t comma = text.find(',');
    parts.emplace_back(text.substr(0, comma));
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
  }
  return parts;
}

Options parse(int argc, char** argv) {
  Options options;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view flag = argv[i];
    const char* value = argv[i + 1];
    if (flag == "--rounds") {
      options.rounds = std::atoi(value);
    } else if (flag == "--duration") {
      options.duration = std::strtod(value, nullptr);
    } else if (flag == "--sizes") {
      options.sizes.clear();
      for (const std::string& size : split(value)) {
        options.sizes.push_back(std::strtoull(size.c_str(), nullptr, 10));
      }
    } else if (flag == "--libraries") {
      options.libraries = split(value);
    } else {
      std::fprintf(stderr,
                   "usage: bench_timers [--rounds N] [--duration S] [--sizes N,...] "
                   "[--libraries miocpp,libuv,asio]\n");
      std::exit(2);
    }
  }
  return options;
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = parse(argc, argv);
  std::vector<std::pair<std::string, std::function<void(std::size_t, int)>>> libraries;
  for (const std::string& name : options.libraries) {
    if (name == "miocpp") {
      libraries.emplace_back(name, [&](std::size_t size, int round) {
        measure<bench::MiocppTimers>(options, size, round);
      });
#if defined(MIOCPP_BENCH_HAVE_LIBUV)
    } else if (name == "libuv") {
      libraries.emplace_back(name, [&](std::size_t size, int round) {
        measure<bench::LibuvTimers>(options, size, round);
      });
#endif
#if defined(MIOCPP_BENCH_HAVE_ASIO)
    } else if (name == "asio") {
      libraries.emplace_back(name, [&](std::size_t size, int round) {
        measure<bench::AsioTimers>(options, size, round);
      });
#endif
    } else {
      std::fprintf(stderr, "bench_timers: %s is not built here, left out\n", name.c_str());
    }
  }
  for (int round = 1; round <= options.rounds; ++round) {
    for (const std::size_t size : options.sizes) {
      for (std::size_t k = 0; k < libraries.size(); ++k) {
        libraries[(k + static_cast<std::size_t>(round)) % libraries.size()].second(size, round);
      }
    }
  }
  return 0;
}
