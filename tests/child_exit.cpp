// ChildExit: a child's exit as an event source. A child that exits at once, one a signal kills,
// one that exited before it was watched, one still running, and a pid that is not our child.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <system_error>
#include <type_traits>

#include <gtest/gtest.h>

#include "support/expect.hpp"
#include "support/setup.hpp"
#include <miocpp/miocpp.hpp>

namespace {

using namespace std::chrono_literals;
using miocpp::ChildExit, miocpp::Events, miocpp::ExitStatus, miocpp::Interest, miocpp::Poll,
    miocpp::Token;

static_assert(miocpp::event::Source<ChildExit>);
static_assert(std::is_nothrow_move_constructible_v<ChildExit> &&
              std::is_nothrow_move_assignable_v<ChildExit>);

constexpr Token child_token{4};

/// A child that exits with `code` at once, or (code < 0) waits until a signal ends it.
pid_t spawn(int code) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    if (code < 0) {
      for (;;) {
        ::pause();
      }
    }
    ::_exit(code);
  }
  return pid;
}

/// Polls (for up to 2 s) until the child's event brings its status. Events may come before the
/// child has exited -- with the SIGCHLD watcher (MIOCPP_FORCE_SIGCHLD, and systems without
/// pidfds) one comes at once, so a child that exited before the watch is seen, and every other
/// child's SIGCHLD brings one too -- and then try_wait says would-block; and SIGCHLD may end a
/// poll early (interrupted). Both are normal: poll again.
ExitStatus wait_for_exit(Poll& poll, Events& events, ChildExit& child) {
  const auto deadline = std::chrono::steady_clock::now() + 2s;
  while (std::chrono::steady_clock::now() < deadline) {
    std::error_code ec;
    poll.poll(events, 50ms, ec);
    if (ec) {
      EXPECT_EQ(ec, std::errc::interrupted) << ec.message();
      continue;
    }
    for (const miocpp::Event& event : events) {
      EXPECT_EQ(event.token(), child_token);
      EXPECT_TRUE(event.is_readable()) << event;
      const ExitStatus status = child.try_wait(ec);
      if (!ec) {
        return status;
      }
      EXPECT_EQ(ec, std::errc::operation_would_block) << ec.message();
    }
  }
  ADD_FAILURE() << "no exit reported within 2 s";
  return {};
}

ChildExit watch_registered(Poll& poll, pid_t pid) {
  std::error_code ec;
  ChildExit child = ChildExit::watch(pid, ec);
  EXPECT_FALSE(ec) << ec.message();
  test::register_readable(poll, child, child_token);
  return child;
}

TEST(ChildExit, AChildThatExitsIsOneEventAndItsCode) {
  OPEN_POLL(poll);
  Events events(8);
  const pid_t pid = spawn(7);
  ASSERT_GT(pid, 0);
  ChildExit child = watch_registered(poll, pid);
  EXPECT_EQ(wait_for_exit(poll, events, child), (ExitStatus{7, 0}));
  std::error_code ec;
  // Reaped: the pid is no longer ours, and the watcher says so.
  EXPECT_EQ(::waitpid(pid, nullptr, WNOHANG), -1);
  (void)child.try_wait(ec);
  EXPECT_EQ(ec, std::errc::bad_file_descriptor);
}

TEST(ChildExit, AChildEndedByASignalReportsTheSignal) {
  OPEN_POLL(poll);
  Events events(8);
  const pid_t pid = spawn(-1);
  ASSERT_GT(pid, 0);
  ChildExit child = watch_registered(poll, pid);
  std::error_code ec;
  (void)child.try_wait(ec);
  EXPECT_EQ(ec, std::errc::operation_would_block);  // still running
  ::kill(pid, SIGKILL);
  const ExitStatus status = wait_for_exit(poll, events, child);
  EXPECT_EQ(status, (ExitStatus{-1, SIGKILL}));
  EXPECT_FALSE(status.success());
}

TEST(ChildExit, AChildThatExitedBeforeItWasWatchedIsReportedAtTheFirstPoll) {
  OPEN_POLL(poll);
  Events events(8);
  const pid_t pid = spawn(0);
  ASSERT_GT(pid, 0);
  // Wait until it has exited, leaving it unreaped.
  ::siginfo_t info{};
  ASSERT_EQ(::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOWAIT), 0);
  ChildExit child = watch_registered(poll, pid);
  EXPECT_TRUE(wait_for_exit(poll, events, child).success());
}

TEST(ChildExit, WhileTheChildRunsEveryLookSaysWouldBlock) {
  OPEN_POLL(poll);
  Events events(8);
  const pid_t pid = spawn(-1);
  ASSERT_GT(pid, 0);
  ChildExit child = watch_registered(poll, pid);
  // A pidfd gives no event before the exit; the SIGCHLD watcher gives one at once. Either way,
  // while the child runs nothing is reaped.
  for (int round = 0; round < 3; ++round) {
    std::error_code ec;
    poll.poll(events, 20ms, ec);
    for (const miocpp::Event& event : events) {
      EXPECT_EQ(event.token(), child_token);
      (void)child.try_wait(ec);
      EXPECT_EQ(ec, std::errc::operation_would_block) << ec.message();
    }
  }
  ::kill(pid, SIGTERM);
  EXPECT_EQ(wait_for_exit(poll, events, child), (ExitStatus{-1, SIGTERM}));
}

TEST(ChildExit, APidThatIsNotOurChildIsAClearError) {
  std::error_code ec;
  ChildExit parent = ChildExit::watch(::getppid(), ec);
  EXPECT_EQ(ec, std::errc::no_child_process) << ec.message();
  EXPECT_EQ(parent.native_handle(), -1);
  for (const pid_t bad : {0, -1}) {
    (void)ChildExit::watch(bad, ec);
    EXPECT_EQ(ec, std::errc::invalid_argument);
  }
}

TEST(ChildExit, AReapedChildCannotBeWatched) {
  const pid_t pid = spawn(0);
  ASSERT_GT(pid, 0);
  ASSERT_EQ(::waitpid(pid, nullptr, 0), pid);
  std::error_code ec;
  (void)ChildExit::watch(pid, ec);
  EXPECT_EQ(ec, std::errc::no_child_process) << ec.message();
}

}  // namespace
