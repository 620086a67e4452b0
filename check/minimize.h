#pragma once
// Delta debugging (Zeller's ddmin, complement removal only): shrinks a failing
// list of ops to a smaller one that still fails. The result is 1-minimal
// (removing any single op makes it pass) when the check budget suffices.
//
// `fails` must be deterministic. Thread-safety: none needed (pure).

#include <cstdint>
#include <functional>
#include <vector>

#include "check/history.h"

namespace cairn::check {

struct MinimizeOptions {
  int checks_max = 2000;  // calls to `fails`, bounding the work
};

// `ops` must fail; returns a failing subset (in the original order).
std::vector<Op> Minimize(std::vector<Op> ops,
                         const std::function<bool(const std::vector<Op>&)>& fails,
                         const MinimizeOptions& options = {});

}  // namespace cairn::check
