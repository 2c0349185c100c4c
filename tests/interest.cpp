// Interest: a never-empty set of readiness kinds.
#include <array>
#include <cstddef>
#include <optional>
#include <sstream>
#include <string>
#include <type_traits>

#include <gtest/gtest.h>

#include "support/text.hpp"
#include <miocpp/interest.hpp>

namespace {

using miocpp::Interest;

// ---- Compile time: the whole value API is constexpr
// ----------------------------------------------

static_assert(Interest::readable.is_readable() && !Interest::readable.is_writable() &&
              !Interest::readable.is_priority() && !Interest::readable.is_aio() &&
              !Interest::readable.is_lio());
static_assert(Interest::writable.is_writable() && !Interest::writable.is_readable());
static_assert(Interest::priority.is_priority() && !Interest::priority.is_readable());
static_assert(Interest::aio.is_aio() && !Interest::aio.is_lio());
static_assert(Interest::lio.is_lio() && !Interest::lio.is_aio());

static_assert((Interest::readable | Interest::writable) ==
              Interest::readable.add(Interest::writable));
static_assert((Interest::readable | Interest::writable).is_readable());
static_assert((Interest::readable | Interest::writable).is_writable());
static_assert((Interest::readable | Interest::writable).remove(Interest::writable) ==
              std::optional<Interest>(Interest::readable));
static_assert(!Interest::readable.remove(Interest::readable).has_value());
static_assert(Interest::readable != Interest::writable);

constexpr Interest or_assigned() {
  Interest interest = Interest::readable;
  interest |= Interest::priority;
  return interest;
}
static_assert(or_assigned() == (Interest::readable | Interest::priority));

// ---- Type properties: a small value type that can never be empty
// ---------------------------------

static_assert(!std::is_default_constructible_v<Interest>, "an Interest is never empty");
static_assert(std::is_trivially_copyable_v<Interest>);
static_assert(std::is_nothrow_copy_constructible_v<Interest>);
static_assert(!std::is_constructible_v<Interest, int>);
static_assert(!std::is_constructible_v<Interest, unsigned char>);

// Every kind, in the order operator<< prints them.
constexpr std::array<Interest, 5> kinds = {Interest::readable, Interest::writable,
                                           Interest::priority, Interest::aio, Interest::lio};

std::array<bool, 5> accessors(Interest interest) {
  return {interest.is_readable(), interest.is_writable(), interest.is_priority(), interest.is_aio(),
          interest.is_lio()};
}

// Builds the interest holding the kinds whose bit is set in `mask` (never 0).
Interest from_mask(unsigned mask) {
  std::optional<Interest> result;
  for (std::size_t i = 0; i < kinds.size(); ++i) {
    if ((mask & (1U << i)) != 0) {
      result = result ? result->add(kinds[i]) : kinds[i];
    }
  }
  return *result;
}

TEST(Interest, EachConstantHasExactlyItsOwnAccessorSet) {
  for (std::size_t i = 0; i < kinds.size(); ++i) {
    const std::array<bool, 5> flags = accessors(kinds[i]);
    for (std::size_t j = 0; j < flags.size(); ++j) {
      EXPECT_EQ(flags[j], i == j) << "constant " << i << ", accessor " << j;
    }
  }
}

TEST(Interest, ConstantsAreDistinct) {
  for (std::size_t i = 0; i < kinds.size(); ++i) {
    for (std::size_t j = 0; j < kinds.size(); ++j) {
      EXPECT_EQ(kinds[i] == kinds[j], i == j) << i << " vs " << j;
      EXPECT_EQ(kinds[i] != kinds[j], i != j) << i << " vs " << j;
    }
  }
}

TEST(Interest, AddAndBitwiseOrGiveTheUnion) {
  const Interest both = Interest::readable.add(Interest::writable);
  EXPECT_TRUE(both.is_readable());
  EXPECT_TRUE(both.is_writable());
  EXPECT_FALSE(both.is_priority());
  EXPECT_FALSE(both.is_aio());
  EXPECT_FALSE(both.is_lio());
  EXPECT_EQ(both, Interest::readable | Interest::writable);
  EXPECT_EQ(both, Interest::writable | Interest::readable);  // commutative
  EXPECT_EQ(both | Interest::readable, both);                // idempotent
  EXPECT_EQ(Interest::readable.add(Interest::readable), Interest::readable);
  EXPECT_NE(both, Interest::readable);
  EXPECT_NE(both, Interest::writable);
}

TEST(Interest, OrAssignAddsInPlace) {
  Interest interest = Interest::writable;
  interest |= Interest::priority;
  EXPECT_TRUE(interest.is_writable());
  EXPECT_TRUE(interest.is_priority());
  EXPECT_FALSE(interest.is_readable());
  Interest& self = (interest |= Interest::readable);
  EXPECT_EQ(&self, &interest);
  EXPECT_EQ(interest, Interest::readable | Interest::writable | Interest::priority);
}

TEST(Interest, AddDoesNotModifyTheOperands) {
  const Interest readable = Interest::readable;
  const Interest sum = readable.add(Interest::writable);
  EXPECT_EQ(readable, Interest::readable);
  EXPECT_FALSE(readable.is_writable());
  EXPECT_TRUE(sum.is_writable());
}

TEST(Interest, RemoveTakesAwayOnlyTheGivenKinds) {
  const Interest all = Interest::readable | Interest::writable | Interest::priority;
  const std::optional<Interest> without_writable = all.remove(Interest::writable);
  ASSERT_TRUE(without_writable.has_value());
  EXPECT_EQ(*without_writable, Interest::readable | Interest::priority);

  const std::optional<Interest> without_two = all.remove(Interest::writable | Interest::priority);
  ASSERT_TRUE(without_two.has_value());
  EXPECT_EQ(*without_two, Interest::readable);
}

TEST(Interest, RemovingAKindThatIsNotThereChangesNothing) {
  const std::optional<Interest> same = Interest::readable.remove(Interest::writable);
  ASSERT_TRUE(same.has_value());
  EXPECT_EQ(*same, Interest::readable);
}

TEST(Interest, RemovingEverythingGivesNullopt) {
  EXPECT_EQ(Interest::readable.remove(Interest::readable), std::nullopt);
  EXPECT_EQ(Interest::writable.remove(Interest::writable), std::nullopt);
  const Interest both = Interest::readable | Interest::writable;
  EXPECT_EQ(both.remove(both), std::nullopt);
  // Removing a superset empties it too.
  EXPECT_EQ(Interest::readable.remove(both), std::nullopt);
}

TEST(Interest, EveryCombinationHasTheRightAccessorsAndRemovesBackToItsParts) {
  // All 31 non-empty subsets of the five kinds.
  for (unsigned mask = 1; mask < (1U << kinds.size()); ++mask) {
    const Interest interest = from_mask(mask);
    const std::array<bool, 5> flags = accessors(interest);
    for (std::size_t i = 0; i < kinds.size(); ++i) {
      const bool expected = (mask & (1U << i)) != 0;
      EXPECT_EQ(flags[i], expected) << "mask " << mask << ", kind " << i;

      // Removing one kind leaves exactly the others (or nothing).
      const unsigned rest = mask & ~(1U << i);
      const std::optional<Interest> removed = interest.remove(kinds[i]);
      if (rest == 0) {
        EXPECT_FALSE(removed.has_value()) << "mask " << mask << ", kind " << i;
      } else {
        ASSERT_TRUE(removed.has_value()) << "mask " << mask << ", kind " << i;
        EXPECT_EQ(*removed, from_mask(rest)) << "mask " << mask << ", kind " << i;
      }
    }
    // Equality is by content: the same set built in another order compares equal, any other
    // set does not.
    for (unsigned other = 1; other < (1U << kinds.size()); ++other) {
      EXPECT_EQ(interest == from_mask(other), mask == other) << mask << " vs " << other;
    }
  }
}

TEST(Interest, PrintsEachKindByName) {
  EXPECT_EQ(test::printed(Interest::readable), "READABLE");
  EXPECT_EQ(test::printed(Interest::writable), "WRITABLE");
  EXPECT_EQ(test::printed(Interest::priority), "PRIORITY");
  EXPECT_EQ(test::printed(Interest::aio), "AIO");
  EXPECT_EQ(test::printed(Interest::lio), "LIO");
}

TEST(Interest, PrintsASetJoinedWithBars) {
  EXPECT_EQ(test::printed(Interest::readable | Interest::writable), "READABLE | WRITABLE");
  // The order is fixed, whatever order the set was built in.
  EXPECT_EQ(test::printed(Interest::writable | Interest::readable), "READABLE | WRITABLE");

  const std::string all = test::printed(Interest::lio | Interest::aio | Interest::priority |
                                        Interest::writable | Interest::readable);
  EXPECT_EQ(all, "READABLE | WRITABLE | PRIORITY | AIO | LIO");
}

TEST(Interest, PrintingReturnsTheStreamForChaining) {
  std::ostringstream os;
  os << Interest::readable << " and " << Interest::writable;
  EXPECT_EQ(os.str(), "READABLE and WRITABLE");
}

}  // namespace
