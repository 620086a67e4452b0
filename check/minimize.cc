#include "check/minimize.h"

#include <algorithm>

namespace cairn::check {

std::vector<Op> Minimize(std::vector<Op> ops,
                         const std::function<bool(const std::vector<Op>&)>& fails,
                         const MinimizeOptions& options) {
  int checks = 0;
  std::size_t parts = 2;
  while (ops.size() >= 2 && checks < options.checks_max) {
    std::size_t chunk = (ops.size() + parts - 1) / parts;
    bool shrunk = false;
    for (std::size_t start = 0; start < ops.size() && checks < options.checks_max; start += chunk) {
      std::vector<Op> candidate;
      candidate.reserve(ops.size());
      for (std::size_t i = 0; i < ops.size(); ++i) {
        if (i < start || i >= start + chunk) candidate.push_back(ops[i]);
      }
      ++checks;
      if (fails(candidate)) {
        ops = std::move(candidate);
        parts = std::max<std::size_t>(parts - 1, 2);
        shrunk = true;
        break;
      }
    }
    if (shrunk) continue;
    if (parts >= ops.size()) break;  // single-op removals all pass: 1-minimal
    parts = std::min(parts * 2, ops.size());
  }
  return ops;
}

}  // namespace cairn::check
