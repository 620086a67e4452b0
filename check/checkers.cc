#include "check/checkers.h"

#include <algorithm>

#include "check/bounded.h"
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
  if (name == "bounded") return Workload::kBounded;
  return Status::InvalidArgument("unknown checker \"" + std::string(name) +
                                 "\" (linear, session, counter, set, lost, bounded)");
}

namespace {

Verdict RunPlain(Workload w, const History& h, const CheckOptions& options) {
  switch (w) {
    case Workload::kLinear: return CheckLinearizable(h, options.linear);
    case Workload::kSession: return CheckSession(h);
    case Workload::kCounter: return CheckCounter(h);
    case Workload::kSet: return CheckSet(h);
    case Workload::kLost: return CheckLost(h);
    case Workload::kBounded: return CheckBounded(h, options.bound_ns);
  }
  return {};
}

// An anomaly's kind: its text before the first ':' without numbers, so that
// "counter read 25 outside [0, 20]" and "counter read 3 outside [5, 9]" match.
std::string AnomalyKind(const std::string& text) {
  std::string kind;
  for (char c : text.substr(0, text.find(':'))) {
    if ((c < '0' || c > '9') && c != '-') kind += c;
  }
  return kind;
}

// Shrinks the ops of the first failing key with the checker as the oracle,
// keeping the kind of the first anomaly (removing a write must not turn a
// lost write into a read of a value never written).
// The linear checker minimizes on its own (it keeps reads well-formed).
void MinimizeEvidence(Workload w, const History& h, const CheckOptions& options, Verdict& v) {
  if (w == Workload::kLinear || v.evidence.empty()) return;
  const std::string key = v.evidence.front().key;
  const std::string kind = AnomalyKind(v.anomalies.front());
  auto fails = [&](const std::vector<Op>& candidate) {
    History sub;
    sub.ops = candidate;
    Verdict r = RunPlain(w, sub, options);
    return r.invalid() && std::any_of(r.anomalies.begin(), r.anomalies.end(),
                                      [&](const std::string& a) { return AnomalyKind(a) == kind; });
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
