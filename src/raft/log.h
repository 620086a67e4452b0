#pragma once
// RaftLog: the in-memory view of one node's log, and the bookkeeping of which
// part is committed, handed out for persisting, durable, and applied.
//
// Invariants (checked by CAIRN_CHECK):
//   entries are contiguous: entries_[k].index == first_index() + k;
//   terms never decrease along the log;
//   applied <= committed <= last_index();
//   stable <= last_index(); unstable_from <= last_index() + 1;
//   committed never decreases; a committed entry is never truncated.
//
// Thread-safety: none (owned by one RawNode).

#include <cstddef>
#include <deque>
#include <optional>
#include <vector>

#include "raft/types.h"

namespace cairn::raft {

class RaftLog {
 public:
  // `restored` must be contiguous from snapshot_index + 1 (the caller
  // validates). `applied` is what the state machine already holds.
  RaftLog(Index snapshot_index, Term snapshot_term, std::vector<Entry> restored, Index committed,
          Index applied);

  // Entries up to snapshot_index() are compacted away; the log holds
  // (snapshot_index, last_index].
  Index snapshot_index() const { return snapshot_index_; }
  Term snapshot_term() const { return snapshot_term_; }
  Index first_index() const { return snapshot_index_ + 1; }
  Index last_index() const { return snapshot_index_ + entries_.size(); }
  Term last_term() const { return entries_.empty() ? snapshot_term_ : entries_.back().term; }
  // Term of the entry at `i`: known for snapshot_index <= i <= last;
  // nullopt when compacted away or past the end.
  std::optional<Term> term(Index i) const;
  std::size_t size() const { return entries_.size(); }
  bool Matches(Index i, Term t) const { return term(i) == t; }
  const Entry& at(Index i) const;

  Index committed() const { return committed_; }
  Index applied() const { return applied_; }
  Index stable() const { return stable_; }

  // The first index in `entries` whose term differs from ours, or that we do
  // not have; 0 if we have them all. Entries must be contiguous.
  Index FindConflict(const std::vector<Entry>& entries) const;
  // Largest j <= i with term(j) <= t (0 if none): where a leader and a
  // follower can resume after a mismatch, skipping a whole term at a time.
  Index FindConflictByTerm(Index i, Term t) const;

  // Appends contiguous entries starting at entries[0].index <= last + 1,
  // truncating any suffix from there. Never truncates committed entries.
  void TruncateAndAppend(std::vector<Entry> entries);
  void Append(Entry entry);  // index must be last + 1

  // Entries in [lo, hi) limited by count and bytes (at least one if any).
  std::vector<Entry> Slice(Index lo, Index hi, std::size_t entries_max,
                           std::size_t bytes_max) const;

  void CommitTo(Index i);  // no-op if i <= committed; i must be <= last
  bool HasUnstable() const { return unstable_from_ <= last_index(); }
  std::vector<Entry> TakeUnstable();  // hands out entries to persist
  void StableTo(Index i, Term t);     // entries up to (i, t) are durable

  // Index up to which entries may be applied: committed and durable here.
  // `apply_uncommitted` is the injected kApplyBeforeCommit bug.
  Index ApplyLimit(bool apply_uncommitted) const;
  bool HasToApply(bool apply_uncommitted) const { return ApplyLimit(apply_uncommitted) > applied_; }
  std::vector<Entry> TakeToApply(bool apply_uncommitted);

  // Drops entries up to `i` (<= applied and <= stable) after the state
  // machine was snapshotted there.
  void CompactTo(Index i);
  // Replaces the whole log with a snapshot at (i, t): everything up to i is
  // committed, applied and durable. `allow_backwards` is the injected
  // kInstallOlderSnapshot bug; without it i must be beyond committed.
  void RestoreSnapshot(Index i, Term t, bool allow_backwards);

 private:
  void CheckInvariants() const;

  Index snapshot_index_ = 0;
  Term snapshot_term_ = 0;
  std::deque<Entry> entries_;
  Index committed_ = 0;
  Index applied_ = 0;
  Index stable_ = 0;
  Index unstable_from_ = 1;
};

}  // namespace cairn::raft
