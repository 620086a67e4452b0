#pragma once
// The result every checker returns.
//
//   kValid    no anomaly exists in the history (for the checker's definition).
//   kInvalid  at least one anomaly; `anomalies` says which, `evidence` holds
//             the smallest failing sub-history found.
//   kUnknown  the checker gave up (time or state budget) or the history does
//             not fit its workload; `summary` says why.

#include <string>
#include <vector>

#include "check/history.h"

namespace cairn::check {

enum class Validity : std::uint8_t { kValid, kInvalid, kUnknown };

std::string_view ValidityName(Validity v);

struct Verdict {
  Validity validity = Validity::kValid;
  std::string summary;                 // one line
  std::vector<std::string> anomalies;  // one line each
  std::vector<Op> evidence;            // a small failing sub-history (original ids)
  std::vector<int> failing_op_ids;     // ops to highlight in reports

  bool valid() const { return validity == Validity::kValid; }
  bool invalid() const { return validity == Validity::kInvalid; }
};

// Multi-line human-readable text: verdict, summary, anomalies, evidence.
std::string FormatVerdict(const Verdict& v);

// Helper used by the simpler checkers: records one anomaly and its ops.
void AddAnomaly(Verdict& v, std::string text, const std::vector<const Op*>& ops);

}  // namespace cairn::check
