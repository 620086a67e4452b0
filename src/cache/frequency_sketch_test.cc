#include "cache/frequency_sketch.h"

#include <gtest/gtest.h>

namespace cairn::cache {
namespace {

TEST(FrequencySketch, CountsAndSaturatesAtFifteen) {
  FrequencySketch sketch(1024);
  EXPECT_EQ(sketch.Estimate(42), 0);
  for (int i = 0; i < 5; ++i) sketch.Increment(42);
  EXPECT_EQ(sketch.Estimate(42), 5);
  for (int i = 0; i < 100; ++i) sketch.Increment(42);
  EXPECT_EQ(sketch.Estimate(42), 15);
}

TEST(FrequencySketch, AgingHalvesCounters) {
  FrequencySketch sketch(64);
  EXPECT_EQ(sketch.sample_size(), 2000u);  // 10 x 64 is below the floor
  EXPECT_EQ(FrequencySketch(1000).sample_size(), 10'000u);
  for (int i = 0; i < 12; ++i) sketch.Increment(7);
  EXPECT_EQ(sketch.Estimate(7), 12);
  std::uint64_t key = 1000;
  while (sketch.resets() == 0) sketch.Increment(key++);
  EXPECT_EQ(sketch.Estimate(7), 6);
}

TEST(FrequencySketch, CollisionsRarelyInflateColdKeys) {
  FrequencySketch sketch(4096);
  for (std::uint64_t k = 0; k < 4096; ++k) sketch.Increment(k);
  int inflated = 0;
  for (std::uint64_t k = 1'000'000; k < 1'004'096; ++k) inflated += sketch.Estimate(k) > 1;
  EXPECT_LT(inflated, 41) << "more than 1% of unseen keys look warm";
}

}  // namespace
}  // namespace cairn::cache
