#pragma once
// Entry point shared by the libFuzzer target and the corpus-replay gtest:
// decodes one kv log entry; if it decodes, re-encoding must decode to the same
// entry, and applying it to a fresh state machine (twice over, as two
// replicas) must succeed with identical replies and snapshots.

#include <string_view>

#include "common/assert.h"
#include "kv/engine.h"
#include "kv/log_entry.h"
#include "kv/state_machine.h"

namespace cairn::kv::fuzz {

inline bool FuzzLogEntry(std::string_view input) {
  Result<LogEntry> entry = Decode(input);
  if (!entry.ok()) {
    CAIRN_CHECK(entry.status().code() == StatusCode::kCorruption);
    return false;
  }
  Result<LogEntry> again = Decode(Encode(*entry));
  CAIRN_CHECK(again.ok(), "re-encoded entry does not decode");
  CAIRN_CHECK(*again == *entry, "round trip changed the entry");
  auto a = std::move(StateMachine::Open(std::make_unique<MemoryEngine>())).value();
  auto b = std::move(StateMachine::Open(std::make_unique<MemoryEngine>())).value();
  auto ra = a->Apply(1, input);
  auto rb = b->Apply(1, input);
  CAIRN_CHECK(ra.ok(), "a decodable entry must apply");
  CAIRN_CHECK(rb.ok());
  CAIRN_CHECK(*ra == *rb, "replicas disagree on replies");
  // Apply it again at the next index: exercises ops against existing state.
  ra = a->Apply(2, input);
  CAIRN_CHECK(ra.ok());
  auto sa = a->Snapshot();
  CAIRN_CHECK(sa.ok());
  auto c = std::move(StateMachine::Open(std::make_unique<MemoryEngine>())).value();
  CAIRN_CHECK(c->Restore(*sa).ok(), "a snapshot must restore");
  CAIRN_CHECK(*c->Snapshot() == *sa, "restore changed the state");
  return true;
}

}  // namespace cairn::kv::fuzz
