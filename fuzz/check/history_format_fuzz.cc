// libFuzzer target: the history parser must reject any input with a Status,
// never crash; a history it accepts must survive a format/parse round trip,
// and every checker (with small budgets) must judge it without crashing.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "check/checkers.h"
#include "check/history_format.h"
#include "check/timeline.h"
#include "common/assert.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cairn::check;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  cairn::Result<History> h = ParseHistory(text);
  if (!h.ok()) return 0;
  cairn::Result<History> again = ParseHistory(FormatHistory(*h));
  CAIRN_CHECK(again.ok(), "a formatted history must parse");
  CAIRN_CHECK(again->ops.size() == h->ops.size(), "round trip keeps every op");
  CheckOptions options;
  options.linear.states_max = 10000;
  options.linear.time_budget_ms = 100;
  options.linear.minimize_options.checks_max = 50;
  options.minimize_options.checks_max = 50;
  options.bound_ns = 1'000'000;
  for (Workload w : {Workload::kLinear, Workload::kSession, Workload::kCounter, Workload::kSet,
                     Workload::kLost, Workload::kBounded}) {
    Verdict v = RunChecker(w, *h, options);
    CAIRN_CHECK(!v.invalid() || !v.anomalies.empty(), "an invalid verdict names its anomaly");
    (void)RenderTimelineHtml(*h, &v, "fuzz");
  }
  return 0;
}
