#include "resilience/metrics.h"

#include <gtest/gtest.h>

namespace cairn::resilience {
namespace {

TEST(MetricsRegistryTest, GroupsByNameWithOneHelpAndType) {
  MetricsRegistry r;
  StripedCounter ok, bad;
  ok.Add(3);
  bad.Add();
  r.AddCounter("calls_total", "Calls.", "outcome=\"ok\"", [&] { return double(ok.value()); });
  r.AddGauge("inflight", "In flight.", "", [] { return 2.0; });
  r.AddCounter("calls_total", "Calls.", "outcome=\"bad\"", [&] { return double(bad.value()); });
  EXPECT_EQ(r.Expose(),
            "# HELP calls_total Calls.\n"
            "# TYPE calls_total counter\n"
            "calls_total{outcome=\"ok\"} 3\n"
            "calls_total{outcome=\"bad\"} 1\n"
            "# HELP inflight In flight.\n"
            "# TYPE inflight gauge\n"
            "inflight 2\n");
}

TEST(MetricsRegistryTest, EscapesLabelValues) {
  EXPECT_EQ(EscapeLabelValue("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
}

}  // namespace
}  // namespace cairn::resilience
