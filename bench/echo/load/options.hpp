// The load generator's command line: --port P --connections C --depth D --size S
// --warmup SECONDS --duration SECONDS.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace load {

struct Options {
  std::uint16_t port = 0;
  std::size_t connections = 1;
  std::size_t depth = 1;  // messages in flight per connection
  std::size_t size = 64;  // bytes per message
  double warmup = 1;      // seconds run but not counted
  double duration = 5;    // seconds measured
};

inline Options parse(int argc, char** argv) {
  Options options;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view name = argv[i];
    const char* value = argv[i + 1];
    if (name == "--port") {
      options.port = static_cast<std::uint16_t>(std::strtoul(value, nullptr, 10));
    } else if (name == "--connections") {
      options.connections = std::strtoul(value, nullptr, 10);
    } else if (name == "--depth") {
      options.depth = std::strtoul(value, nullptr, 10);
    } else if (name == "--size") {
      options.size = std::strtoul(value, nullptr, 10);
    } else if (name == "--warmup") {
      options.warmup = std::strtod(value, nullptr);
    } else if (name == "--duration") {
      options.duration = std::strtod(value, nullptr);
    } else {
      std::fprintf(stderr, "load: unknown option %s\n", argv[i]);
      std::exit(2);
    }
  }
  if (options.port == 0 || options.connections == 0 || options.depth == 0 || options.size == 0 ||
      argc % 2 == 0) {
    std::fprintf(stderr,
                 "usage: %s --port P [--connections C] [--depth D] [--size S] [--warmup SECONDS] "
                 "[--duration SECONDS]\n",
                 argv[0]);
    std::exit(2);
  }
  return options;
}

}  // namespace load
