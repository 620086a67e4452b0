#include <algorithm>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include "check/workloads.h"

namespace cairn::check {
namespace {

struct ElementInfo {
  const Op* first_add = nullptr;        // earliest-invoked non-failed add
  const Op* failed_add = nullptr;
  // Earliest time after which every read must contain the element, and the
  // op that makes it so (an ok add's completion or an earlier read's).
  std::int64_t required_after_ns = kNeverNs;
  const Op* required_by = nullptr;
};

using Elements = std::unordered_map<std::int64_t, ElementInfo>;

void Require(ElementInfo& info, std::int64_t t, const Op* op) {
  if (t < info.required_after_ns) {
    info.required_after_ns = t;
    info.required_by = op;
  }
}

Elements IndexElements(const std::vector<const Op*>& ops) {
  Elements elements;
  for (const Op* op : ops) {
    if (op->f == Fn::kAdd) {
      ElementInfo& info = elements[op->value.value_or(0)];
      if (op->fail()) {
        info.failed_add = op;
        continue;
      }
      if (info.first_add == nullptr || op->invoke_ns < info.first_add->invoke_ns) info.first_add = op;
      if (op->ok()) Require(info, op->complete_ns, op);
    } else if (op->ok()) {
      for (std::int64_t e : op->elements) Require(elements[e], op->complete_ns, op);
    }
  }
  return elements;
}

void CheckPresentElements(const Op& read, Elements& elements, Verdict& v) {
  for (std::int64_t e : read.elements) {
    const ElementInfo& info = elements[e];
    std::string what = "set read contains " + std::to_string(e);
    if (info.first_add == nullptr) {
      const Op* blame = info.failed_add != nullptr ? info.failed_add : &read;
      AddAnomaly(v, what + (info.failed_add ? " whose add failed: " : " that was never added: ") +
                        DescribeOp(read), {blame, &read});
    } else if (info.first_add->invoke_ns > read.complete_ns) {
      AddAnomaly(v, what + " before its add was invoked: " + DescribeOp(read), {info.first_add, &read});
    }
  }
}

// Elements sorted by required_after_ns: a read must contain a prefix of them.
void CheckMissingElements(const Op& read, const std::vector<std::pair<std::int64_t, std::int64_t>>& order,
                          Elements& elements, Verdict& v) {
  std::unordered_set<std::int64_t> present(read.elements.begin(), read.elements.end());
  for (auto [t, e] : order) {
    if (t >= read.invoke_ns) break;
    if (present.count(e)) continue;
    const ElementInfo& info = elements[e];
    bool by_add = info.required_by->f == Fn::kAdd;
    AddAnomaly(v, "set read lacks " + std::to_string(e) +
                      (by_add ? ", acknowledged earlier (lost add): " : ", seen by an earlier read: ") +
                      DescribeOp(read), {info.required_by, &read});
  }
}

void CheckSetKey(const std::vector<const Op*>& ops, Verdict& v) {
  Elements elements = IndexElements(ops);
  std::vector<std::pair<std::int64_t, std::int64_t>> order;
  for (const auto& [e, info] : elements) {
    if (info.required_after_ns != kNeverNs) order.emplace_back(info.required_after_ns, e);
  }
  std::sort(order.begin(), order.end());
  for (const Op* op : ops) {
    if (op->f != Fn::kRead || !op->ok()) continue;
    CheckPresentElements(*op, elements, v);
    CheckMissingElements(*op, order, elements, v);
  }
}

}  // namespace

Verdict CheckSet(const History& h) {
  Verdict v;
  std::map<std::string, std::vector<const Op*>> by_key;
  for (const Op& op : h.ops) {
    bool scalar_read = op.f == Fn::kRead && op.ok() && !op.has_elements && op.value.has_value();
    if (op.f == Fn::kWrite || op.f == Fn::kCas || scalar_read) {
      v.validity = Validity::kUnknown;
      v.summary = "line " + std::to_string(op.line) + ": the set checker handles add and set reads only";
      return v;
    }
    by_key[op.key].push_back(&op);
  }
  for (const auto& [key, ops] : by_key) CheckSetKey(ops, v);
  std::string counts = std::to_string(by_key.size()) + " keys, " + std::to_string(h.ops.size()) + " ops";
  v.summary = v.invalid() ? std::to_string(v.anomalies.size()) + " set anomalies; " + counts
                          : "set reads consistent; " + counts;
  return v;
}

}  // namespace cairn::check
