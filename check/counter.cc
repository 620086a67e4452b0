#include "check/workloads.h"

#include <algorithm>
#include <limits>
#include <map>
#include <string>

namespace cairn::check {
namespace {

// 128-bit sums: deltas are arbitrary int64 from the file, and their sums
// must not overflow (a checker never has undefined behaviour on bad data).
using Sum = __int128;

std::string SumText(Sum x) {
  if (x >= std::numeric_limits<std::int64_t>::min() && x <= std::numeric_limits<std::int64_t>::max()) {
    return std::to_string(static_cast<std::int64_t>(x));
  }
  return x < 0 ? "-huge" : "huge";
}

struct SortedSums {
  std::vector<std::int64_t> times;  // ascending
  std::vector<Sum> pos;             // prefix sums of positive deltas
  std::vector<Sum> neg;             // prefix sums of negative deltas

  // Ops with time < t (strict) or <= t.
  std::size_t CountBefore(std::int64_t t, bool inclusive) const {
    auto it = inclusive ? std::upper_bound(times.begin(), times.end(), t)
                        : std::lower_bound(times.begin(), times.end(), t);
    return static_cast<std::size_t>(it - times.begin());
  }
};

SortedSums Build(std::vector<std::pair<std::int64_t, std::int64_t>> time_delta) {
  std::sort(time_delta.begin(), time_delta.end());
  SortedSums s;
  s.pos.push_back(0);
  s.neg.push_back(0);
  for (auto [t, d] : time_delta) {
    s.times.push_back(t);
    s.pos.push_back(s.pos.back() + std::max<Sum>(d, 0));
    s.neg.push_back(s.neg.back() + std::min<Sum>(d, 0));
  }
  return s;
}

void CheckCounterKey(const std::vector<const Op*>& ops, Verdict& v, std::string* last_bounds) {
  std::vector<std::pair<std::int64_t, std::int64_t>> must;  // (complete, delta)
  std::vector<std::pair<std::int64_t, std::int64_t>> may;   // (invoke, delta)
  for (const Op* op : ops) {
    if (op->f != Fn::kAdd || op->fail()) continue;
    if (op->ok()) must.emplace_back(op->complete_ns, op->value.value_or(0));
    may.emplace_back(op->invoke_ns, op->value.value_or(0));
  }
  SortedSums must_sums = Build(std::move(must));
  SortedSums may_sums = Build(std::move(may));
  for (const Op* op : ops) {
    if (op->f != Fn::kRead || !op->ok()) continue;
    std::size_t m = must_sums.CountBefore(op->invoke_ns, /*inclusive=*/false);
    std::size_t p = may_sums.CountBefore(op->complete_ns, /*inclusive=*/true);
    Sum lo = must_sums.pos[m] + may_sums.neg[p];
    Sum hi = must_sums.neg[m] + may_sums.pos[p];
    std::int64_t got = op->value.value_or(0);
    std::string bounds = "[" + SumText(lo) + ", " + SumText(hi) + "]";
    *last_bounds = "key " + op->key + " last read " + std::to_string(got) + " in " + bounds;
    if (got < lo || got > hi) {
      AddAnomaly(v, "counter read " + std::to_string(got) + " outside " + bounds + ": " + DescribeOp(*op),
                 {op});
    }
  }
}

}  // namespace

Verdict CheckCounter(const History& h) {
  Verdict v;
  std::map<std::string, std::vector<const Op*>> by_key;
  for (const Op& op : h.ops) {
    if (op.f == Fn::kWrite || op.f == Fn::kCas || op.has_elements) {
      v.validity = Validity::kUnknown;
      v.summary = "line " + std::to_string(op.line) + ": the counter checker handles add and integer reads only";
      return v;
    }
    by_key[op.key].push_back(&op);
  }
  std::string last_bounds;
  for (const auto& [key, ops] : by_key) CheckCounterKey(ops, v, &last_bounds);
  std::string counts = std::to_string(by_key.size()) + " keys, " + std::to_string(h.ops.size()) + " ops";
  if (!last_bounds.empty()) counts += "; " + last_bounds;
  v.summary = v.invalid() ? std::to_string(v.anomalies.size()) + " counter reads out of bounds; " + counts
                          : "counter reads within bounds; " + counts;
  return v;
}

}  // namespace cairn::check
