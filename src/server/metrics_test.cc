#include "server/metrics.h"

#include <gtest/gtest.h>

namespace cairn::server {
namespace {

TEST(HistogramTest, RendersCumulativeBucketsWithAndWithoutLabels) {
  Histogram h;
  h.Observe(0.0002);  // in le=0.00025 and every bucket above
  h.Observe(0.003);   // in le=0.005 and above
  h.Observe(10);      // only in +Inf
  std::string labelled;
  h.Render("x_seconds", "command=\"get\"", &labelled);
  EXPECT_NE(labelled.find("x_seconds_bucket{command=\"get\",le=\"0.0001\"} 0\n"), std::string::npos)
      << labelled;
  EXPECT_NE(labelled.find("x_seconds_bucket{command=\"get\",le=\"0.00025\"} 1\n"),
            std::string::npos);
  EXPECT_NE(labelled.find("x_seconds_bucket{command=\"get\",le=\"0.005\"} 2\n"), std::string::npos);
  EXPECT_NE(labelled.find("x_seconds_bucket{command=\"get\",le=\"2.5\"} 2\n"), std::string::npos);
  EXPECT_NE(labelled.find("x_seconds_bucket{command=\"get\",le=\"+Inf\"} 3\n"), std::string::npos);
  EXPECT_NE(labelled.find("x_seconds_count{command=\"get\"} 3\n"), std::string::npos);
  // Without labels there is no stray comma or empty braces (Prometheus
  // rejects `{,le=...}` and `_count{}` is at best unusual).
  std::string bare;
  h.Render("y_seconds", "", &bare);
  EXPECT_NE(bare.find("y_seconds_bucket{le=\"0.005\"} 2\n"), std::string::npos) << bare;
  EXPECT_NE(bare.find("y_seconds_sum 10.0032\n"), std::string::npos) << bare;
  EXPECT_NE(bare.find("y_seconds_count 3\n"), std::string::npos) << bare;
  EXPECT_EQ(bare.find("{,"), std::string::npos) << bare;
  EXPECT_EQ(bare.find("{}"), std::string::npos) << bare;
}

}  // namespace
}  // namespace cairn::server
