// The backend contract for what an event loop waits for besides I/O: signals and child
// processes (concepts.hpp checks that each is also Owning). std::errc::not_supported where the OS
// has neither.
#pragma once

#include <concepts>
#include <span>
#include <system_error>

#include "../exit_status.hpp"
#include "../signal_count.hpp"

namespace miocpp::sys::concepts {

/// Watching signals: `W::watch` publishes a watcher process-wide and hands back, in `wake`, the
/// handle (a `W::wake_type`) that its handler makes readable, which the front end registers like
/// any source; `take`, given that handle, consumes its readiness and reports a watched signal
/// that arrived and its count, or std::errc::operation_would_block. std::errc::not_supported
/// where the OS has no signals to watch.
template <class W>
concept SignalWatch = requires(W& watch, std::span<const int> signals, typename W::wake_type& wake,
                               typename W::wake_type::native_handle_type handle,
                               std::error_code& ec) {
  { W::watch(signals, wake, ec) }
  noexcept->std::same_as<W>;
  { watch.take(handle, ec) }
  noexcept->std::same_as<SignalCount>;
};

/// Watching a child process for its exit: `W::watch` hands back, in `wake`, a handle (a
/// `W::wake_type`) that becomes readable when the child exits; `try_wait`, given that handle,
/// consumes its readiness, reaps the child and reports its status, or
/// std::errc::operation_would_block while it runs.
template <class W>
concept ChildWatch = requires(W& watch, typename W::process_id pid, typename W::wake_type& wake,
                              typename W::wake_type::native_handle_type handle,
                              std::error_code& ec) {
  { W::watch(pid, wake, ec) }
  noexcept->std::same_as<W>;
  { watch.try_wait(handle, ec) }
  noexcept->std::same_as<ExitStatus>;
};

}  // namespace miocpp::sys::concepts
