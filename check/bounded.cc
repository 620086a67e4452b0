#include "check/bounded.h"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <map>
#include <optional>
#include <unordered_map>

namespace cairn::check {
namespace {

constexpr std::int64_t kNilVersion = std::numeric_limits<std::int64_t>::min();

std::int64_t WrittenValue(const Op& op) {
  return op.f == Fn::kCas ? op.cas_new : op.value.value_or(0);
}

// One key's ok versioned writes by completion time, with the running
// maximum of their versions: the newest write any read invoked after a
// given moment must reflect is found by one binary search.
struct KeyWrites {
  std::unordered_map<std::int64_t, std::optional<std::int64_t>> version_by_value;
  std::vector<const Op*> by_completion;
  std::vector<const Op*> newest_so_far;  // [i]: highest version among by_completion[0..i]
};

std::map<std::string, KeyWrites> IndexWrites(const History& h) {
  std::map<std::string, KeyWrites> keys;
  for (const Op& op : h.ops) {
    if (op.fail() || (op.f != Fn::kWrite && op.f != Fn::kCas)) continue;
    KeyWrites& k = keys[op.key];
    k.version_by_value[WrittenValue(op)] = op.version;
    if (op.ok() && op.version) k.by_completion.push_back(&op);
  }
  for (auto& [key, k] : keys) {
    std::stable_sort(k.by_completion.begin(), k.by_completion.end(),
                     [](const Op* a, const Op* b) { return a->complete_ns < b->complete_ns; });
    const Op* newest = nullptr;
    for (const Op* w : k.by_completion) {
      if (newest == nullptr || *w->version > *newest->version) newest = w;
      k.newest_so_far.push_back(newest);
    }
  }
  return keys;
}

// The highest-versioned ok write of `k` that completed before `before_ns`.
const Op* NewestCompletedBefore(const KeyWrites& k, std::int64_t before_ns) {
  auto it = std::lower_bound(k.by_completion.begin(), k.by_completion.end(), before_ns,
                             [](const Op* w, std::int64_t t) { return w->complete_ns < t; });
  if (it == k.by_completion.begin()) return nullptr;
  return k.newest_so_far[static_cast<std::size_t>(it - k.by_completion.begin()) - 1];
}

}  // namespace

Verdict CheckBounded(const History& h, std::int64_t bound_ns) {
  Verdict v;
  bool versioned = false;
  for (const Op& op : h.ops) {
    if (op.f == Fn::kAdd) {
      v.validity = Validity::kUnknown;
      v.summary =
          "line " + std::to_string(op.line) + ": the bounded checker handles registers, not add";
      return v;
    }
    versioned = versioned || op.version.has_value();
  }
  if (!versioned) {
    v.validity = Validity::kUnknown;
    v.summary = "no op has a version: the bounded checker needs the server's write versions";
    return v;
  }
  const std::map<std::string, KeyWrites> writes = IndexWrites(h);
  static const KeyWrites kNoWrites;
  std::size_t checked = 0, unjudged = 0;
  for (const Op& op : h.ops) {
    if (!op.ok() || op.f != Fn::kRead) continue;
    auto kit = writes.find(op.key);
    const KeyWrites& k = kit == writes.end() ? kNoWrites : kit->second;
    std::int64_t version = kNilVersion;
    if (op.value) {
      auto it = k.version_by_value.find(*op.value);
      if (it == k.version_by_value.end()) {
        ++checked;
        AddAnomaly(v, "read of a value never written: " + DescribeOp(op), {&op});
        continue;
      }
      if (!it->second) {  // its write's place in the order is unknown
        ++unjudged;
        continue;
      }
      version = *it->second;
    }
    ++checked;
    // Saturating: a bound longer than the history judges nothing.
    const std::int64_t before = op.invoke_ns > std::numeric_limits<std::int64_t>::min() + bound_ns
                                    ? op.invoke_ns - bound_ns
                                    : std::numeric_limits<std::int64_t>::min();
    const Op* missed = NewestCompletedBefore(k, before);
    if (missed != nullptr && *missed->version > version) {
      // In double: a history built in code may hold any int64 times.
      const double late_ms =
          (static_cast<double>(op.invoke_ns) - static_cast<double>(missed->complete_ns)) / 1e6;
      char ms[32];
      std::snprintf(ms, sizeof ms, "%.1f", late_ms);
      AddAnomaly(v,
                 "stale beyond the bound: " + DescribeOp(op) + " misses " + DescribeOp(*missed) +
                     " (version " + std::to_string(*missed->version) + "), acknowledged " + ms +
                     " ms before the read began",
                 {missed, &op});
    }
  }
  std::size_t versionless = 0;
  for (const Op& op : h.ops) {
    if (op.ok() && op.f != Fn::kRead && !op.version) ++versionless;
  }
  std::string counts = std::to_string(checked) + " ok reads judged";
  if (unjudged > 0)
    counts += ", " + std::to_string(unjudged) + " reads of writes without a version not judged";
  if (versionless > 0)
    counts += ", " + std::to_string(versionless) + " ok writes without a version";
  v.summary = v.invalid()
                  ? std::to_string(v.anomalies.size()) + " reads beyond the bound; " + counts
                  : "every read within the bound; " + counts;
  return v;
}

}  // namespace cairn::check
