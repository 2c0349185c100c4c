// Runs child processes and reports how each ended, from the event loop: a ChildExit per child,
// registered with its Token like a socket, and a Timers timer that ends the one that runs too
// long. Usage: child_process [command...]   (default: three children that end three ways)
#include <signal.h>
#include <spawn.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <iostream>
#include <string>
#include <system_error>
#include <unordered_map>
#include <vector>

#include "support.hpp"
#include <miocpp/miocpp.hpp>

extern char** environ;  // NOLINT(*-avoid-non-const-global-variables): POSIX's, for posix_spawnp

namespace {

struct Child {
  pid_t pid = 0;
  std::string command;
  miocpp::ChildExit exit;
};

/// Starts `sh -c command` in a process group of its own, with the default signal dispositions
/// and nothing blocked (whatever this process had); its pid, or 0 when it could not start. The
/// group is what the timeout stops: the shell may have children of its own (as `sleep` here),
/// which would outlive a signal sent to the shell alone.
pid_t spawn(const std::string& command) {
  const char* argv[] = {"sh", "-c", command.c_str(), nullptr};  // NOLINT(*-avoid-c-arrays)
  posix_spawnattr_t attributes;
  ::posix_spawnattr_init(&attributes);
  sigset_t all;
  sigset_t none;
  ::sigfillset(&all);
  ::sigemptyset(&none);
  ::posix_spawnattr_setsigdefault(&attributes, &all);
  ::posix_spawnattr_setsigmask(&attributes, &none);
  ::posix_spawnattr_setpgroup(&attributes, 0);  // a new group, whose id is the child's pid
  ::posix_spawnattr_setflags(
      &attributes, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  pid_t pid = 0;
  // posix_spawnp's argv is not const for historical reasons; it is not written.
  const int error = ::posix_spawnp(&pid, "sh", nullptr, &attributes,
                                   const_cast<char**>(argv),  // NOLINT(*-const-cast)
                                   environ);
  ::posix_spawnattr_destroy(&attributes);
  return error == 0 ? pid : 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> commands(argv + 1, argv + argc);
  if (commands.empty()) {
    commands = {"exit 0", "exit 3", "sleep 30"};  // the last one is ended by the timeout
  }
  std::error_code ec;
  miocpp::Poll poll(ec);
  example::check(ec, "poll");
  miocpp::Events events(16);
  miocpp::Timers timers;
  std::unordered_map<std::size_t, Child> children;  // by token value

  for (std::size_t index = 0; index < commands.size(); ++index) {
    Child child{spawn(commands[index]), commands[index], {}};
    if (child.pid == 0) {
      std::cerr << "could not start: " << commands[index] << '\n';
      return 1;
    }
    child.exit = miocpp::ChildExit::watch(child.pid, ec);
    example::check(ec, "watch");
    poll.registry().register_source(child.exit, miocpp::Token{index}, miocpp::Interest::readable,
                                    ec);
    example::check(ec, "register");
    std::cout << "started " << child.pid << ": " << child.command << std::endl;
    children.emplace(index, std::move(child));
  }
  // Whoever still runs after 2 s is asked to stop (SIGTERM to its process group).
  (void)timers.start_after(miocpp::Token{0}, std::chrono::seconds(2), ec);
  example::check(ec, "timer");

  std::array<miocpp::Timers::Expired, 1> expired;
  while (!children.empty()) {
    poll.poll(events, timers.timeout(miocpp::Timers::clock::now()), ec);
    if (ec == std::errc::interrupted) {
      continue;  // where children are watched through SIGCHLD, it can end a wait early
    }
    example::check(ec, "poll");
    if (timers.expire(miocpp::Timers::clock::now(), expired) != 0) {
      for (const auto& [token, child] : children) {
        std::cout << "timeout: stopping " << child.pid << std::endl;
        ::kill(-child.pid, SIGTERM);
      }
    }
    for (const miocpp::Event& event : events) {
      const auto found = children.find(event.token().value);
      if (found == children.end()) {
        continue;
      }
      const miocpp::ExitStatus status = found->second.exit.try_wait(ec);
      if (ec == std::errc::operation_would_block) {
        continue;  // not this child yet (a SIGCHLD watcher wakes for any child)
      }
      example::check(ec, "try_wait");
      std::cout << found->second.pid << " (" << found->second.command << ") ";
      if (status.signal != 0) {
        std::cout << "ended by signal " << status.signal << std::endl;
      } else {
        std::cout << "exited with " << status.code << std::endl;
      }
      children.erase(found);
    }
  }
}
