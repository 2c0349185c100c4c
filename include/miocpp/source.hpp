// event::Source: anything that can be registered with a Registry.
#pragma once

#include <concepts>
#include <system_error>
#include <type_traits>

#include "interest.hpp"
#include "token.hpp"

namespace miocpp {

class Registry;

namespace event {

/// A type that registers itself with a Registry. Every socket, pipe end and posix::SourceFd models
/// it; a user type models it by forwarding to the sources it owns. Registry calls these members;
/// users call the Registry.
template <class S>
concept Source = requires(S& source, const Registry& registry, Token token, Interest interest,
                          std::error_code& ec) {
  { source.register_source(registry, token, interest, ec) }
  noexcept;
  { source.reregister(registry, token, interest, ec) }
  noexcept;
  { source.deregister(registry, ec) }
  noexcept;
};

/// A Source that is a plain value, such as posix::SourceFd: a copyable object (not a reference)
/// that views a handle owned elsewhere. The Registry also takes one as a temporary
/// (`register_source(SourceFd{fd}, ...)`), as mio does. Owning sources (sockets, pipe ends) are
/// move-only, so a temporary one, which would be closed right after the call, does not compile.
template <class S>
concept ValueSource = std::is_object_v<S> && std::copy_constructible<S> && Source<S>;

}  // namespace event
}  // namespace miocpp
