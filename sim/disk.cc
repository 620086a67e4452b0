#include "sim/disk.h"

#include "common/assert.h"

namespace cairn::sim {

void SimDisk::ApplyTo(raft::RestoredState& image, const Write_& w) {
  if (w.hard_state) image.hard_state = *w.hard_state;
  if (w.entries.empty()) return;
  const raft::Index from = w.entries.front().index;
  CAIRN_CHECK(from >= 1);
  CAIRN_CHECK(from <= image.entries.size() + 1, "write leaves a gap in the log");
  image.entries.resize(from - 1);
  image.entries.insert(image.entries.end(), w.entries.begin(), w.entries.end());
}

void SimDisk::Write(const std::optional<raft::HardState>& hard_state,
                    const std::vector<raft::Entry>& entries) {
  if (!hard_state && entries.empty()) return;
  pending_.push_back(Write_{hard_state, entries});
}

void SimDisk::Sync() {
  for (const Write_& w : pending_) ApplyTo(durable_, w);
  pending_.clear();
  ++syncs_;
}

void SimDisk::Crash(Random& random, bool torn) {
  if (torn && !pending_.empty()) {
    const std::size_t kept = random.Uniform(pending_.size() + 1);
    for (std::size_t k = 0; k < kept; ++k) ApplyTo(durable_, pending_[k]);
    if (kept < pending_.size() && random.OneIn(2)) {
      // The first lost write is torn: its term and vote (written first) and
      // a prefix of its entries made it, but not its commit index, which is
      // written last: a commit index must never cover entries that did not
      // reach the disk (they may differ from what was committed there).
      Write_ partial = pending_[kept];
      const std::size_t n = partial.entries.size();
      partial.entries.resize(random.Uniform(n + 1));
      if (partial.hard_state && partial.entries.size() < n) {
        partial.hard_state->commit = durable_.hard_state.commit;
      }
      ApplyTo(durable_, partial);
    }
  }
  pending_.clear();
}

raft::RestoredState SimDisk::Restore() const { return durable_; }

}  // namespace cairn::sim
