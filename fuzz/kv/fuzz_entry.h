#pragma once
// Entry point shared by the libFuzzer target and the corpus-replay gtest:
// decodes one kv log entry; if it decodes, re-encoding must decode to the same
// entry, and applying it to a fresh state machine (twice over, as two
// replicas) must succeed with identical replies and snapshots.

#include <string_view>
#include <vector>

#include "common/assert.h"
#include "kv/engine.h"
#include "kv/log_entry.h"
#include "kv/state_machine.h"

namespace cairn::kv::fuzz {

// Applies decodable `input` on two fresh replicas (which must agree), again
// at the next index, and checks a snapshot of the result restores exactly.
inline std::vector<resp::Value> ApplyOnReplicas(std::string_view input) {
  auto a = std::move(StateMachine::Open(std::make_unique<MemoryEngine>())).value();
  auto b = std::move(StateMachine::Open(std::make_unique<MemoryEngine>())).value();
  auto ra = a->Apply(1, input);
  auto rb = b->Apply(1, input);
  CAIRN_CHECK(ra.ok(), "a decodable entry must apply");
  CAIRN_CHECK(rb.ok());
  CAIRN_CHECK(*ra == *rb, "replicas disagree on replies");
  std::vector<resp::Value> first = std::move(*ra);
  // Apply it again at the next index: exercises ops against existing state.
  ra = a->Apply(2, input);
  CAIRN_CHECK(ra.ok());
  auto sa = a->Snapshot();
  CAIRN_CHECK(sa.ok());
  auto c = std::move(StateMachine::Open(std::make_unique<MemoryEngine>())).value();
  CAIRN_CHECK(c->Restore(*sa).ok(), "a snapshot must restore");
  CAIRN_CHECK(*c->Snapshot() == *sa, "restore changed the state");
  return first;
}

// A group (several entries in one, kv/log_entry.h) applies only if it splits
// and every member decodes; otherwise it is Corruption and changes nothing.
inline bool FuzzGroup(std::string_view input) {
  Result<std::vector<std::string_view>> members = SplitGroup(input);
  bool valid = members.ok();
  if (!valid) CAIRN_CHECK(members.status().code() == StatusCode::kCorruption);
  for (std::size_t i = 0; valid && i < members->size(); ++i) valid = Decode((*members)[i]).ok();
  if (!valid) {
    auto sm = std::move(StateMachine::Open(std::make_unique<MemoryEngine>())).value();
    auto r = sm->Apply(1, input);
    CAIRN_CHECK(!r.ok() && r.status().code() == StatusCode::kCorruption,
                "a bad group must be refused as Corruption");
    CAIRN_CHECK(sm->applied_index() == 0, "a refused group changed the state");
    return false;
  }
  CAIRN_CHECK(ApplyOnReplicas(input).size() == members->size(), "one reply per member");
  return true;
}

inline bool FuzzLogEntry(std::string_view input) {
  if (IsGroup(input)) return FuzzGroup(input);
  Result<LogEntry> entry = Decode(input);
  if (!entry.ok()) {
    CAIRN_CHECK(entry.status().code() == StatusCode::kCorruption);
    return false;
  }
  Result<LogEntry> again = Decode(Encode(*entry));
  CAIRN_CHECK(again.ok(), "re-encoded entry does not decode");
  CAIRN_CHECK(*again == *entry, "round trip changed the entry");
  ApplyOnReplicas(input);
  return true;
}

}  // namespace cairn::kv::fuzz
