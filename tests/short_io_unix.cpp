// The short I/O guarantee (tests/support/short_io.hpp) on Unix-domain streams and pipes.
#include <utility>

#include <gtest/gtest.h>

#include "support/short_io.hpp"
#include <miocpp/miocpp.hpp>

namespace {

struct UnixStream {
  static test::Channel<miocpp::net::UnixStream, miocpp::net::UnixStream> open() {
    std::error_code ec;
    auto [writer, reader] = miocpp::net::UnixStream::pair(ec);
    EXPECT_FALSE(ec) << ec.message();
    return {std::move(writer), std::move(reader)};
  }
  static void close_writer(
      test::Channel<miocpp::net::UnixStream, miocpp::net::UnixStream>& channel) {
    std::error_code ec;
    channel.writer.shutdown(miocpp::net::Shutdown::write, ec);
    EXPECT_FALSE(ec) << ec.message();
  }
};

struct Pipe {
  static test::Channel<miocpp::posix::pipe::Sender, miocpp::posix::pipe::Receiver> open() {
    std::error_code ec;
    auto [sender, receiver] = miocpp::posix::pipe::create(ec);
    EXPECT_FALSE(ec) << ec.message();
    return {std::move(sender), std::move(receiver)};
  }
  static void close_writer(
      test::Channel<miocpp::posix::pipe::Sender, miocpp::posix::pipe::Receiver>& channel) {
    channel.writer = miocpp::posix::pipe::Sender();
  }
};

using Kinds = ::testing::Types<UnixStream, Pipe>;
INSTANTIATE_TYPED_TEST_SUITE_P(Unix, ShortIo, Kinds);

}  // namespace
