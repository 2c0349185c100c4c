// Reads and writes with their expected outcome, for any miocpp byte stream (TcpStream, UnixStream,
// pipe ends) or datagram socket (UdpSocket, UnixDatagram): all of a text written or received, a
// call that would block, and filling or draining a buffer to would-block.
#pragma once

#include <array>
#include <concepts>
#include <cstddef>
#include <span>
#include <string_view>
#include <system_error>
#include <vector>

#include <gtest/gtest.h>

#include "support/expect.hpp"

namespace test {

template <class T>
concept ByteStream = requires(T& stream, std::span<std::byte> buffer, std::error_code& ec) {
  { stream.read(buffer, ec) } -> std::same_as<std::size_t>;
}
|| requires(T& stream, std::span<const std::byte> bytes, std::error_code& ec) {
  { stream.write(bytes, ec) } -> std::same_as<std::size_t>;
};

template <class T>
concept DatagramSocket = requires(T& socket, std::span<std::byte> buffer, std::error_code& ec) {
  { socket.recv(buffer, ec) } -> std::same_as<std::size_t>;
};

/// One read of a byte stream, or one datagram received.
template <ByteStream Stream>
std::size_t receive_some(Stream& stream, std::span<std::byte> buffer, std::error_code& ec) {
  return stream.read(buffer, ec);
}
template <DatagramSocket Socket>
std::size_t receive_some(Socket& socket, std::span<std::byte> buffer, std::error_code& ec) {
  return socket.recv(buffer, ec);
}

/// One write to a byte stream, or one datagram sent on a connected socket.
template <ByteStream Stream>
std::size_t send_some(Stream& stream, std::span<const std::byte> bytes, std::error_code& ec) {
  return stream.write(bytes, ec);
}
template <DatagramSocket Socket>
std::size_t send_some(Socket& socket, std::span<const std::byte> bytes, std::error_code& ec) {
  return socket.send(bytes, ec);
}

/// Expects `call` (which takes the std::error_code to report through) to report
/// `std::errc::operation_would_block` and a count of 0.
template <class Call>
void expect_would_block(Call call) {
  std::error_code ec;
  EXPECT_EQ(call(ec), 0U);
  EXPECT_EQ(ec, std::errc::operation_would_block) << ec.message();
}

/// Writes (sends) all of `text` in one call: small writes on a fresh connection always fit, and
/// a datagram goes whole.
template <class Sink>
void write_all(Sink& sink, std::string_view text) {
  std::error_code ec;
  EXPECT_EQ(send_some(sink, bytes_of(text), ec), text.size());
  EXPECT_FALSE(ec) << ec.message();
}

/// Expects `receive` (given a buffer of 64 bytes and the error code to report through) to
/// succeed with exactly `expected`.
template <class Receive>
void expect_received(Receive receive, std::string_view expected) {
  std::array<std::byte, 64> buffer{};
  std::error_code ec;
  const std::size_t count = receive(std::span<std::byte>(buffer), ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(as_string(std::span(buffer).first(count)), expected);
}

/// Expects `receive` (recv_from or peek_from of a datagram socket, given a buffer of 64 bytes and
/// the error code) to succeed with exactly `expected`, sent from `sender`.
template <class Receive, class Address>
void expect_received_from(Receive receive, std::string_view expected, const Address& sender) {
  Address from;
  expect_received(
      [&](std::span<std::byte> buffer, std::error_code& ec) {
        const auto [count, address] = receive(buffer, ec);
        from = address;
        return count;
      },
      expected);
  EXPECT_EQ(from, sender) << from << " instead of " << sender;
}

/// Expects one read (the next datagram) to be exactly `expected`.
template <class Source>
void expect_read(Source& source, std::string_view expected) {
  expect_received([&](std::span<std::byte> buffer,
                      std::error_code& ec) { return receive_some(source, buffer, ec); },
                  expected);
}

/// The names the datagram tests use for write_all and expect_read.
template <DatagramSocket Socket>
void send_all(Socket& socket, std::string_view datagram) {
  write_all(socket, datagram);
}
template <DatagramSocket Socket>
void expect_recv(Socket& socket, std::string_view expected) {
  expect_read(socket, expected);
}

/// Expects the next datagram to be exactly `expected`, from `sender`.
template <DatagramSocket Socket, class Address>
void expect_recv_from(Socket& socket, std::string_view expected, const Address& sender) {
  expect_received_from([&](std::span<std::byte> buffer,
                           std::error_code& ec) { return socket.recv_from(buffer, ec); },
                       expected, sender);
}

/// Expects a read to report would-block.
template <ByteStream Stream>
void expect_read_would_block(Stream& stream) {
  std::array<std::byte, 64> buffer{};
  expect_would_block([&](std::error_code& ec) { return stream.read(buffer, ec); });
}

/// What a run of reads or writes up to would-block did: the bytes it moved, and whether it ended
/// on a read of 0 (the end of the stream).
struct Transferred {
  std::size_t bytes = 0;
  bool ended = false;
};

/// Runs `step` (a read or write reporting through its std::error_code) until it would block, or
/// transfers nothing (a stream's end). Any other error fails the test.
template <class Step>
Transferred transfer_until_would_block(Step step) {
  Transferred result;
  for (;;) {
    std::error_code ec;
    const std::size_t count = step(ec);
    if (ec) {
      EXPECT_EQ(ec, std::errc::operation_would_block) << ec.message();
      return result;
    }
    if (count == 0) {
      result.ended = true;
      return result;
    }
    result.bytes += count;
  }
}

/// Writes chunks of `chunk` bytes until the writer would block (its buffer, and the peer's, is
/// full); returns how much went in.
template <ByteStream Writer>
std::size_t fill(Writer& writer, std::size_t chunk) {
  const std::vector<std::byte> bytes(chunk, std::byte{0x5a});
  return transfer_until_would_block([&](std::error_code& ec) { return writer.write(bytes, ec); })
      .bytes;
}

/// Reads chunks of up to `chunk` bytes until the reader would block or its stream ends, handing
/// each to `consume`.
template <ByteStream Reader, class Consume>
Transferred drain_into(Reader& reader, std::size_t chunk, Consume consume) {
  std::vector<std::byte> buffer(chunk);
  return transfer_until_would_block([&](std::error_code& ec) {
    const std::size_t count = reader.read(buffer, ec);
    if (!ec) {
      consume(std::span<const std::byte>(buffer).first(count));
    }
    return count;
  });
}

/// Reads until the reader would block or its stream ends; returns how much came out.
template <ByteStream Reader>
std::size_t drain(Reader& reader, std::size_t chunk) {
  return drain_into(reader, chunk, [](std::span<const std::byte> /*bytes*/) {}).bytes;
}

}  // namespace test
