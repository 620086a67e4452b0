#include "check/session.h"

#include <limits>
#include <map>
#include <optional>
#include <unordered_map>

namespace cairn::check {
namespace {

constexpr std::int64_t kNilVersion = std::numeric_limits<std::int64_t>::min();

struct KeyVersions {
  // value -> version of the write that wrote it (unique values assumed);
  // nullopt when the history has versions but that write reported none.
  std::unordered_map<std::int64_t, std::optional<std::int64_t>> by_value;
};

std::int64_t WrittenValue(const Op& op) { return op.f == Fn::kCas ? op.cas_new : op.value.value_or(0); }

// The version a write is judged by: its own, or (in a history without
// versions) its value; nullopt when the history has versions but this write
// has none (e.g. its client lost the connection before asking).
std::optional<std::int64_t> WriteVersion(const Op& op, bool versioned) {
  if (op.version) return op.version;
  if (versioned) return std::nullopt;
  return WrittenValue(op);
}

std::map<std::string, KeyVersions> IndexWrites(const History& h, bool versioned) {
  std::map<std::string, KeyVersions> index;
  for (const Op& op : h.ops) {
    if (op.fail() || (op.f != Fn::kWrite && op.f != Fn::kCas)) continue;
    index[op.key].by_value[WrittenValue(op)] = WriteVersion(op, versioned);
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
  bool versioned = false;
  for (const Op& op : h.ops) versioned = versioned || op.version.has_value();
  std::map<std::string, KeyVersions> writes = IndexWrites(h, versioned);
  std::map<std::pair<std::int64_t, std::string>, SessionState> sessions;
  std::size_t checked = 0, unjudged = 0;
  // h.ops is in invocation order, which is program order within a process.
  for (const Op& op : h.ops) {
    if (!op.ok()) continue;
    if (op.f == Fn::kAdd) {
      v.validity = Validity::kUnknown;
      v.summary = "line " + std::to_string(op.line) + ": the session checker handles registers, not add";
      return v;
    }
    SessionState& s = sessions[{op.process, op.key}];
    if (op.f != Fn::kRead) {
      std::optional<std::int64_t> version = WriteVersion(op, versioned);
      if (!version) {
        ++unjudged;
        continue;
      }
      ++checked;
      OnWrite(op, *version, s, v);
      continue;
    }
    std::optional<std::int64_t> version = kNilVersion;
    if (op.value) {
      const auto& by_value = writes[op.key].by_value;
      auto it = by_value.find(*op.value);
      if (it == by_value.end()) {
        ++checked;
        AddAnomaly(v, "read of a value never written: " + DescribeOp(op), {&op});
        continue;
      }
      version = it->second;
    }
    if (op.version) version = *op.version;
    if (!version) {  // it read a write whose version nobody knows
      ++unjudged;
      continue;
    }
    ++checked;
    OnRead(op, *version, s, v);
  }
  std::string counts = std::to_string(checked) + " ok ops in " + std::to_string(sessions.size()) +
                       " (client, key) sessions";
  if (unjudged > 0)
    counts += ", " + std::to_string(unjudged) + " without a known version not judged";
  v.summary = v.invalid() ? std::to_string(v.anomalies.size()) + " session anomalies; " + counts
                          : "session guarantees hold; " + counts;
  return v;
}

}  // namespace cairn::check
