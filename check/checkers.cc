#include "check/checkers.h"

#include <algorithm>

#include "check/minimize.h"
#include "check/session.h"
#include "check/workloads.h"

namespace cairn::check {

Result<Workload> ParseWorkload(std::string_view name) {
  if (name == "linear") return Workload::kLinear;
  if (name == "session") return Workload::kSession;
  if (name == "counter") return Workload::kCounter;
  if (name == "set") return Workload::kSet;
  if (name == "lost") return Workload::kLost;
  return Status::InvalidArgument("unknown checker \"" + std::string(name) +
                                 "\" (linear, session, counter, set, lost)");
}

namespace {

Verdict RunPlain(Workload w, const History& h, const CheckOptions& options) {
  switch (w) {
    case Workload::kLinear: return CheckLinearizable(h, options.linear);
    case Workload::kSession: return CheckSession(h);
    case Workload::kCounter: return CheckCounter(h);
    case Workload::kSet: return CheckSet(h);
    case Workload::kLost: return CheckLost(h);
  }
  return {};
}

// Shrinks the ops of the first failing key with the checker as the oracle.
// The linear checker minimizes on its own (it keeps reads well-formed).
void MinimizeEvidence(Workload w, const History& h, const CheckOptions& options, Verdict& v) {
  if (w == Workload::kLinear || v.evidence.empty()) return;
  const std::string key = v.evidence.front().key;
  auto fails = [&](const std::vector<Op>& candidate) {
    History sub;
    sub.ops = candidate;
    return RunPlain(w, sub, options).invalid();
  };
  // Start from the anomaly's own ops when they fail on their own (usually
  // tiny), else from every op on the key.
  std::vector<Op> start;
  for (const Op& op : v.evidence) {
    if (op.key == key) start.push_back(op);
  }
  if (!fails(start)) {
    start.clear();
    for (const Op& op : h.ops) {
      if (op.key == key) start.push_back(op);
    }
  }
  std::stable_sort(start.begin(), start.end(), [](const Op& a, const Op& b) { return a.id < b.id; });
  v.evidence = Minimize(std::move(start), fails, options.minimize_options);
}

}  // namespace

Verdict RunChecker(Workload w, const History& h, const CheckOptions& options) {
  Verdict v = RunPlain(w, h, options);
  if (v.invalid() && options.minimize) MinimizeEvidence(w, h, options, v);
  return v;
}

}  // namespace cairn::check
