// Signals on Windows: console control events as SIGINT (CTRL_C_EVENT), SIGBREAK
// (CTRL_BREAK_EVENT) and SIGTERM (CTRL_CLOSE_EVENT, CTRL_LOGOFF_EVENT, CTRL_SHUTDOWN_EVENT).
// A CTRL_C_EVENT sent to this process's console is seen once by every watcher, with its count;
// an event after the drain is a new one; the program's own routine still runs for events no
// watcher watches and once the last watcher is gone; signals Windows has no event for are refused.
//
// GenerateConsoleCtrlEvent reaches every process of a console, so the tests that send events
// first give this process a console of its own (see own_console): nothing else -- CTest, a
// terminal -- receives them. Events Windows cannot be made to send here (wine 8 sends
// CTRL_C_EVENT only; nothing sends CTRL_CLOSE_EVENT short of closing the console) are handed to
// miocpp's routine directly, from another thread, as Windows would call it.
#include <signal.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "support/expect.hpp"
#include "support/setup.hpp"
#include "support/signals.hpp"
#include <miocpp/miocpp.hpp>
#include <miocpp/sys/windows/console_table.hpp>
#include <miocpp/sys/windows/windows.hpp>

namespace {

using namespace std::chrono_literals;
using miocpp::Events, miocpp::Poll, miocpp::SignalCount, miocpp::Signals, miocpp::Token;
using miocpp::sys::windows::console_event_signal, miocpp::sys::windows::console_table;

static_assert(miocpp::event::Source<Signals>);
static_assert(std::is_nothrow_move_constructible_v<Signals> &&
              std::is_nothrow_move_assignable_v<Signals>);
static_assert(std::is_same_v<Signals::native_handle_type, SOCKET>);

// The mapping, every event named.
static_assert(console_event_signal(CTRL_C_EVENT) == SIGINT);
static_assert(console_event_signal(CTRL_BREAK_EVENT) == SIGBREAK);
static_assert(console_event_signal(CTRL_CLOSE_EVENT) == SIGTERM);
static_assert(console_event_signal(CTRL_LOGOFF_EVENT) == SIGTERM);
static_assert(console_event_signal(CTRL_SHUTDOWN_EVENT) == SIGTERM);
static_assert(console_event_signal(3) == 0 && console_event_signal(7) == 0);

/// The program's own routine, installed before any watcher: counts each event and handles it
/// (TRUE), so that an event no watcher takes never reaches Windows' default, ExitProcess.
std::array<std::atomic<int>, 8> own_routine_calls{};
BOOL WINAPI own_routine(DWORD event) {
  own_routine_calls.at(event % own_routine_calls.size()).fetch_add(1);
  return TRUE;
}

// The console host: this program started with `--console-host` only keeps a console alive
// (30 s at most) until it is terminated, before GoogleTest starts.
[[maybe_unused]] const bool console_host_done = [] {
  if (std::wstring_view(::GetCommandLineW()).find(L"--console-host") != std::wstring_view::npos) {
    ::Sleep(30'000);
    ::ExitProcess(0);
  }
  return true;
}();

/// Attaches this process to a console of its own: a windowless one, which a child started with
/// CREATE_NO_WINDOW has (AllocConsole's has a window, whose host and desktop processes, under
/// wine, hold CTest's output pipe open for many seconds after this process has ended). The
/// child is terminated once this process is attached: the console lives on with it.
bool attach_own_console() {
  std::wstring path(MAX_PATH, L'\0');
  path.resize(::GetModuleFileNameW(nullptr, path.data(), static_cast<DWORD>(path.size())));
  std::wstring command = L'"' + path + L"\" --console-host";
  STARTUPINFOW startup{};
  startup.cb = sizeof startup;
  PROCESS_INFORMATION host{};
  if (::CreateProcessW(nullptr, command.data(), nullptr, nullptr, FALSE, CREATE_NO_WINDOW, nullptr,
                       nullptr, &startup, &host) == 0) {
    return false;
  }
  ::FreeConsole();
  bool attached = false;
  // The child attaches to its console while it starts: try for up to 2 s.
  for (int tries = 0; tries < 200 && !attached; ++tries) {
    attached = ::AttachConsole(host.dwProcessId) != 0;
    if (!attached) {
      ::Sleep(10);
    }
  }
  ::TerminateProcess(host.hProcess, 0);
  ::WaitForSingleObject(host.hProcess, 2000);
  ::CloseHandle(host.hProcess);
  ::CloseHandle(host.hThread);
  return attached;
}

/// Gives this process a console of its own (no other process receives what it sends there),
/// with own_routine installed; true when it has one.
bool own_console() {
  static const bool ready =
      attach_own_console() && ::SetConsoleCtrlHandler(&own_routine, TRUE) != 0;
  return ready;
}

/// Stops the test unless this process has a console of its own.
// NOLINTNEXTLINE(cppcoreguidelines-macro-usage): ASSERT_ must sit in the test body
#define REQUIRE_OWN_CONSOLE()                                                       \
  ASSERT_TRUE(own_console()) << "no console of its own (error " << ::GetLastError() \
                             << "): console events would reach other processes"

/// Sends CTRL_C_EVENT to this process's console (this process alone).
void send_ctrl_c() {
  ASSERT_NE(::GenerateConsoleCtrlEvent(CTRL_C_EVENT, 0), 0) << ::GetLastError();
}

/// Waits (up to 2 s) until `done` holds.
bool wait_until(const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + 2s;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) {
      return false;
    }
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

using test::receive_all, test::signals_token, test::watch, test::watch_registered;

TEST(SignalsWindows, ACtrlCIsOneReadableEventWithItsCount) {
  REQUIRE_OWN_CONSOLE();
  OPEN_POLL(poll);
  Events events(8);
  Signals signals = watch_registered(poll, {SIGINT, SIGBREAK});
  const int own_before = own_routine_calls[CTRL_C_EVENT].load();

  send_ctrl_c();
  const miocpp::Event* event = test::expect_exactly_one_event(poll, events, signals_token, 2s);
  ASSERT_NE(event, nullptr);
  EXPECT_TRUE(event->is_readable()) << *event;
  EXPECT_EQ(receive_all(signals), (std::map<int, std::uint64_t>{{SIGINT, 1}}));
  test::expect_no_events(poll, events);
  // Handled: the routines installed before miocpp's did not run.
  EXPECT_EQ(own_routine_calls[CTRL_C_EVENT].load(), own_before);
}

TEST(SignalsWindows, ACtrlCAfterTheDrainIsANewEvent) {
  REQUIRE_OWN_CONSOLE();
  OPEN_POLL(poll);
  Events events(8);
  Signals signals = watch_registered(poll, {SIGINT});
  for (int round = 0; round < 3; ++round) {
    send_ctrl_c();
    ASSERT_NE(test::expect_exactly_one_event(poll, events, signals_token, 2s), nullptr);
    EXPECT_EQ(receive_all(signals), (std::map<int, std::uint64_t>{{SIGINT, 1}}));
    test::expect_no_events(poll, events);
  }
}

// Two events reach the watcher of the second Poll before it polls: one readable event, count 2.
TEST(SignalsWindows, EveryWatcherInEveryPollSeesEachEventAndCountsThem) {
  REQUIRE_OWN_CONSOLE();
  OPEN_POLL(first_poll);
  OPEN_POLL(second_poll);
  Events events(8);
  Signals first = watch({SIGINT});
  Signals second = watch({SIGINT});
  Signals third = watch({SIGINT, SIGTERM});
  test::register_readable(first_poll, first, Token{1});
  test::register_readable(first_poll, second, Token{2});
  test::register_readable(second_poll, third, Token{3});

  for (int sent = 0; sent < 2; ++sent) {
    send_ctrl_c();
    test::expect_events(first_poll, events,
                        {{Token{1}, test::Ready::readable}, {Token{2}, test::Ready::readable}});
    EXPECT_EQ(receive_all(first), (std::map<int, std::uint64_t>{{SIGINT, 1}}));
    EXPECT_EQ(receive_all(second), (std::map<int, std::uint64_t>{{SIGINT, 1}}));
  }
  ASSERT_NE(test::expect_exactly_one_event(second_poll, events, Token{3}), nullptr);
  EXPECT_EQ(receive_all(third), (std::map<int, std::uint64_t>{{SIGINT, 2}}));
  test::expect_no_events(second_poll, events);
}

TEST(SignalsWindows, TheProgramsRoutineRunsForEventsNoWatcherWatches) {
  REQUIRE_OWN_CONSOLE();
  std::atomic<int>& own_calls = own_routine_calls[CTRL_C_EVENT];
  const int before = own_calls.load();
  {
    OPEN_POLL(poll);
    Events events(8);
    Signals breaks = watch_registered(poll, {SIGBREAK}, Token{1});
    // miocpp's routine is installed, and passes on an event nobody watches.
    send_ctrl_c();
    ASSERT_TRUE(wait_until([&] { return own_calls.load() == before + 1; }));
    test::expect_no_events(poll, events);

    // While SIGINT is watched, the event is miocpp's alone.
    Signals interrupts = watch_registered(poll, {SIGINT}, Token{2});
    send_ctrl_c();
    test::expect_events(poll, events, {{Token{2}, test::Ready::readable}});
    EXPECT_EQ(receive_all(interrupts), (std::map<int, std::uint64_t>{{SIGINT, 1}}));
    EXPECT_EQ(receive_all(breaks), (std::map<int, std::uint64_t>{}));
    std::this_thread::sleep_for(100ms);
    EXPECT_EQ(own_calls.load(), before + 1);
  }
  // The last watcher is gone, and miocpp's routine with it.
  send_ctrl_c();
  EXPECT_TRUE(wait_until([&] { return own_calls.load() == before + 2; }));
}

// On Windows, not wine 8 (whose GenerateConsoleCtrlEvent sends CTRL_C_EVENT only).
TEST(SignalsWindows, ACtrlBreakIsSigbreak) {
  REQUIRE_OWN_CONSOLE();
  OPEN_POLL(poll);
  Events events(8);
  Signals signals = watch_registered(poll, {SIGINT, SIGBREAK});
  if (::GenerateConsoleCtrlEvent(CTRL_BREAK_EVENT, 0) == 0) {
    GTEST_SKIP() << "this Windows cannot send CTRL_BREAK_EVENT (error " << ::GetLastError()
                 << "); ARoutineCallForCtrlBreakIsSigbreak covers the mapping";
  }
  test::expect_events(poll, events, {{signals_token, test::Ready::readable}});
  EXPECT_EQ(receive_all(signals), (std::map<int, std::uint64_t>{{SIGBREAK, 1}}));
}

/// Calls miocpp's console routine with `event` on a thread of its own, as Windows does.
std::future<BOOL> call_routine(DWORD event) {
  return std::async(std::launch::async, [event] { return console_table.handle(event); });
}

TEST(SignalsWindows, ARoutineCallForCtrlBreakIsSigbreak) {
  OPEN_POLL(poll);
  Events events(8);
  Signals signals = watch_registered(poll, {SIGINT, SIGBREAK});
  EXPECT_EQ(call_routine(CTRL_BREAK_EVENT).get(), TRUE);  // handled
  test::expect_events(poll, events, {{signals_token, test::Ready::readable}});
  EXPECT_EQ(receive_all(signals), (std::map<int, std::uint64_t>{{SIGBREAK, 1}}));
  // Nobody watches SIGTERM, nor what event 7 would be: passed on.
  EXPECT_EQ(call_routine(CTRL_LOGOFF_EVENT).get(), FALSE);
  EXPECT_EQ(call_routine(7).get(), FALSE);
  test::expect_no_events(poll, events);
}

/// Whether the wake socket `socket` has a datagram queued (is readable now).
bool readable_now(SOCKET socket) {
  u_long queued = 0;
  return ::ioctlsocket(socket, FIONREAD, &queued) == 0 && queued > 0;
}

// The fewest system calls: a round of receives drains the wake socket once, when nothing is left
// to report, however many events the round reports. An event during the round is reported in
// it, and the drain at its end leaves no event behind.
TEST(SignalsWindows, ARoundOfReceivesDrainsTheWakeSocketOnceAtItsEnd) {
  OPEN_POLL(poll);
  Events events(8);
  Signals signals = watch_registered(poll, {SIGINT, SIGBREAK});
  test::expect_one_drain_per_round(
      poll, events, signals,
      {SIGBREAK, [] { EXPECT_EQ(call_routine(CTRL_BREAK_EVENT).get(), TRUE); }},
      {SIGINT, [] { EXPECT_EQ(call_routine(CTRL_C_EVENT).get(), TRUE); }}, readable_now);
}

// Windows ends the process once the routine returns from CTRL_CLOSE_EVENT: it waits until the
// loop has dropped its last SIGTERM watcher (bounded: ConsoleTable::close_grace_ms).
TEST(SignalsWindows, ACloseEventIsSigtermHeldUntilTheLastWatcherGoes) {
  OPEN_POLL(poll);
  Events events(8);
  auto signals = std::make_unique<Signals>(watch_registered(poll, {SIGTERM}));
  std::future<BOOL> routine = call_routine(CTRL_CLOSE_EVENT);
  test::expect_events(poll, events, {{signals_token, test::Ready::readable}});
  EXPECT_EQ(receive_all(*signals), (std::map<int, std::uint64_t>{{SIGTERM, 1}}));
  EXPECT_EQ(routine.wait_for(100ms), std::future_status::timeout) << "returned at once";
  const auto dropped = std::chrono::steady_clock::now();
  signals.reset();
  ASSERT_EQ(routine.wait_for(2s), std::future_status::ready);
  EXPECT_EQ(routine.get(), TRUE);
  EXPECT_LT(std::chrono::steady_clock::now() - dropped, 2s);
}

TEST(SignalsWindows, SignalsWithoutAConsoleEventAreInvalidArgument) {
  for (const int signal : {SIGSEGV, SIGILL, SIGFPE, SIGABRT, 0, -1, 1, 9, 1000}) {
    std::error_code ec;
    const Signals signals = Signals::watch({SIGINT, signal}, ec);
    EXPECT_EQ(ec, std::errc::invalid_argument) << "signal " << signal;
    EXPECT_EQ(signals.native_handle(), INVALID_SOCKET);
  }
  std::error_code ec;
  (void)Signals::watch(std::span<const int>{}, ec);
  EXPECT_EQ(ec, std::errc::invalid_argument);
}

TEST(SignalsWindows, AnEmptyWatcherReportsBadDescriptor) {
  Signals signals;
  std::error_code ec;
  (void)signals.receive(ec);
  EXPECT_EQ(ec, std::errc::bad_file_descriptor) << ec.message();
}

TEST(SignalsWindows, MovedWatchersKeepWatching) {
  REQUIRE_OWN_CONSOLE();
  OPEN_POLL(poll);
  Events events(8);
  Signals first = watch({SIGINT});
  Signals moved(std::move(first));
  Signals assigned = watch({SIGINT});
  assigned = std::move(moved);  // the watcher assigned over stops watching first
  test::register_readable(poll, assigned, signals_token);
  send_ctrl_c();
  test::expect_events(poll, events, {{signals_token, test::Ready::readable}});
  EXPECT_EQ(receive_all(assigned), (std::map<int, std::uint64_t>{{SIGINT, 1}}));
}

TEST(SignalsWindows, AProcessHasRoomFor128WatchersAndSaysWhenFull) {
  std::vector<Signals> watchers;
  std::error_code ec;
  for (int made = 0; made < 1000 && !ec; ++made) {
    Signals signals = Signals::watch({SIGTERM}, ec);
    if (!ec) {
      watchers.push_back(std::move(signals));
    }
  }
  EXPECT_EQ(ec, std::errc::too_many_files_open);
  EXPECT_EQ(watchers.size(), miocpp::sys::windows::ConsoleTable::capacity);
  watchers.pop_back();  // room for one again
  const Signals last = Signals::watch({SIGTERM}, ec);
  EXPECT_FALSE(ec) << ec.message();
}

}  // namespace
