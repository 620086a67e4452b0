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
// Write order within one write: term and vote first, then an installed
// snapshot (if any), then entries, then the commit index; so a torn write
// never keeps entries of a term whose hard state was lost, nor a commit index
// that covers entries it lost.
//
// Snapshots are written atomically (a temporary file, fsync, rename): a crash
// keeps the old snapshot or the new one, never a mix. A snapshot in a Ready
// (InstallSnapshot) is part of that Ready's write and is durable only after
// Sync(); a torn crash keeps it (with the log reset that goes with it) or
// not at all. A local snapshot (SaveSnapshot, before compacting the log) is
// durable at once.
//
// Thread-safety: none.

#include <cstddef>
#include <optional>
#include <vector>

#include "common/random.h"
#include "raft/raw_node.h"
#include "raft/types.h"
#include "sim/snapshot.h"

namespace cairn::sim {

class SimDisk {
 public:
  // Stages one Ready's write: hard state (if any), an installed snapshot
  // (which replaces the whole log), then entries, which replace the log from
  // entries[0].index on (ready.h rule 3).
  void Write(const std::optional<raft::HardState>& hard_state, const std::vector<raft::Entry>& entries,
             SnapshotPtr snapshot = nullptr);
  // Stores a snapshot of the local state machine durably and atomically and
  // drops the durable log up to its index (which must be durable here). Call
  // between Ready batches: no pending write may install a snapshot or
  // rewrite entries up to that index.
  void SaveSnapshot(SnapshotPtr snapshot);
  // Everything written so far becomes durable.
  void Sync();
  // The writes staged so far are numbered 1..written(); SyncThrough(n)
  // makes the first n durable and leaves later ones pending (a pipelined
  // driver's fsync covers the Readies written before it started).
  std::uint64_t written() const { return written_; }
  void SyncThrough(std::uint64_t n);
  // Loses the unsynced writes; with `torn`, a random prefix of them survives.
  void Crash(Random& random, bool torn);

  // What a node restarting now would read (applied = the snapshot's index:
  // the simulated state machine is restored from the snapshot).
  raft::RestoredState Restore() const;
  // The durable snapshot (nullptr: none).
  const SnapshotPtr& snapshot() const { return snapshot_; }

  const raft::HardState& durable_hard_state() const { return durable_.hard_state; }
  std::size_t durable_log_size() const { return durable_.entries.size(); }
  std::size_t unsynced_writes() const { return pending_.size(); }
  std::uint64_t syncs() const { return syncs_; }

 private:
  struct Write_ {
    std::optional<raft::HardState> hard_state;
    std::vector<raft::Entry> entries;
    SnapshotPtr snapshot;
  };
  void Apply(const Write_& w);  // onto the durable image

  raft::RestoredState durable_;
  SnapshotPtr snapshot_;  // its meta is durable_.snapshot
  std::vector<Write_> pending_;  // writes written_ - size + 1 .. written_
  std::uint64_t written_ = 0;
  std::uint64_t syncs_ = 0;
};

}  // namespace cairn::sim
