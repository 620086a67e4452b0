#pragma once
// SimDisk: one node's durable Raft state (hard state + log) as a disk would
// keep it: writes land in an unsynced part first, Sync() makes them durable,
// and a crash loses what was not synced.
//
// A crash may also "tear" the unsynced tail: a prefix of the pending writes
// survives (and of the first lost write, its hard state and a prefix of its
// entries). That is what a real disk may do, and it is allowed by the
// persistence contract, which only promises what was synced.
//
// Write order within one write: term and vote first, then entries, then the
// commit index; so a torn write never keeps entries of a term whose hard
// state was lost, nor a commit index that covers entries it lost.
//
// Thread-safety: none.

#include <cstddef>
#include <optional>
#include <vector>

#include "common/random.h"
#include "raft/raw_node.h"
#include "raft/types.h"

namespace cairn::sim {

class SimDisk {
 public:
  // Stages one Ready's write: hard state (if any), then entries, which
  // replace the log from entries[0].index on (ready.h rule 3).
  void Write(const std::optional<raft::HardState>& hard_state, const std::vector<raft::Entry>& entries);
  // Everything written so far becomes durable.
  void Sync();
  // Loses the unsynced writes; with `torn`, a random prefix of them survives.
  void Crash(Random& random, bool torn);

  // What a node restarting now would read.
  raft::RestoredState Restore() const;

  const raft::HardState& durable_hard_state() const { return durable_.hard_state; }
  std::size_t durable_log_size() const { return durable_.entries.size(); }
  std::size_t unsynced_writes() const { return pending_.size(); }
  std::uint64_t syncs() const { return syncs_; }

 private:
  struct Write_ {
    std::optional<raft::HardState> hard_state;
    std::vector<raft::Entry> entries;
  };
  static void ApplyTo(raft::RestoredState& image, const Write_& w);

  raft::RestoredState durable_;
  std::vector<Write_> pending_;
  std::uint64_t syncs_ = 0;
};

}  // namespace cairn::sim
