#include <algorithm>
#include <map>
#include <unordered_set>

#include "check/workloads.h"

namespace cairn::check {
namespace {

// Ok reads invoked after every completed (ok or fail) mutation of the key.
std::vector<const Op*> FinalReads(const std::vector<const Op*>& ops) {
  std::int64_t last_done_ns = -1;
  for (const Op* op : ops) {
    if (op->f != Fn::kRead && !op->info()) last_done_ns = std::max(last_done_ns, op->complete_ns);
  }
  std::vector<const Op*> finals;
  for (const Op* op : ops) {
    if (op->f == Fn::kRead && op->ok() && op->invoke_ns > last_done_ns) finals.push_back(op);
  }
  return finals;
}

std::optional<std::int64_t> Written(const Op& op) {
  if (op.f == Fn::kCas) return op.cas_new;
  return op.value;
}

void CheckRegisterFinal(const Op& read, const std::vector<const Op*>& ops, Verdict& v) {
  std::vector<const Op*> writers;  // ops that may have produced the value read
  for (const Op* op : ops) {
    if (op->f != Fn::kRead && !op->fail() && read.value && Written(*op) == read.value) writers.push_back(op);
  }
  if (read.value && writers.empty()) {
    AddAnomaly(v, "final read returns a value never written: " + DescribeOp(read), {&read});
    return;
  }
  for (const Op* w : ops) {
    if (w->f == Fn::kRead || !w->ok()) continue;
    // w is lost if it started after every possible writer of the final value.
    bool after_all = std::all_of(writers.begin(), writers.end(),
                                 [&](const Op* x) { return x->Precedes(*w); });
    if (after_all) {
      std::vector<const Op*> blame = {w, &read};
      AddAnomaly(v, "acknowledged write lost: " + DescribeOp(*w) + "; final read: " + DescribeOp(read), blame);
    }
  }
}

void CheckSetFinal(const Op& read, const std::vector<const Op*>& ops, Verdict& v) {
  std::unordered_set<std::int64_t> present(read.elements.begin(), read.elements.end());
  for (const Op* add : ops) {
    if (add->f != Fn::kAdd || !add->ok() || present.count(add->value.value_or(0))) continue;
    AddAnomaly(v, "acknowledged add lost: " + DescribeOp(*add) + "; final read: " + DescribeOp(read),
               {add, &read});
  }
}

}  // namespace

Verdict CheckLost(const History& h) {
  Verdict v;
  std::map<std::string, std::vector<const Op*>> by_key;
  for (const Op& op : h.ops) by_key[op.key].push_back(&op);
  std::size_t keys_checked = 0;
  std::size_t keys_without_final = 0;
  std::size_t keys_counter = 0;
  for (const auto& [key, ops] : by_key) {
    bool has_add = std::any_of(ops.begin(), ops.end(), [](const Op* op) { return op->f == Fn::kAdd; });
    bool is_set = std::any_of(ops.begin(), ops.end(), [](const Op* op) { return op->has_elements; });
    if (has_add && !is_set && std::any_of(ops.begin(), ops.end(), [](const Op* op) { return op->value && op->f == Fn::kRead; })) {
      ++keys_counter;  // a counter: CheckCounter bounds its final read
      continue;
    }
    std::vector<const Op*> finals = FinalReads(ops);
    if (finals.empty()) {
      ++keys_without_final;
      continue;
    }
    ++keys_checked;
    for (const Op* read : finals) {
      if (is_set) {
        CheckSetFinal(*read, ops, v);
      } else {
        CheckRegisterFinal(*read, ops, v);
      }
    }
  }
  std::string counts = std::to_string(keys_checked) + " keys with a final read";
  if (keys_counter > 0) counts += ", " + std::to_string(keys_counter) + " counter keys (see the counter checker)";
  if (keys_without_final > 0) counts += ", " + std::to_string(keys_without_final) + " keys without one (not checked)";
  if (v.invalid()) {
    v.summary = std::to_string(v.anomalies.size()) + " lost-write anomalies; " + counts;
  } else if (keys_checked == 0) {
    v.validity = Validity::kUnknown;
    v.summary = "no key has a final read; " + counts;
  } else {
    v.summary = "no acknowledged write lost; " + counts;
  }
  return v;
}

}  // namespace cairn::check
