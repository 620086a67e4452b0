#include "check/verdict.h"

#include <algorithm>

namespace cairn::check {

std::string_view ValidityName(Validity v) {
  switch (v) {
    case Validity::kValid: return "VALID";
    case Validity::kInvalid: return "INVALID";
    case Validity::kUnknown: return "UNKNOWN";
  }
  return "?";
}

std::string FormatVerdict(const Verdict& v) {
  std::string out = std::string(ValidityName(v.validity)) + ": " + v.summary + "\n";
  constexpr std::size_t kShownMax = 20;
  for (std::size_t i = 0; i < v.anomalies.size() && i < kShownMax; ++i) {
    out += "  - " + v.anomalies[i] + "\n";
  }
  if (v.anomalies.size() > kShownMax) {
    out += "  ... and " + std::to_string(v.anomalies.size() - kShownMax) + " more\n";
  }
  if (!v.evidence.empty()) {
    out += "evidence (" + std::to_string(v.evidence.size()) + " ops):\n" + DescribeOps(v.evidence);
  }
  return out;
}

void AddAnomaly(Verdict& v, std::string text, const std::vector<const Op*>& ops) {
  v.validity = Validity::kInvalid;
  v.anomalies.push_back(std::move(text));
  // Evidence stays small: the ops of the first few anomalies only.
  constexpr std::size_t kEvidenceAnomaliesMax = 3;
  bool keep = v.anomalies.size() <= kEvidenceAnomaliesMax;
  for (const Op* op : ops) {
    if (std::find(v.failing_op_ids.begin(), v.failing_op_ids.end(), op->id) != v.failing_op_ids.end()) {
      continue;
    }
    v.failing_op_ids.push_back(op->id);
    if (keep) v.evidence.push_back(*op);
  }
}

}  // namespace cairn::check
