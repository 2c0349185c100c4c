// ChildExit on the kqueue backend, which watches each child with EVFILT_PROC in a private kqueue:
// no SIGCHLD handler, one child's exit wakes only its own watch, and a child that exited before
// it was watched is reported at the first poll even where the kernel refuses EVFILT_PROC for a
// zombie (macOS, OpenBSD), which the emulation plays on request.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <system_error>
#include <vector>

#include <gtest/gtest.h>

#include "kqueue_emulation.h"
#include "support/setup.hpp"
#include <miocpp/miocpp.hpp>

namespace {

using namespace std::chrono_literals;
using miocpp::ChildExit, miocpp::Events, miocpp::ExitStatus, miocpp::Poll, miocpp::Token;

constexpr Token first_token{1};
constexpr Token second_token{2};

/// A child that waits until a signal ends it, or (code >= 0) exits with `code` at once.
pid_t spawn(int code) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    while (code < 0) {
      ::pause();
    }
    ::_exit(code);
  }
  return pid;
}

/// Kills and reaps a child that a test left running.
void end(pid_t pid) {
  if (::kill(pid, SIGKILL) == 0) {
    (void)::waitpid(pid, nullptr, 0);
  }
}

ChildExit watch_registered(Poll& poll, pid_t pid, Token token) {
  std::error_code ec;
  ChildExit child = ChildExit::watch(pid, ec);
  EXPECT_FALSE(ec) << ec.message();
  test::register_readable(poll, child, token);
  return child;
}

/// The tokens of the events one poll of up to `timeout` brings.
std::vector<Token> poll_tokens(Poll& poll, Events& events, std::chrono::milliseconds timeout) {
  std::error_code ec;
  poll.poll(events, timeout, ec);
  EXPECT_FALSE(ec) << ec.message();
  std::vector<Token> tokens;
  for (const miocpp::Event& event : events) {
    EXPECT_TRUE(event.is_readable()) << event;
    tokens.push_back(event.token());
  }
  return tokens;
}

TEST(ChildExitKqueue, WatchingInstallsNoSigchldHandler) {
  struct sigaction before {};
  ASSERT_EQ(::sigaction(SIGCHLD, nullptr, &before), 0);
  ASSERT_EQ(before.sa_handler, SIG_DFL) << "nothing else in this test installs one";
  OPEN_POLL(poll);
  const pid_t pid = spawn(-1);
  ASSERT_GT(pid, 0);
  ChildExit child = watch_registered(poll, pid, first_token);
  struct sigaction after {};
  ASSERT_EQ(::sigaction(SIGCHLD, nullptr, &after), 0);
  EXPECT_EQ(after.sa_handler, SIG_DFL);
  end(pid);
}

TEST(ChildExitKqueue, OneChildsExitWakesOnlyItsOwnWatch) {
  OPEN_POLL(poll);
  Events events(8);
  const pid_t first = spawn(-1);
  ASSERT_GT(first, 0);
  const pid_t second = spawn(-1);
  ASSERT_GT(second, 0);
  ChildExit first_child = watch_registered(poll, first, first_token);
  ChildExit second_child = watch_registered(poll, second, second_token);
  EXPECT_TRUE(poll_tokens(poll, events, 20ms).empty()) << "both still run";

  ASSERT_EQ(::kill(first, SIGTERM), 0);
  EXPECT_EQ(poll_tokens(poll, events, 2s), std::vector<Token>{first_token});
  std::error_code ec;
  EXPECT_EQ(first_child.try_wait(ec), (ExitStatus{-1, SIGTERM}));
  EXPECT_FALSE(ec) << ec.message();
  (void)second_child.try_wait(ec);
  EXPECT_EQ(ec, std::errc::operation_would_block);
  EXPECT_TRUE(poll_tokens(poll, events, 20ms).empty())
      << "a reaped child's watch has nothing more to report";

  ASSERT_EQ(::kill(second, SIGKILL), 0);
  EXPECT_EQ(poll_tokens(poll, events, 2s), std::vector<Token>{second_token});
  EXPECT_EQ(second_child.try_wait(ec), (ExitStatus{-1, SIGKILL}));
  EXPECT_FALSE(ec) << ec.message();
}

TEST(ChildExitKqueue, AZombieTheKernelRefusesIsStillReportedAtTheFirstPoll) {
  const KqemuZombieIsEsrch refuse;
  OPEN_POLL(poll);
  Events events(8);
  const pid_t pid = spawn(5);
  ASSERT_GT(pid, 0);
  ::siginfo_t info{};
  ASSERT_EQ(::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOWAIT), 0);
  ChildExit child = watch_registered(poll, pid, first_token);
  EXPECT_EQ(poll_tokens(poll, events, 0ms), std::vector<Token>{first_token});
  std::error_code ec;
  EXPECT_EQ(child.try_wait(ec), (ExitStatus{5, 0}));
  EXPECT_FALSE(ec) << ec.message();
  (void)child.try_wait(ec);
  EXPECT_EQ(ec, std::errc::bad_file_descriptor);
}

}  // namespace
