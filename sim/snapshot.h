#pragma once
// SnapshotImage: what a simulated node's state machine snapshot holds.
//
// The simulated state machine is the sequence of entries it applied, so a
// snapshot at index i is that sequence up to i (plus the core's metadata:
// index, term, membership). Keeping the whole sequence (not just a hash)
// lets the checkers compare a snapshot entry by entry with what every other
// node applied, and lets a node restored from one answer the final checks
// like any other. Images are immutable and shared (shared_ptr) between the
// disk that stores them, the network that carries them and the checkers.
//
// Thread-safety: immutable after MakeSnapshot.

#include <cstdint>
#include <memory>
#include <vector>

#include "raft/types.h"
#include "sim/checkers.h"

namespace cairn::sim {

struct SnapshotImage {
  raft::SnapshotMeta meta;
  std::vector<AppliedEntry> state;  // entries 1..meta.index, in index order
  std::uint64_t hash = 0;           // FNV-1a of state (readable in traces)
  std::uint64_t bytes = 0;          // modelled size on disk and on the wire
};
using SnapshotPtr = std::shared_ptr<const SnapshotImage>;

// Builds an image; `state` must hold exactly entries 1..meta.index.
SnapshotPtr MakeSnapshot(raft::SnapshotMeta meta, std::vector<AppliedEntry> state);

// "idx=40 term=3 hash=1a2b3c4d" for trace lines.
std::string DescribeSnapshot(const SnapshotImage& s);

}  // namespace cairn::sim
