#include "resilience/latency_histogram.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cmath>

namespace cairn::resilience {
namespace {

RC_GTEST_PROP(LatencyHistogramProp, PercentileWithinBucketError, ()) {
  auto values = *rc::gen::nonEmpty(
      rc::gen::container<std::vector<std::int64_t>>(rc::gen::inRange<std::int64_t>(0, 1'000'000'000)));
  const double q = *rc::gen::inRange(1, 100) / 100.0;
  LatencyHistogram h;
  for (auto v : values) h.Record(Nanos(v));
  std::sort(values.begin(), values.end());
  const auto rank = static_cast<std::size_t>(std::ceil(q * values.size()));
  const double truth = static_cast<double>(values[std::max<std::size_t>(rank, 1) - 1]);
  const double got = static_cast<double>(h.Percentile(q).count());
  RC_ASSERT(got >= truth);
  RC_ASSERT(got <= truth * 1.0625 + 16);
}

TEST(LatencyHistogramTest, BucketsAreContiguous) {
  for (int i = 1; i < LatencyHistogram::kBuckets - 1; ++i) {
    ASSERT_EQ(LatencyHistogram::Index(LatencyHistogram::UpperBound(i)), i);
    ASSERT_EQ(LatencyHistogram::Index(LatencyHistogram::UpperBound(i) + 1), i + 1);
  }
}

TEST(LatencyHistogramTest, PrometheusBucketsAreCumulative) {
  LatencyHistogram h;
  h.Record(Nanos(500));         // < 1.024 µs
  h.Record(Nanos(2'000'000));   // 2 ms
  std::string out;
  h.AppendPrometheus(out, "lat", "x=\"1\"");
  EXPECT_NE(out.find("lat_bucket{x=\"1\",le=\"1.024e-06\"} 1\n"), std::string::npos) << out;
  EXPECT_NE(out.find("lat_bucket{x=\"1\",le=\"+Inf\"} 2\n"), std::string::npos);
  EXPECT_NE(out.find("lat_count{x=\"1\"} 2\n"), std::string::npos);
}

}  // namespace
}  // namespace cairn::resilience
