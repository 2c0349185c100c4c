// Token: the user's name for a registration.
#include <algorithm>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <type_traits>
#include <unordered_set>
#include <vector>

#include <gtest/gtest.h>

#include <miocpp/token.hpp>

namespace {

using miocpp::Token;

// ---- Compile time
// --------------------------------------------------------------------------------

static_assert(std::is_constructible_v<Token, std::size_t>);
static_assert(!std::is_convertible_v<std::size_t, Token>, "construction from a number is explicit");
static_assert(!std::is_convertible_v<int, Token>);
static_assert(std::is_nothrow_default_constructible_v<Token>);
static_assert(std::is_trivially_copyable_v<Token>);
static_assert(sizeof(Token) == sizeof(std::size_t));
static_assert(Token{}.value == 0);
static_assert(Token{SIZE_MAX}.value == SIZE_MAX);
static_assert(Token{3} == Token{3} && Token{3} != Token{4});
static_assert(Token{3} < Token{4} && (Token{4} <=> Token{3}) == std::strong_ordering::greater);
static_assert(std::is_same_v<decltype(Token{1} <=> Token{2}), std::strong_ordering>);

TEST(Token, DefaultIsZero) {
  const Token value_initialized{};
  EXPECT_EQ(value_initialized.value, 0U);
  const Token default_initialized;
  EXPECT_EQ(default_initialized.value, 0U);
  EXPECT_EQ(default_initialized, Token{0});
}

TEST(Token, ValueRoundTripsForEveryMagnitude) {
  const std::vector<std::size_t> values = {
      0,       1, 42, std::size_t{1} << 31U, std::size_t{UINT32_MAX}, SIZE_MAX / 2, SIZE_MAX - 1,
      SIZE_MAX};
  for (const std::size_t value : values) {
    EXPECT_EQ(Token{value}.value, value);
  }
}

TEST(Token, ValueIsAPublicMutableMember) {
  Token token{5};
  token.value = SIZE_MAX;
  EXPECT_EQ(token, Token{SIZE_MAX});
}

TEST(Token, EqualityComparesValues) {
  EXPECT_EQ(Token{7}, Token{7});
  EXPECT_NE(Token{7}, Token{8});
  EXPECT_NE(Token{0}, Token{SIZE_MAX});
  EXPECT_EQ(Token{SIZE_MAX}, Token{SIZE_MAX});
}

TEST(Token, ThreeWayComparisonOrdersByValue) {
  EXPECT_EQ(Token{1} <=> Token{2}, std::strong_ordering::less);
  EXPECT_EQ(Token{2} <=> Token{2}, std::strong_ordering::equal);
  EXPECT_EQ(Token{SIZE_MAX} <=> Token{0}, std::strong_ordering::greater);
  EXPECT_LT(Token{0}, Token{SIZE_MAX});
  EXPECT_LE(Token{5}, Token{5});
  EXPECT_GT(Token{6}, Token{5});
  EXPECT_GE(Token{6}, Token{6});

  std::vector<Token> tokens = {Token{9}, Token{SIZE_MAX}, Token{0}, Token{3}};
  std::sort(tokens.begin(), tokens.end());
  EXPECT_EQ(tokens, (std::vector<Token>{Token{0}, Token{3}, Token{9}, Token{SIZE_MAX}}));
}

TEST(Token, WorksAsAnOrderedMapKey) {
  std::map<Token, int> connections;
  connections[Token{2}] = 20;
  connections[Token{1}] = 10;
  connections[Token{2}] = 22;
  ASSERT_EQ(connections.size(), 2U);
  EXPECT_EQ(connections.begin()->first, Token{1});
  EXPECT_EQ(connections.at(Token{2}), 22);
}

TEST(Token, HashAgreesWithEquality) {
  const std::hash<Token> hash;
  EXPECT_EQ(hash(Token{12345}), hash(Token{12345}));
  EXPECT_EQ(hash(Token{SIZE_MAX}), hash(Token{SIZE_MAX}));
  static_assert(noexcept(hash(Token{1})));
}

TEST(Token, WorksInAnUnorderedSet) {
  std::unordered_set<Token> set;
  for (std::size_t i = 0; i < 1000; ++i) {
    EXPECT_TRUE(set.insert(Token{i * 7919}).second);
  }
  EXPECT_TRUE(set.insert(Token{SIZE_MAX}).second);
  EXPECT_EQ(set.size(), 1001U);

  // Inserting equal tokens again adds nothing; each one is found.
  for (std::size_t i = 0; i < 1000; ++i) {
    EXPECT_FALSE(set.insert(Token{i * 7919}).second);
    EXPECT_EQ(set.count(Token{i * 7919}), 1U);
  }
  EXPECT_EQ(set.size(), 1001U);
  EXPECT_EQ(set.count(Token{SIZE_MAX}), 1U);
  EXPECT_EQ(set.count(Token{1}), 0U);
}

}  // namespace
