// What every example needs besides miocpp: failing loudly, and the address to listen on.
#pragma once

#include <cstdlib>
#include <iostream>
#include <string_view>
#include <system_error>

#include <miocpp/net/socket_addr.hpp>

namespace example {

/// Examples stop at the first unexpected error, after saying what failed.
inline void check(const std::error_code& ec, std::string_view what) {
  if (ec) {
    std::cerr << what << ": " << ec.message() << '\n';
    std::exit(EXIT_FAILURE);
  }
}

/// The address given as the first argument, or `fallback`.
inline miocpp::net::SocketAddr address_argument(int argc, char** argv, std::string_view fallback) {
  std::error_code ec;
  const std::string_view text = argc > 1 ? std::string_view(argv[1]) : fallback;
  const auto address = miocpp::net::SocketAddr::parse(text, ec);
  check(ec, "address (expected 127.0.0.1:9000 or [::1]:9000)");
  return address;
}

}  // namespace example
