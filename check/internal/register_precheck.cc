#include "check/internal/register_precheck.h"

#include <algorithm>
#include <unordered_map>

namespace cairn::check::internal {
namespace {

std::optional<std::int64_t> Written(const Op& op) {
  if (op.f == Fn::kCas) return op.cas_new;
  if (op.f == Fn::kWrite) return op.value;
  return std::nullopt;
}

// Ok writes/cas by invocation, with the earliest completion among each suffix.
class DefiniteWrites {
 public:
  explicit DefiniteWrites(const std::vector<Op>& ops) {
    for (const Op& op : ops) {
      if (op.ok() && Written(op)) writes_.push_back(&op);
    }
    std::sort(writes_.begin(), writes_.end(),
              [](const Op* a, const Op* b) { return a->invoke_ns < b->invoke_ns; });
    suffix_min_.resize(writes_.size());
    for (std::size_t i = writes_.size(); i-- > 0;) {
      suffix_min_[i] = writes_[i];
      if (i + 1 < writes_.size() && suffix_min_[i + 1]->complete_ns < writes_[i]->complete_ns) {
        suffix_min_[i] = suffix_min_[i + 1];
      }
    }
  }

  // The ok write invoked after `after_ns` that completed first, if any.
  const Op* EarliestDoneInvokedAfter(std::int64_t after_ns) const {
    auto it = std::upper_bound(writes_.begin(), writes_.end(), after_ns,
                               [](std::int64_t t, const Op* w) { return t < w->invoke_ns; });
    if (it == writes_.end()) return nullptr;
    return suffix_min_[static_cast<std::size_t>(it - writes_.begin())];
  }

 private:
  std::vector<const Op*> writes_;
  std::vector<const Op*> suffix_min_;
};

RegisterViolation Witness(std::string what, std::vector<const Op*> ops) {
  std::sort(ops.begin(), ops.end(), [](const Op* a, const Op* b) { return a->invoke_ns < b->invoke_ns; });
  RegisterViolation v{std::move(what), {}};
  for (const Op* op : ops) v.ops.push_back(*op);
  return v;
}

std::optional<RegisterViolation> CheckRead(const Op& r, std::optional<std::int64_t> seen,
                                           const std::unordered_multimap<std::int64_t, const Op*>& writers,
                                           const DefiniteWrites& definite) {
  if (!seen) {
    const Op* w = definite.EarliestDoneInvokedAfter(-1);
    if (w != nullptr && w->Precedes(r)) return Witness("nil read after a completed write", {w, &r});
    return std::nullopt;
  }
  auto [begin, end] = writers.equal_range(*seen);
  if (begin == end) return Witness("read of a value never written", {&r});
  bool any_possible = std::any_of(begin, end, [&](const auto& kv) { return !r.Precedes(*kv.second); });
  if (!any_possible) return Witness("read from the future", {begin->second, &r});
  if (std::next(begin) != end) return std::nullopt;  // value written twice: no claim
  const Op* w = begin->second;
  if (w->complete_ns == kNeverNs) return std::nullopt;
  const Op* later = definite.EarliestDoneInvokedAfter(w->complete_ns);
  if (later != nullptr && later->Precedes(r)) return Witness("stale read", {w, later, &r});
  return std::nullopt;
}

}  // namespace

std::optional<RegisterViolation> FindRegisterViolation(const std::vector<Op>& ops) {
  std::unordered_multimap<std::int64_t, const Op*> writers;
  for (const Op& op : ops) {
    if (!op.fail() && Written(op)) writers.emplace(*Written(op), &op);
  }
  DefiniteWrites definite(ops);
  for (const Op& op : ops) {
    if (!op.ok()) continue;
    std::optional<RegisterViolation> v;
    if (op.f == Fn::kRead) v = CheckRead(op, op.value, writers, definite);
    if (op.f == Fn::kCas) v = CheckRead(op, op.cas_old, writers, definite);
    if (v) return v;
  }
  return std::nullopt;
}

}  // namespace cairn::check::internal
