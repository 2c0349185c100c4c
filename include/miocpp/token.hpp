// Token: the user's name for a registration, handed back in every Event it produces.
#pragma once

#include <compare>
#include <cstddef>
#include <functional>

namespace miocpp {

/// Associates an Event with the source that produced it. Every value is usable, SIZE_MAX included:
/// no backend reserves one. Tokens are typically indices into a slab of connections.
///
/// miocpp never interprets a token: it hands back, in Event::token(), the value given to
/// Registry::register_source or Registry::reregister (or to the Waker). Two sources may share a
/// token; then their events cannot be told apart. `std::hash<miocpp::Token>` is provided, so a
/// Token can key an `std::unordered_map`.
struct Token {
  /// The number itself, for indexing your own tables.
  std::size_t value = 0;

  /// Token 0.
  constexpr Token() noexcept = default;
  /// The token `token_value`; explicit, so that a size_t is not taken for a Token by accident.
  constexpr explicit Token(std::size_t token_value) noexcept : value(token_value) {}

  /// Tokens are equal when their values are.
  friend constexpr bool operator==(Token, Token) noexcept = default;
  /// Tokens order as their values do (so they can key an `std::map`).
  friend constexpr auto operator<=>(Token, Token) noexcept = default;
};

}  // namespace miocpp

template <>
struct std::hash<miocpp::Token> {
  std::size_t operator()(miocpp::Token token) const noexcept {
    return std::hash<std::size_t>{}(token.value);
  }
};
