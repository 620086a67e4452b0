#include "check/history.h"

#include <algorithm>
#include <map>
#include <sstream>

namespace cairn::check {

std::string_view FnName(Fn f) {
  switch (f) {
    case Fn::kRead: return "read";
    case Fn::kWrite: return "write";
    case Fn::kCas: return "cas";
    case Fn::kAdd: return "add";
  }
  return "?";
}

std::string_view OutcomeName(Outcome o) {
  switch (o) {
    case Outcome::kOk: return "ok";
    case Outcome::kFail: return "fail";
    case Outcome::kInfo: return "info";
  }
  return "?";
}

namespace {

Status LineError(int line, const std::string& what) {
  return Status::InvalidArgument("line " + std::to_string(line) + ": " + what);
}

Op OpFromInvoke(const Event& e) {
  Op op;
  op.process = e.process;
  op.f = e.f;
  op.key = e.key;
  op.outcome = Outcome::kInfo;
  if (e.f != Fn::kRead) op.value = e.value;
  op.cas_old = e.cas_old;
  op.cas_new = e.cas_new;
  op.invoke_ns = e.time_ns;
  op.complete_ns = kNeverNs;
  op.line = e.line;
  return op;
}

Status Complete(Op& op, const Event& e) {
  if (e.f != op.f || e.key != op.key) {
    return LineError(e.line, "completion (" + std::string(FnName(e.f)) + " " + e.key +
                                 ") does not match the invocation on line " +
                                 std::to_string(op.line));
  }
  if (e.time_ns < op.invoke_ns) return LineError(e.line, "completion earlier than its invocation");
  if (e.f != Fn::kRead && e.value.has_value() && op.value != e.value) {
    return LineError(e.line, "completion value differs from the invocation's");
  }
  if (e.f == Fn::kCas && e.value.has_value() &&
      (e.cas_old != op.cas_old || e.cas_new != op.cas_new)) {
    return LineError(e.line, "completion cas values differ from the invocation's");
  }
  op.outcome = e.type == EventType::kOk ? Outcome::kOk
               : e.type == EventType::kFail ? Outcome::kFail
                                            : Outcome::kInfo;
  op.complete_ns = op.outcome == Outcome::kInfo ? kNeverNs : e.time_ns;
  op.observed_ns = e.time_ns;
  op.version = e.version;
  if (e.f == Fn::kRead && op.outcome == Outcome::kOk) {
    op.value = e.value;
    op.has_elements = e.has_elements;
    op.elements = e.elements;
  }
  return Status::Ok();
}

}  // namespace

Result<History> BuildHistory(const std::vector<Event>& events, std::vector<NemesisEvent> nemesis) {
  History h;
  h.nemesis = std::move(nemesis);
  std::map<std::int64_t, Op> pending;  // process -> open invocation
  std::map<std::int64_t, std::int64_t> last_done_ns;  // process -> last completion
  std::vector<Op> done;
  for (const Event& e : events) {
    auto it = pending.find(e.process);
    if (e.type == EventType::kInvoke) {
      auto last = last_done_ns.find(e.process);
      if (last != last_done_ns.end() && e.time_ns < last->second) {
        return LineError(e.line, "invocation earlier than the process's previous completion");
      }
      if (it != pending.end()) {
        return LineError(e.line, "process " + std::to_string(e.process) +
                                     " invokes while its operation from line " +
                                     std::to_string(it->second.line) + " is pending");
      }
      pending.emplace(e.process, OpFromInvoke(e));
      continue;
    }
    if (it == pending.end()) {
      return LineError(e.line, "completion for process " + std::to_string(e.process) +
                                   " without a pending invocation");
    }
    CAIRN_RETURN_IF_ERROR(Complete(it->second, e));
    last_done_ns[e.process] = e.time_ns;
    done.push_back(std::move(it->second));
    pending.erase(it);
  }
  for (auto& [process, op] : pending) done.push_back(std::move(op));  // never completed: info
  std::stable_sort(done.begin(), done.end(), [](const Op& a, const Op& b) {
    if (a.invoke_ns != b.invoke_ns) return a.invoke_ns < b.invoke_ns;
    return a.line < b.line;
  });
  for (std::size_t i = 0; i < done.size(); ++i) done[i].id = static_cast<int>(i);
  h.ops = std::move(done);
  return h;
}

std::string DescribeOp(const Op& op) {
  std::ostringstream out;
  out << "#" << op.id << " p" << op.process << " " << FnName(op.f) << " " << op.key;
  if (op.f == Fn::kCas) {
    out << " " << op.cas_old << "->" << op.cas_new;
  } else if (op.has_elements) {
    out << " {";
    for (std::size_t i = 0; i < op.elements.size(); ++i) out << (i ? " " : "") << op.elements[i];
    out << "}";
  } else if (op.f != Fn::kRead || op.ok()) {
    if (op.value) {
      out << " " << *op.value;
    } else {
      out << " nil";
    }
  }
  if (op.version) out << " (v" << *op.version << ")";
  out << " " << OutcomeName(op.outcome) << " [" << op.invoke_ns << ", ";
  if (op.complete_ns == kNeverNs) {
    out << "never";
  } else {
    out << op.complete_ns;
  }
  out << "]";
  if (op.line > 0) out << " line " << op.line;
  return out.str();
}

std::string DescribeOps(const std::vector<Op>& ops) {
  std::vector<const Op*> sorted;
  for (const Op& op : ops) sorted.push_back(&op);
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const Op* a, const Op* b) { return a->invoke_ns < b->invoke_ns; });
  std::string out;
  for (const Op* op : sorted) out += "  " + DescribeOp(*op) + "\n";
  return out;
}

}  // namespace cairn::check
