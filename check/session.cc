#include "check/session.h"

#include <limits>
#include <map>
#include <unordered_map>

namespace cairn::check {
namespace {

constexpr std::int64_t kNilVersion = std::numeric_limits<std::int64_t>::min();

struct KeyVersions {
  // value -> version of the write that wrote it (unique values assumed).
  std::unordered_map<std::int64_t, std::int64_t> by_value;
};

std::int64_t WrittenValue(const Op& op) { return op.f == Fn::kCas ? op.cas_new : op.value.value_or(0); }

std::map<std::string, KeyVersions> IndexWrites(const History& h) {
  std::map<std::string, KeyVersions> index;
  for (const Op& op : h.ops) {
    if (op.fail() || (op.f != Fn::kWrite && op.f != Fn::kCas)) continue;
    std::int64_t value = WrittenValue(op);
    index[op.key].by_value[value] = op.version.value_or(value);
  }
  return index;
}

// Per (process, key) session state.
struct SessionState {
  const Op* last_write = nullptr;
  std::int64_t last_write_version = kNilVersion;
  const Op* max_read = nullptr;
  std::int64_t max_read_version = kNilVersion;
};

std::string Pair(const char* rule, const Op& earlier, const Op& later) {
  return std::string(rule) + ": " + DescribeOp(later) + " after " + DescribeOp(earlier);
}

void OnRead(const Op& op, std::int64_t version, SessionState& s, Verdict& v) {
  if (s.last_write != nullptr && version < s.last_write_version) {
    AddAnomaly(v, Pair("read-your-writes", *s.last_write, op), {s.last_write, &op});
  }
  if (s.max_read != nullptr && version < s.max_read_version) {
    AddAnomaly(v, Pair("monotonic reads", *s.max_read, op), {s.max_read, &op});
  }
  if (s.max_read == nullptr || version > s.max_read_version) {
    s.max_read = &op;
    s.max_read_version = version;
  }
}

void OnWrite(const Op& op, std::int64_t version, SessionState& s, Verdict& v) {
  if (s.last_write != nullptr && version <= s.last_write_version) {
    AddAnomaly(v, Pair("monotonic writes", *s.last_write, op), {s.last_write, &op});
  }
  if (s.max_read != nullptr && version <= s.max_read_version) {
    AddAnomaly(v, Pair("writes-follow-reads", *s.max_read, op), {s.max_read, &op});
  }
  s.last_write = &op;
  s.last_write_version = version;
}

}  // namespace

Verdict CheckSession(const History& h) {
  Verdict v;
  std::map<std::string, KeyVersions> writes = IndexWrites(h);
  std::map<std::pair<std::int64_t, std::string>, SessionState> sessions;
  std::size_t checked = 0;
  // h.ops is in invocation order, which is program order within a process.
  for (const Op& op : h.ops) {
    if (!op.ok()) continue;
    if (op.f == Fn::kAdd) {
      v.validity = Validity::kUnknown;
      v.summary = "line " + std::to_string(op.line) + ": the session checker handles registers, not add";
      return v;
    }
    SessionState& s = sessions[{op.process, op.key}];
    ++checked;
    if (op.f != Fn::kRead) {
      OnWrite(op, op.version.value_or(WrittenValue(op)), s, v);
      continue;
    }
    std::int64_t version = kNilVersion;
    if (op.value) {
      const auto& by_value = writes[op.key].by_value;
      auto it = by_value.find(*op.value);
      if (it == by_value.end()) {
        AddAnomaly(v, "read of a value never written: " + DescribeOp(op), {&op});
        continue;
      }
      version = it->second;
    }
    if (op.version) version = *op.version;
    OnRead(op, version, s, v);
  }
  std::string counts = std::to_string(checked) + " ok ops in " + std::to_string(sessions.size()) +
                       " (client, key) sessions";
  v.summary = v.invalid() ? std::to_string(v.anomalies.size()) + " session anomalies; " + counts
                          : "session guarantees hold; " + counts;
  return v;
}

}  // namespace cairn::check
