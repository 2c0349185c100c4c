// ChildExit on Windows: a process handle's exit as an event source. A program that exits with a
// code, a process ended by TerminateProcess, one that ended before it was watched or while
// nobody polled, one still running, the caller's handle left to the caller, and handles that are
// no process.
#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>

#include <gtest/gtest.h>

#include "support/expect.hpp"
#include "support/setup.hpp"
#include <miocpp/miocpp.hpp>
#include <miocpp/sys/windows/windows.hpp>

namespace {

using namespace std::chrono_literals;
using miocpp::ChildExit, miocpp::Events, miocpp::ExitStatus, miocpp::Poll, miocpp::Token;

static_assert(miocpp::event::Source<ChildExit>);
static_assert(std::is_nothrow_move_constructible_v<ChildExit> &&
              std::is_nothrow_move_assignable_v<ChildExit>);
static_assert(std::is_same_v<ChildExit::process_id, HANDLE>);

constexpr Token child_token{4};

// The child side: this program started with `--child-exit=N` exits with N, `--child-sleep`
// sleeps until it is terminated (30 s at most); both before GoogleTest starts.
[[maybe_unused]] const bool child_side_done = [] {
  const std::wstring_view line = ::GetCommandLineW();
  constexpr std::wstring_view exit_flag = L"--child-exit=";
  if (const auto at = line.find(exit_flag); at != std::wstring_view::npos) {
    ::ExitProcess(
        static_cast<UINT>(std::wcstoul(line.data() + at + exit_flag.size(), nullptr, 10)));
  }
  if (line.find(L"--child-sleep") != std::wstring_view::npos) {
    ::Sleep(30'000);
    ::ExitProcess(0);
  }
  return true;
}();

/// A process started with CreateProcessW, terminated (if it still runs) and closed at the end.
class Child {
 public:
  /// Runs `command` (a whole command line).
  explicit Child(std::wstring command) {
    STARTUPINFOW startup{};
    startup.cb = sizeof startup;
    if (::CreateProcessW(nullptr, command.data(), nullptr, nullptr, FALSE, 0, nullptr, nullptr,
                         &startup, &info_) == 0) {
      ADD_FAILURE() << "CreateProcessW: " << ::GetLastError();
      info_ = {};
    }
  }
  /// Runs this test program with `argument` (--child-exit=N or --child-sleep).
  static std::unique_ptr<Child> self(std::wstring_view argument) {
    std::wstring path(MAX_PATH, L'\0');
    path.resize(::GetModuleFileNameW(nullptr, path.data(), static_cast<DWORD>(path.size())));
    return std::make_unique<Child>(L'"' + path + L"\" " + std::wstring(argument));
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child() {
    if (info_.hProcess != nullptr) {
      ::TerminateProcess(info_.hProcess, 1);
      ::CloseHandle(info_.hProcess);
      ::CloseHandle(info_.hThread);
    }
  }

  [[nodiscard]] HANDLE handle() const { return info_.hProcess; }

  /// Waits (up to 5 s) until it has ended, without reaping anything.
  void wait() const { ASSERT_EQ(::WaitForSingleObject(info_.hProcess, 5000), WAIT_OBJECT_0); }

  /// Closes the handle now (the watch holds its own).
  void close() {
    ::CloseHandle(std::exchange(info_.hProcess, nullptr));
    ::CloseHandle(info_.hThread);
  }

 private:
  PROCESS_INFORMATION info_{};
};

ChildExit watch_registered(Poll& poll, HANDLE process) {
  std::error_code ec;
  ChildExit child = ChildExit::watch(process, ec);
  EXPECT_FALSE(ec) << ec.message();
  test::register_readable(poll, child, child_token);
  return child;
}

/// Polls (100 ms at a time, 5 s at most: starting a process under wine is slow) until the
/// child's event brings its status. Each event must bring it: the wake comes only at the exit.
ExitStatus wait_for_exit(Poll& poll, Events& events, ChildExit& child) {
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (std::chrono::steady_clock::now() < deadline) {
    std::error_code ec;
    poll.poll(events, 100ms, ec);
    EXPECT_FALSE(ec) << ec.message();
    if (events.empty()) {
      continue;
    }
    EXPECT_EQ(events.size(), 1U) << test::describe(events);
    EXPECT_EQ(events.begin()->token(), child_token);
    EXPECT_TRUE(events.begin()->is_readable()) << *events.begin();
    const ExitStatus status = child.try_wait(ec);
    EXPECT_FALSE(ec) << ec.message();
    return status;
  }
  ADD_FAILURE() << "no exit reported within 5 s";
  return {};
}

/// After the exit was reported: the watch is done, and no event is left.
void expect_done(Poll& poll, Events& events, ChildExit& child) {
  std::error_code ec;
  (void)child.try_wait(ec);
  EXPECT_EQ(ec, std::errc::bad_file_descriptor) << ec.message();
  test::expect_no_events(poll, events);
}

TEST(ChildExitWindows, AProgramThatExitsIsOneEventAndItsCode) {
  OPEN_POLL(poll);
  Events events(8);
  Child child(L"cmd.exe /c exit 7");
  ASSERT_NE(child.handle(), nullptr);
  ChildExit watch = watch_registered(poll, child.handle());
  const ExitStatus status = wait_for_exit(poll, events, watch);
  EXPECT_EQ(status, (ExitStatus{7, 0}));
  EXPECT_FALSE(status.success());
  expect_done(poll, events, watch);
}

TEST(ChildExitWindows, AProcessEndedByTerminateProcessReportsItsCode) {
  OPEN_POLL(poll);
  Events events(8);
  const auto child = Child::self(L"--child-sleep");
  ASSERT_NE(child->handle(), nullptr);
  ChildExit watch = watch_registered(poll, child->handle());
  std::error_code ec;
  (void)watch.try_wait(ec);
  EXPECT_EQ(ec, std::errc::operation_would_block) << ec.message();  // still running
  ASSERT_NE(::TerminateProcess(child->handle(), 9), 0);
  EXPECT_EQ(wait_for_exit(poll, events, watch), (ExitStatus{9, 0}));
  expect_done(poll, events, watch);
}

TEST(ChildExitWindows, AProcessThatEndedBeforeItWasWatchedIsReportedAtTheFirstPoll) {
  OPEN_POLL(poll);
  Events events(8);
  const auto child = Child::self(L"--child-exit=3");
  child->wait();
  ChildExit watch = watch_registered(poll, child->handle());
  const miocpp::Event* event = test::expect_exactly_one_event(poll, events, child_token, 2s);
  ASSERT_NE(event, nullptr);
  std::error_code ec;
  EXPECT_EQ(watch.try_wait(ec), (ExitStatus{3, 0}));
  EXPECT_FALSE(ec) << ec.message();
  expect_done(poll, events, watch);
}

TEST(ChildExitWindows, AnExitWhileNobodyPollsIsReportedAtTheNextPoll) {
  OPEN_POLL(poll);
  Events events(8);
  const auto child = Child::self(L"--child-exit=0");
  ChildExit watch = watch_registered(poll, child->handle());
  child->wait();
  EXPECT_TRUE(wait_for_exit(poll, events, watch).success());
  expect_done(poll, events, watch);
}

TEST(ChildExitWindows, WhileTheProcessRunsThereIsNoEventAndEveryLookWouldBlock) {
  OPEN_POLL(poll);
  Events events(8);
  const auto child = Child::self(L"--child-sleep");
  ChildExit watch = watch_registered(poll, child->handle());
  for (int round = 0; round < 3; ++round) {
    test::expect_no_events(poll, events, 100ms);
    std::error_code ec;
    (void)watch.try_wait(ec);
    EXPECT_EQ(ec, std::errc::operation_would_block) << ec.message();
  }
  ASSERT_NE(::TerminateProcess(child->handle(), 0), 0);
  EXPECT_TRUE(wait_for_exit(poll, events, watch).success());
}

TEST(ChildExitWindows, TheCallersHandleIsTheCallersToClose) {
  OPEN_POLL(poll);
  Events events(8);
  const auto child = Child::self(L"--child-exit=5");
  ChildExit watch = watch_registered(poll, child->handle());
  // The watch waits on a handle of its own: closing the caller's at once changes nothing.
  child->close();
  EXPECT_EQ(wait_for_exit(poll, events, watch), (ExitStatus{5, 0}));
}

TEST(ChildExitWindows, ReapingLeavesTheCallersHandleOpen) {
  OPEN_POLL(poll);
  Events events(8);
  const auto child = Child::self(L"--child-exit=6");
  ChildExit watch = watch_registered(poll, child->handle());
  EXPECT_EQ(wait_for_exit(poll, events, watch), (ExitStatus{6, 0}));
  DWORD code = 0;
  EXPECT_NE(::GetExitCodeProcess(child->handle(), &code), 0) << ::GetLastError();
  EXPECT_EQ(code, 6U);
}

TEST(ChildExitWindows, MovedAndDroppedWatchesAreSafe) {
  OPEN_POLL(poll);
  Events events(8);
  const auto running = Child::self(L"--child-sleep");
  const auto ending = Child::self(L"--child-exit=4");
  {
    // Dropped while its process runs: the wait ends with it.
    ChildExit dropped = watch_registered(poll, running->handle());
  }
  ChildExit first = watch_registered(poll, ending->handle());
  ChildExit moved(std::move(first));
  ChildExit assigned = ChildExit::watch(running->handle());  // replaced before its exit
  assigned = std::move(moved);
  EXPECT_EQ(wait_for_exit(poll, events, assigned), (ExitStatus{4, 0}));
  ASSERT_NE(::TerminateProcess(running->handle(), 0), 0);
  test::expect_no_events(poll, events, 200ms);
}

TEST(ChildExitWindows, AHandleThatIsNoProcessIsAClearError) {
  std::error_code ec;
  for (const HANDLE bad : {HANDLE{nullptr}, INVALID_HANDLE_VALUE}) {
    const ChildExit watch = ChildExit::watch(bad, ec);
    EXPECT_EQ(ec, std::errc::invalid_argument) << ec.message();
    EXPECT_EQ(watch.native_handle(), INVALID_SOCKET);
  }
  // Open handles of other kinds: an event, this thread.
  const HANDLE event = ::CreateEventW(nullptr, TRUE, FALSE, nullptr);
  ASSERT_NE(event, nullptr);
  (void)ChildExit::watch(event, ec);
  EXPECT_EQ(ec, std::errc::invalid_argument) << ec.message();
  HANDLE thread = nullptr;
  ASSERT_NE(::DuplicateHandle(::GetCurrentProcess(), ::GetCurrentThread(), ::GetCurrentProcess(),
                              &thread, 0, FALSE, DUPLICATE_SAME_ACCESS),
            0);
  (void)ChildExit::watch(thread, ec);
  EXPECT_EQ(ec, std::errc::invalid_argument) << ec.message();
  ::CloseHandle(thread);
  // A value that is no open handle (any more).
  ::CloseHandle(event);
  (void)ChildExit::watch(event, ec);
  EXPECT_EQ(ec, std::errc::bad_file_descriptor) << ec.message();
}

TEST(ChildExitWindows, AnEmptyWatchReportsBadDescriptor) {
  ChildExit watch;
  std::error_code ec;
  (void)watch.try_wait(ec);
  EXPECT_EQ(ec, std::errc::bad_file_descriptor) << ec.message();
}

}  // namespace
