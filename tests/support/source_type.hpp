// What every socket and pipe end is as a type, checked at compile time by each suite for its own.
#pragma once

#include <type_traits>

#include <miocpp/source.hpp>

namespace test {

/// An event source that owns its handle, of type `Native`: empty when default-constructed, moved
/// without throwing, never copied.
template <class T, class Native>
concept OwningSource =
    miocpp::event::Source<T> && std::is_nothrow_default_constructible_v<T> &&
    std::is_nothrow_move_constructible_v<T> && std::is_nothrow_move_assignable_v<T> &&
    !std::is_copy_constructible_v<T> &&
    !std::is_copy_assignable_v<T> && std::is_same_v<typename T::native_handle_type, Native>;

}  // namespace test
