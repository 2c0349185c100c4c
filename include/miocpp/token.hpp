// Token: the user's name for a registration, handed back in every Event it produces.
#pragma once

#include <compare>
#include <cstddef>
#include <functional>

namespace miocpp {

/// Associates an Event with the source that produced it. Every value is usable, SIZE_MAX included:
/// no backend reserves one. Tokens are typically indices into a slab of connections.
struct Token {
  std::size_t value = 0;

  constexpr Token() noexcept = default;
  constexpr explicit Token(std::size_t token_value) noexcept : value(token_value) {}

  friend constexpr bool operator==(Token, Token) noexcept = default;
  friend constexpr auto operator<=>(Token, Token) noexcept = default;
};

}  // namespace miocpp

template <>
struct std::hash<miocpp::Token> {
  std::size_t operator()(miocpp::Token token) const noexcept {
    return std::hash<std::size_t>{}(token.value);
  }
};
