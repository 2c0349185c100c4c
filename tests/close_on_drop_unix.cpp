// Close on drop on POSIX only: pipes give both ends back, registered or not, and constructions
// that run out of descriptors (a lowered RLIMIT_NOFILE) fail cleanly and leak nothing. The
// portable cases are in close_on_drop.cpp.
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstring>
#include <optional>
#include <ostream>
#include <string>
#include <system_error>
#include <utility>

#include <gtest/gtest.h>

#include "support/descriptor_limit.hpp"
#include "support/descriptors.hpp"
#include "support/expect.hpp"
#include "support/raw_fd.hpp"
#include "support/setup.hpp"
#include "support/text.hpp"
#include <miocpp/miocpp.hpp>

namespace {

using namespace std::chrono_literals;
using miocpp::Events, miocpp::Interest, miocpp::Poll, miocpp::Token;
using miocpp::posix::pipe::Receiver, miocpp::posix::pipe::Sender;
using test::Failures, test::Ready;

constexpr int rounds = 2000;

/// A new pipe; a failure to make it is counted.
test::PipeEnds new_pipe(Failures& failures) {
  std::error_code ec;
  auto [sender, receiver] = miocpp::posix::pipe::create(ec);
  failures.check(ec);
  return {std::move(sender), std::move(receiver)};
}

/// Registers `receiver` readable under `token` and `sender` writable under the next token,
/// counting what fails.
void register_both(const miocpp::Registry& registry, Sender& sender, Receiver& receiver,
                   std::size_t token, Failures& failures) {
  std::error_code ec;
  registry.register_source(receiver, Token(token), Interest::readable, ec);
  failures.check(ec);
  registry.register_source(sender, Token(token + 1), Interest::writable, ec);
  failures.check(ec);
}

TEST(CloseOnDrop, PipesCloseBothEnds) {
  const std::size_t before = test::open_descriptor_count();
  {
    OPEN_PIPE(sender, receiver);
    EXPECT_EQ(test::open_descriptor_count(), before + 2);
  }
  Failures failures;
  for (int i = 0; i < rounds; ++i) {
    auto [sender, receiver] = new_pipe(failures);
    // Half of them lose their sender first, half their receiver.
    if (i % 2 == 0) {
      sender = Sender();
    } else {
      receiver = Receiver();
    }
  }
  EXPECT_EQ(failures.count, 0U) << failures;
  EXPECT_EQ(test::open_descriptor_count(), before);
}

TEST(CloseOnDrop, RegisteredPipesClose) {
  OPEN_POLL(poll, events(64));
  const std::size_t before = test::open_descriptor_count();
  Failures failures;
  for (int i = 0; i < rounds; ++i) {
    auto [sender, receiver] = new_pipe(failures);
    std::error_code ec;
    register_both(poll.registry(), sender, receiver, static_cast<std::size_t>(i) * 2, failures);
    if (i % 3 == 0) {
      (void)sender.write(test::bytes_of("x"), ec);
      failures.check(ec);
    }
    if (i % 3 == 1) {
      poll.registry().deregister(receiver, ec);
      failures.check(ec);
    }
    if (i % 10 == 0) {
      poll.poll(events, 0ms, ec);
      failures.check(ec);
    }
  }
  EXPECT_EQ(failures.count, 0U) << failures;
  EXPECT_EQ(test::open_descriptor_count(), before);
  // Nothing of them is left in the Poll either.
  test::expect_no_events(poll, events, 10ms);
}

TEST(CloseOnDrop, PipesRegisteredWithAPollThatIsDroppedFirstClose) {
  const std::size_t before = test::open_descriptor_count();
  Failures failures;
  for (int i = 0; i < rounds; ++i) {
    auto [sender, receiver] = new_pipe(failures);
    std::error_code ec;
    {
      const Poll poll(ec);
      failures.check(ec);
      register_both(poll.registry(), sender, receiver, 0, failures);
    }
    // With its Poll gone the end counts as unregistered: it may join another Poll.
    if (i % 100 == 0) {
      const Poll next(ec);
      failures.check(ec);
      next.registry().register_source(receiver, Token(2), Interest::readable, ec);
      failures.check(ec);
    }
  }
  EXPECT_EQ(failures.count, 0U) << failures;
  EXPECT_EQ(test::open_descriptor_count(), before);
}

// ---- Running out of descriptors -------------------------------------------------------------

using test::DescriptorShortage;

// A registered source whose open file lives on elsewhere (a dup here, a fork()ed child below):
// destroying it ends its registration all the same, on every backend. An application that uses
// tokens as slab indices must never see the token of a source it has destroyed.
TEST(CloseOnDrop, DroppedSourceSharedThroughADupReportsNothing) {
  OPEN_POLL(poll, events(8));
  constexpr Token dropped{7};
  std::error_code ec;
  auto [sender, receiver] = miocpp::posix::pipe::create(ec);
  ASSERT_FALSE(ec) << ec.message();
  REGISTER(poll, receiver, dropped, Interest::readable);
  const test::OwnedFd copy(::dup(receiver.native_handle()));
  ASSERT_GE(copy.get(), 0) << std::strerror(errno);

  receiver = Receiver();  // the read end's open file lives on in `copy`
  ASSERT_EQ(sender.write(test::bytes_of("after"), ec), 5U) << ec.message();
  test::expect_no_events(poll, events, 200ms);
}

TEST(CloseOnDrop, DroppedSourceHeldByAForkedChildReportsNothing) {
  OPEN_POLL(poll, events(8));
  constexpr Token dropped{7};
  std::error_code ec;
  auto [mine, peer] = miocpp::net::UnixStream::pair(ec);
  ASSERT_FALSE(ec) << ec.message();
  REGISTER(poll, mine, dropped, Interest::readable);
  std::array<int, 2> gate{};  // the child holds `mine` until the parent closes the gate
  ASSERT_EQ(::pipe(gate.data()), 0) << std::strerror(errno);
  const ::pid_t child = ::fork();
  ASSERT_GE(child, 0) << std::strerror(errno);
  if (child == 0) {
    ::close(gate[1]);
    char byte = 0;
    while (::read(gate[0], &byte, 1) < 0 && errno == EINTR) {
    }
    ::_exit(0);
  }
  ::close(gate[0]);

  mine = miocpp::net::UnixStream();  // the child still holds the socket
  ASSERT_EQ(peer.write(test::bytes_of("after"), ec), 5U) << ec.message();
  test::expect_no_events(poll, events, 200ms);

  ::close(gate[1]);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child) << std::strerror(errno);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

TEST(CloseOnDrop, ConstructionsThatRunOutOfDescriptorsLeakNothing) {
  const std::size_t before = test::open_descriptor_count();
  {
    std::error_code ec;
    std::error_code poll_ec;
    std::error_code pipe_ec;
    std::error_code waker_ec;
    std::error_code clone_ec;
    std::error_code one_slot_pipe_ec;
    std::error_code late_waker_ec;
    std::error_code empty_poll_ec;
    {
      DescriptorShortage shortage;
      ASSERT_TRUE(shortage.ok()) << "cannot set up the shortage: " << std::strerror(errno);

      // No descriptor left: nothing can open, and the failures are reported, not thrown.
      Poll empty(poll_ec);
      Events events(4);
      empty.poll(events, 0ms, empty_poll_ec);
      auto ends = miocpp::posix::pipe::create(pipe_ec);
      EXPECT_EQ(ends.first.native_handle(), -1);
      EXPECT_EQ(ends.second.native_handle(), -1);

      // One left: the Poll gets it, the Waker (and a clone) cannot have another.
      shortage.make_room(1);
      Poll poll(ec);
      ASSERT_FALSE(ec) << ec.message();
      std::optional<miocpp::Waker> waker;
      waker.emplace(poll.registry(), Token(1), waker_ec);
      const miocpp::Registry clone = poll.registry().try_clone(clone_ec);

      // One left again: still not enough for a pipe's two ends.
      shortage.make_room(1);
      const auto half = miocpp::posix::pipe::create(one_slot_pipe_ec);
      EXPECT_EQ(half.first.native_handle(), -1);
      EXPECT_EQ(half.second.native_handle(), -1);

      // With room, the refused Waker did not keep the Poll's single Waker slot.
      shortage.make_room(2);
      waker.emplace(poll.registry(), Token(2), late_waker_ec);
      if (!late_waker_ec) {
        waker->wake(ec);
        EXPECT_FALSE(ec) << ec.message();
        test::expect_events(poll, events, {{Token(2), Ready::readable}});
      }
    }
    EXPECT_EQ(poll_ec, std::errc::too_many_files_open) << poll_ec.message();
    EXPECT_EQ(empty_poll_ec, std::errc::bad_file_descriptor) << empty_poll_ec.message();
    EXPECT_EQ(pipe_ec, std::errc::too_many_files_open) << pipe_ec.message();
    EXPECT_EQ(waker_ec, std::errc::too_many_files_open) << waker_ec.message();
    EXPECT_FALSE(clone_ec) << clone_ec.message();  // a clone needs no descriptor
    EXPECT_EQ(one_slot_pipe_ec, std::errc::too_many_files_open) << one_slot_pipe_ec.message();
    EXPECT_FALSE(late_waker_ec) << late_waker_ec.message();
  }
  EXPECT_EQ(test::open_descriptor_count(), before);
}

#if MIOCPP_HAS_EXCEPTIONS
TEST(CloseOnDrop, ThrowingConstructorsThatFailLeakNothing) {
  const std::size_t before = test::open_descriptor_count();
  {
    Poll poll;
    const miocpp::Waker waker(poll.registry(), Token(0));
    for (int i = 0; i < 100; ++i) {
      EXPECT_THROW(miocpp::Waker(poll.registry(), Token(1)), std::system_error);
    }
    DescriptorShortage shortage;
    ASSERT_TRUE(shortage.ok());
    EXPECT_THROW(Poll(), std::system_error);
    EXPECT_THROW((void)miocpp::posix::pipe::create(), std::system_error);
    EXPECT_NO_THROW((void)poll.registry().try_clone());  // a clone needs no descriptor
  }
  EXPECT_EQ(test::open_descriptor_count(), before);
}
#endif

}  // namespace
