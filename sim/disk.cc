#include "sim/disk.h"

#include "common/assert.h"

namespace cairn::sim {

void SimDisk::Apply(const Write_& w) {
  if (w.hard_state) durable_.hard_state = *w.hard_state;
  if (w.snapshot) {
    snapshot_ = w.snapshot;
    durable_.snapshot = w.snapshot->meta;
    durable_.entries.clear();  // the log restarts after the snapshot
  }
  if (w.entries.empty()) return;
  const raft::Index base = durable_.snapshot ? durable_.snapshot->index : 0;
  const raft::Index from = w.entries.front().index;
  CAIRN_CHECK(from > base, "write below the snapshot");
  CAIRN_CHECK(from <= base + durable_.entries.size() + 1, "write leaves a gap in the log");
  durable_.entries.resize(from - base - 1);
  durable_.entries.insert(durable_.entries.end(), w.entries.begin(), w.entries.end());
}

void SimDisk::Write(const std::optional<raft::HardState>& hard_state,
                    const std::vector<raft::Entry>& entries, SnapshotPtr snapshot) {
  if (!hard_state && entries.empty() && !snapshot) return;
  pending_.push_back(Write_{hard_state, entries, std::move(snapshot)});
  ++written_;
}

void SimDisk::SaveSnapshot(SnapshotPtr snapshot) {
  const raft::Index base = durable_.snapshot ? durable_.snapshot->index : 0;
  const raft::Index i = snapshot->meta.index;
  if (i <= base) return;
  // Unsynced writes (commit-index updates need no fsync) stay pending on top.
  for (const Write_& w : pending_) {
    CAIRN_CHECK(w.snapshot == nullptr, "local snapshot while an install is pending");
    if (!w.entries.empty()) CAIRN_CHECK(w.entries.front().index > i, "local snapshot over unsynced entries");
  }
  CAIRN_CHECK(i <= base + durable_.entries.size(), "snapshot beyond the durable log");
  CAIRN_CHECK(durable_.entries[i - base - 1].term == snapshot->meta.term, "snapshot term differs from the log");
  durable_.entries.erase(durable_.entries.begin(), durable_.entries.begin() + static_cast<std::ptrdiff_t>(i - base));
  durable_.snapshot = snapshot->meta;
  snapshot_ = std::move(snapshot);
}

void SimDisk::Sync() { SyncThrough(written_); }

void SimDisk::SyncThrough(std::uint64_t n) {
  const std::uint64_t first = written_ - pending_.size() + 1;  // number of pending_[0]
  std::size_t k = 0;
  for (; k < pending_.size() && first + k <= n; ++k) Apply(pending_[k]);
  pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(k));
  ++syncs_;
}

void SimDisk::Crash(Random& random, bool torn) {
  if (torn && !pending_.empty()) {
    const std::size_t kept = random.Uniform(pending_.size() + 1);
    for (std::size_t k = 0; k < kept; ++k) Apply(pending_[k]);
    if (kept < pending_.size() && random.OneIn(2)) {
      // The first lost write is torn: its term and vote (written first) and
      // a prefix of its entries made it, but not its commit index, which is
      // written last: a commit index must never cover entries that did not
      // reach the disk (they may differ from what was committed there).
      // Its snapshot (renamed into place whole, or not) survives or not;
      // without it, none of the entries that follow it do.
      Write_ partial = pending_[kept];
      const std::size_t n = partial.entries.size();
      const bool snapshot_lost = partial.snapshot && random.OneIn(2);
      if (snapshot_lost) partial.snapshot.reset();
      partial.entries.resize(snapshot_lost ? 0 : random.Uniform(n + 1));
      if (partial.hard_state && (partial.entries.size() < n || snapshot_lost)) {
        partial.hard_state->commit = durable_.hard_state.commit;
      }
      Apply(partial);
    }
  }
  pending_.clear();
}

raft::RestoredState SimDisk::Restore() const {
  raft::RestoredState r = durable_;
  r.applied = r.snapshot ? r.snapshot->index : 0;
  return r;
}

}  // namespace cairn::sim
