#include "common/random.h"

#include <gtest/gtest.h>

#include <vector>

namespace cairn {
namespace {

TEST(RandomTest, SameSeedSameSequence) {
  Xoshiro256 a(42), b(42), c(43);
  bool differs = false;
  for (int i = 0; i < 100; ++i) {
    std::uint64_t x = a.NextU64();
    EXPECT_EQ(x, b.NextU64());
    differs |= (x != c.NextU64());
  }
  EXPECT_TRUE(differs);
}

TEST(RandomTest, UniformStaysInRangeAndCoversIt) {
  Xoshiro256 r(7);
  std::vector<int> seen(10, 0);
  for (int i = 0; i < 10000; ++i) {
    std::uint64_t v = r.Uniform(10);
    ASSERT_LT(v, 10u);
    ++seen[v];
  }
  for (int count : seen) EXPECT_GT(count, 800);  // expected 1000 each
  for (int i = 0; i < 1000; ++i) {
    std::uint64_t v = r.Range(5, 7);
    EXPECT_GE(v, 5u);
    EXPECT_LE(v, 7u);
  }
}

}  // namespace
}  // namespace cairn
