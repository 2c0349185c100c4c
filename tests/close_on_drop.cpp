// Close on drop: every owning type gives its descriptors back when it is destroyed, failed
// constructions leave nothing behind, and a dropped source stops producing events.
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstddef>
#include <cstring>
#include <filesystem>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "support/descriptors.hpp"
#include "support/expect.hpp"
#include <miocpp/miocpp.hpp>

namespace {

using namespace std::chrono_literals;
using miocpp::Events;
using miocpp::Interest;
using miocpp::Poll;
using miocpp::Token;
using miocpp::posix::pipe::Receiver;
using miocpp::posix::pipe::Sender;
using test::Ready;

constexpr int rounds = 2000;

/// A Poll that must open; the test stops if it does not.
#define OPEN_POLL(name)      \
  std::error_code name##_ec; \
  Poll name(name##_ec);      \
  ASSERT_FALSE(name##_ec) << name##_ec.message()

/// Both ends of a new pipe; the test stops if it cannot be made.
#define OPEN_PIPE(sender, receiver)                                   \
  std::error_code sender##_ec;                                        \
  auto [sender, receiver] = miocpp::posix::pipe::create(sender##_ec); \
  ASSERT_FALSE(sender##_ec) << sender##_ec.message()

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

std::ostream& operator<<(std::ostream& os, const Failures& failures) {
  return os << failures.count << " failures, the last: " << failures.last.message();
}

TEST(CloseOnDrop, PollsCloseTheirSelector) {
  const std::size_t before = test::open_descriptor_count();
  {
    OPEN_POLL(poll);
    // A Poll is not an empty object: it holds a descriptor, so the loop below proves something.
    EXPECT_EQ(test::open_descriptor_count(), before + 1);
  }
  Failures failures;
  for (int i = 0; i < rounds; ++i) {
    std::error_code ec;
    const Poll poll(ec);
    failures.check(ec);
  }
  EXPECT_EQ(failures.count, 0U) << failures;
  EXPECT_EQ(test::open_descriptor_count(), before);
}

TEST(CloseOnDrop, MoveAssigningAPollClosesTheOldSelector) {
  const std::size_t before = test::open_descriptor_count();
  {
    OPEN_POLL(first);
    OPEN_POLL(second);
    EXPECT_EQ(test::open_descriptor_count(), before + 2);
    first = std::move(second);
    EXPECT_EQ(test::open_descriptor_count(), before + 1);
  }
  EXPECT_EQ(test::open_descriptor_count(), before);
}

TEST(CloseOnDrop, PollAndWakerPairsCloseEverything) {
  const std::size_t before = test::open_descriptor_count();
  {
    OPEN_POLL(poll);
    std::error_code ec;
    const miocpp::Waker waker(poll.registry(), Token(0), ec);
    ASSERT_FALSE(ec) << ec.message();
    EXPECT_GE(test::open_descriptor_count(), before + 2);  // the selector and the waker's own
  }
  Failures failures;
  for (int i = 0; i < rounds; ++i) {
    std::error_code ec;
    const Poll poll(ec);
    failures.check(ec);
    const miocpp::Waker waker(poll.registry(), Token(static_cast<std::size_t>(i)), ec);
    failures.check(ec);
    waker.wake(ec);
    failures.check(ec);
  }
  EXPECT_EQ(failures.count, 0U) << failures;
  EXPECT_EQ(test::open_descriptor_count(), before);
}

TEST(CloseOnDrop, WakerThatOutlivesItsPollClosesItsDescriptors) {
  const std::size_t before = test::open_descriptor_count();
  Failures failures;
  for (int i = 0; i < rounds; ++i) {
    std::optional<miocpp::Waker> waker;
    {
      std::error_code ec;
      const Poll poll(ec);
      failures.check(ec);
      waker.emplace(poll.registry(), Token(1), ec);
      failures.check(ec);
    }
    std::error_code ignored;  // either answer is fine once the Poll is gone
    waker->wake(ignored);
  }
  EXPECT_EQ(failures.count, 0U) << failures;
  EXPECT_EQ(test::open_descriptor_count(), before);
}

TEST(CloseOnDrop, RefusedWakersLeaveNothingBehind) {
  OPEN_POLL(poll);
  std::error_code ec;
  const miocpp::Waker waker(poll.registry(), Token(0), ec);
  ASSERT_FALSE(ec) << ec.message();
  const miocpp::Registry clone = poll.registry().try_clone(ec);
  ASSERT_FALSE(ec) << ec.message();

  const std::size_t before = test::open_descriptor_count();
  std::size_t refused = 0;
  for (int i = 0; i < rounds; ++i) {
    const miocpp::Waker second(i % 2 == 0 ? poll.registry() : clone, Token(1), ec);
    refused += ec == std::errc::file_exists ? 1U : 0U;
  }
  EXPECT_EQ(refused, static_cast<std::size_t>(rounds));
  EXPECT_EQ(test::open_descriptor_count(), before);

  // An empty registry refuses too, and opens nothing.
  const Poll moved(std::move(poll));
  // NOLINTNEXTLINE(bugprone-use-after-move): a moved-from Poll's registry is empty
  const miocpp::Waker empty(poll.registry(), Token(2), ec);
  EXPECT_EQ(ec, std::errc::bad_file_descriptor) << ec.message();
  EXPECT_EQ(test::open_descriptor_count(), before);
}

TEST(CloseOnDrop, PipesCloseBothEnds) {
  const std::size_t before = test::open_descriptor_count();
  {
    OPEN_PIPE(sender, receiver);
    EXPECT_EQ(test::open_descriptor_count(), before + 2);
  }
  Failures failures;
  for (int i = 0; i < rounds; ++i) {
    std::error_code ec;
    auto [sender, receiver] = miocpp::posix::pipe::create(ec);
    failures.check(ec);
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
  OPEN_POLL(poll);
  Events events(64);
  const std::size_t before = test::open_descriptor_count();
  Failures failures;
  for (int i = 0; i < rounds; ++i) {
    std::error_code ec;
    auto [sender, receiver] = miocpp::posix::pipe::create(ec);
    failures.check(ec);
    const auto token = static_cast<std::size_t>(i) * 2;
    poll.registry().register_source(receiver, Token(token), Interest::readable, ec);
    failures.check(ec);
    poll.registry().register_source(sender, Token(token + 1), Interest::writable, ec);
    failures.check(ec);
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
    std::error_code ec;
    auto [sender, receiver] = miocpp::posix::pipe::create(ec);
    failures.check(ec);
    {
      const Poll poll(ec);
      failures.check(ec);
      poll.registry().register_source(receiver, Token(0), Interest::readable, ec);
      failures.check(ec);
      poll.registry().register_source(sender, Token(1), Interest::writable, ec);
      failures.check(ec);
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

TEST(CloseOnDrop, ClonedRegistriesClose) {
  const std::size_t before = test::open_descriptor_count();
  Failures failures;
  {
    OPEN_POLL(poll);
    {
      std::error_code ec;
      const miocpp::Registry clone = poll.registry().try_clone(ec);
      ASSERT_FALSE(ec) << ec.message();
#if MIOCPP_SELECTOR_POLL
      // The poll(2) selector's clones share its state (and its one descriptor).
      EXPECT_EQ(test::open_descriptor_count(), before + 1);
#else
      EXPECT_EQ(test::open_descriptor_count(), before + 2);  // a clone owns a duplicate
#endif
    }
    for (int i = 0; i < rounds; ++i) {
      std::error_code ec;
      const miocpp::Registry clone = poll.registry().try_clone(ec);
      failures.check(ec);
    }
    EXPECT_EQ(test::open_descriptor_count(), before + 1);
  }
  // Clones that outlive their Poll, and clones of clones.
  for (int i = 0; i < rounds; ++i) {
    std::error_code ec;
    std::optional<miocpp::Registry> clone;
    {
      const Poll poll(ec);
      failures.check(ec);
      clone.emplace(poll.registry().try_clone(ec));
      failures.check(ec);
    }
    const miocpp::Registry grandchild = clone->try_clone(ec);
    failures.check(ec);
  }
  EXPECT_EQ(failures.count, 0U) << failures;
  EXPECT_EQ(test::open_descriptor_count(), before);
}

TEST(CloseOnDrop, DroppedRegisteredReceiverIsRemovedFromThePoll) {
  constexpr Token receiver_token{3};
  OPEN_POLL(poll);
  Events events(8);
  OPEN_PIPE(sender, receiver);
  std::error_code ec;
  poll.registry().register_source(receiver, receiver_token, Interest::readable, ec);
  ASSERT_FALSE(ec) << ec.message();
  // Ready to read, but nobody has polled yet.
  EXPECT_EQ(sender.write(test::bytes_of("data"), ec), 4U);
  ASSERT_FALSE(ec) << ec.message();

  receiver = Receiver();
  test::expect_no_events(poll, events);
}

TEST(CloseOnDrop, DroppedRegisteredSenderIsRemovedFromThePoll) {
  constexpr Token sender_token{4};
  OPEN_POLL(poll);
  Events events(8);
  OPEN_PIPE(sender, receiver);
  std::error_code ec;
  poll.registry().register_source(sender, sender_token, Interest::writable, ec);
  ASSERT_FALSE(ec) << ec.message();
  sender = Sender();  // writable, but never polled
  test::expect_no_events(poll, events);

  // The receiver, which was not registered, sees the end of the stream.
  std::array<std::byte, 8> buffer{};
  EXPECT_EQ(receiver.read(buffer, ec), 0U);
  EXPECT_FALSE(ec) << ec.message();
}

// After a registered end is dropped, the next descriptor usually gets the same number: it must
// start without the old registration (and so take only the events of its own).
TEST(CloseOnDrop, ReusedDescriptorNumberStartsUnregistered) {
  constexpr Token old_token{5};
  constexpr Token new_token{6};
  OPEN_POLL(poll);
  Events events(8);
  OPEN_PIPE(sender, receiver);
  std::error_code ec;
  poll.registry().register_source(receiver, old_token, Interest::readable, ec);
  ASSERT_FALSE(ec) << ec.message();
  const int old_read_fd = receiver.native_handle();
  sender = Sender();
  receiver = Receiver();

  auto [new_sender, new_receiver] = miocpp::posix::pipe::create(ec);
  ASSERT_FALSE(ec) << ec.message();
  // Not a requirement of the test, but what makes it interesting.
  const bool reused =
      new_receiver.native_handle() == old_read_fd || new_sender.native_handle() == old_read_fd;
  EXPECT_EQ(new_sender.write(test::bytes_of("hello"), ec), 5U);
  test::expect_no_events(poll, events);

  poll.registry().register_source(new_receiver, new_token, Interest::readable, ec);
  ASSERT_FALSE(ec) << ec.message() << " (reused descriptor: " << reused << ')';
  poll.poll(events, 1s, ec);
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_EQ(events.size(), 1U) << test::describe(events);
  EXPECT_EQ(events.begin()->token(), new_token) << *events.begin();
}

// In mio's close_on_drop the peer sees the drop; with a pipe the receiver's loop ends on the end
// of file after the sender is gone, having read everything first.
TEST(CloseOnDrop, ReceiverLoopEndsWhenTheSenderIsDropped) {
  constexpr Token receiver_token{7};
  OPEN_POLL(poll);
  Events events(8);
  OPEN_PIPE(sender, receiver);
  std::error_code ec;
  poll.registry().register_source(receiver, receiver_token, Interest::readable, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(sender.write(test::bytes_of("last words"), ec), 10U);
  ASSERT_FALSE(ec) << ec.message();
  sender = Sender();

  std::string received;
  bool closed = false;
  bool end_of_file = false;
  for (int polls = 0; polls < 10 && !end_of_file; ++polls) {
    poll.poll(events, 1s, ec);
    ASSERT_FALSE(ec) << ec.message();
    for (const miocpp::Event& event : events) {
      ASSERT_EQ(event.token(), receiver_token) << event;
      closed = closed || event.is_read_closed();
      std::array<char, 4> buffer{};
      for (;;) {
        const std::size_t count = receiver.read(std::as_writable_bytes(std::span(buffer)), ec);
        if (ec) {
          ASSERT_EQ(ec, std::errc::operation_would_block) << ec.message();
          break;
        }
        if (count == 0) {
          end_of_file = true;
          break;
        }
        received.append(buffer.data(), count);
      }
    }
  }
  EXPECT_TRUE(end_of_file);
  EXPECT_TRUE(closed);
  EXPECT_EQ(received, "last words");
}

// ---- Running out of descriptors -------------------------------------------------------------

/// The highest descriptor number open in this process.
int highest_descriptor() {
  int highest = -1;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    const std::string name = entry.path().filename().string();
    int fd = -1;
    if (std::from_chars(name.data(), name.data() + name.size(), fd).ec == std::errc()) {
      highest = std::max(highest, fd);
    }
  }
  return highest;
}

/// Lowers the soft descriptor limit and fills every number below it, so that the process has
/// exactly free() descriptors left; restores everything on destruction.
class DescriptorShortage {
 public:
  DescriptorShortage() {
    ok_ = ::getrlimit(RLIMIT_NOFILE, &saved_) == 0;
    const int highest = highest_descriptor();
    ::rlimit lowered = saved_;
    lowered.rlim_cur = static_cast<::rlim_t>(highest) + 16;
    ok_ = ok_ && lowered.rlim_cur <= saved_.rlim_cur && ::setrlimit(RLIMIT_NOFILE, &lowered) == 0;
    if (!ok_) {
      return;
    }
    for (;;) {
      const int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
      if (fd < 0) {
        ok_ = errno == EMFILE;
        break;
      }
      fillers_.push_back(fd);
    }
  }
  DescriptorShortage(const DescriptorShortage&) = delete;
  DescriptorShortage& operator=(const DescriptorShortage&) = delete;
  ~DescriptorShortage() {
    for (const int fd : fillers_) {
      ::close(fd);
    }
    ::setrlimit(RLIMIT_NOFILE, &saved_);
  }

  [[nodiscard]] bool ok() const noexcept { return ok_; }

  /// Gives `count` descriptor numbers back to the process.
  void make_room(std::size_t count) {
    for (; count > 0 && !fillers_.empty(); --count) {
      ::close(fillers_.back());
      fillers_.pop_back();
    }
  }

 private:
  ::rlimit saved_{};
  std::vector<int> fillers_;
  bool ok_ = false;
};

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
#if MIOCPP_SELECTOR_POLL
    EXPECT_FALSE(clone_ec) << clone_ec.message();  // a clone needs no descriptor there
#else
    EXPECT_EQ(clone_ec, std::errc::too_many_files_open) << clone_ec.message();
#endif
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
#if MIOCPP_SELECTOR_POLL
    EXPECT_NO_THROW((void)poll.registry().try_clone());  // a clone needs no descriptor there
#else
    EXPECT_THROW((void)poll.registry().try_clone(), std::system_error);
#endif
  }
  EXPECT_EQ(test::open_descriptor_count(), before);
}
#endif

}  // namespace
