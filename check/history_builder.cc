#include "check/history_builder.h"

#include <algorithm>

namespace cairn::check {

HistoryBuilder& HistoryBuilder::Push(Op op, std::int64_t t0, std::int64_t t1, Outcome o) {
  op.outcome = o;
  op.invoke_ns = t0;
  op.observed_ns = t1;
  op.complete_ns = o == Outcome::kInfo ? kNeverNs : t1;
  op.line = static_cast<int>(ops_.size()) + 1;  // creation order breaks time ties
  ops_.push_back(std::move(op));
  return *this;
}

HistoryBuilder& HistoryBuilder::Write(std::int64_t p, const std::string& key, std::int64_t v,
                                      std::int64_t t0, std::int64_t t1, Outcome o) {
  Op op;
  op.process = p;
  op.f = Fn::kWrite;
  op.key = key;
  op.value = v;
  return Push(std::move(op), t0, t1, o);
}

HistoryBuilder& HistoryBuilder::Read(std::int64_t p, const std::string& key,
                                     std::optional<std::int64_t> v, std::int64_t t0, std::int64_t t1,
                                     Outcome o) {
  Op op;
  op.process = p;
  op.f = Fn::kRead;
  op.key = key;
  if (o == Outcome::kOk) op.value = v;
  return Push(std::move(op), t0, t1, o);
}

HistoryBuilder& HistoryBuilder::Cas(std::int64_t p, const std::string& key, std::int64_t old_value,
                                    std::int64_t new_value, std::int64_t t0, std::int64_t t1,
                                    Outcome o) {
  Op op;
  op.process = p;
  op.f = Fn::kCas;
  op.key = key;
  op.cas_old = old_value;
  op.cas_new = new_value;
  op.value = new_value;
  return Push(std::move(op), t0, t1, o);
}

HistoryBuilder& HistoryBuilder::Add(std::int64_t p, const std::string& key, std::int64_t v,
                                    std::int64_t t0, std::int64_t t1, Outcome o) {
  Op op;
  op.process = p;
  op.f = Fn::kAdd;
  op.key = key;
  op.value = v;
  return Push(std::move(op), t0, t1, o);
}

HistoryBuilder& HistoryBuilder::ReadSet(std::int64_t p, const std::string& key,
                                        std::vector<std::int64_t> elements, std::int64_t t0,
                                        std::int64_t t1) {
  Op op;
  op.process = p;
  op.f = Fn::kRead;
  op.key = key;
  op.has_elements = true;
  op.elements = std::move(elements);
  return Push(std::move(op), t0, t1, Outcome::kOk);
}

HistoryBuilder& HistoryBuilder::Version(std::int64_t version) {
  if (!ops_.empty()) ops_.back().version = version;
  return *this;
}

HistoryBuilder& HistoryBuilder::Nemesis(const std::string& kind, std::int64_t start_ns,
                                        std::int64_t stop_ns) {
  nemesis_.push_back(NemesisEvent{kind, "", start_ns, stop_ns});
  return *this;
}

History HistoryBuilder::Build() const {
  History h;
  h.ops = ops_;
  h.nemesis = nemesis_;
  std::stable_sort(h.ops.begin(), h.ops.end(), [](const Op& a, const Op& b) {
    if (a.invoke_ns != b.invoke_ns) return a.invoke_ns < b.invoke_ns;
    return a.line < b.line;
  });
  for (std::size_t i = 0; i < h.ops.size(); ++i) {
    h.ops[i].id = static_cast<int>(i);
    h.ops[i].line = 0;
  }
  return h;
}

}  // namespace cairn::check
