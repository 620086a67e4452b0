#include "sim/disk.h"

#include <gtest/gtest.h>

namespace cairn::sim {
namespace {

std::vector<raft::Entry> Entries(raft::Index from, raft::Index to, raft::Term term) {
  std::vector<raft::Entry> out;
  for (raft::Index i = from; i <= to; ++i) out.push_back(raft::Entry{term, i, raft::EntryType::kNormal, "e" + std::to_string(i)});
  return out;
}

TEST(SimDisk, SyncedWritesSurviveACrashUnsyncedOnesDoNot) {
  SimDisk disk;
  Xoshiro256 rng(1);
  disk.Write(raft::HardState{2, 1, 0}, Entries(1, 3, 2));
  disk.Sync();
  disk.Write(raft::HardState{3, 2, 3}, Entries(4, 5, 3));
  EXPECT_EQ(disk.unsynced_writes(), 1u);
  disk.Crash(rng, /*torn=*/false);
  auto r = disk.Restore();
  EXPECT_EQ(r.hard_state, (raft::HardState{2, 1, 0}));
  ASSERT_EQ(r.entries.size(), 3u);
  EXPECT_EQ(r.entries.back().index, 3u);
}

TEST(SimDisk, AWriteFromAnEarlierIndexTruncatesTheLog) {
  SimDisk disk;
  disk.Write(std::nullopt, Entries(1, 5, 1));
  disk.Write(raft::HardState{2, 0, 0}, Entries(3, 4, 2));
  disk.Sync();
  auto r = disk.Restore();
  ASSERT_EQ(r.entries.size(), 4u);
  EXPECT_EQ(r.entries[2].term, 2u);
  EXPECT_EQ(r.entries[3].index, 4u);
}

TEST(SimDisk, ATornCrashKeepsAPrefixOfTheUnsyncedWrites) {
  bool saw_partial = false;
  bool saw_none = false;
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    SimDisk disk;
    Xoshiro256 rng(seed);
    disk.Write(raft::HardState{1, 1, 0}, Entries(1, 2, 1));
    disk.Sync();
    disk.Write(raft::HardState{2, 2, 0}, Entries(3, 6, 2));
    disk.Write(std::nullopt, Entries(7, 9, 2));
    disk.Crash(rng, /*torn=*/true);
    auto r = disk.Restore();
    // Always a prefix of what was written, never a gap or a foreign entry.
    for (std::size_t k = 0; k < r.entries.size(); ++k) EXPECT_EQ(r.entries[k].index, k + 1);
    EXPECT_GE(r.entries.size(), 2u);
    EXPECT_LE(r.entries.size(), 9u);
    // Entries of term 2 never survive without the hard state that names term 2.
    if (r.entries.size() > 2) {
      EXPECT_EQ(r.hard_state.term, 2u);
    }
    saw_partial |= r.entries.size() > 2 && r.entries.size() < 9;
    saw_none |= r.entries.size() == 2;
  }
  EXPECT_TRUE(saw_partial);
  EXPECT_TRUE(saw_none);
}

TEST(SimDisk, ATornCrashNeverKeepsACommitIndexBeyondTheEntriesItKept) {
  // Found by seed 6974: a commit index written before its batch's entries
  // survived a tear while the entries did not, so the restored commit index
  // covered older, different entries.
  for (std::uint64_t seed = 1; seed <= 300; ++seed) {
    SimDisk disk;
    Xoshiro256 rng(seed);
    disk.Write(raft::HardState{1, 1, 2}, Entries(1, 4, 1));
    disk.Sync();
    disk.Write(raft::HardState{2, 0, 6}, Entries(3, 6, 2));  // replaces 3-4, commits to 6
    disk.Crash(rng, /*torn=*/true);
    auto r = disk.Restore();
    if (r.hard_state.commit == 6) {
      ASSERT_EQ(r.entries.size(), 6u) << "seed " << seed;
      EXPECT_EQ(r.entries[5].term, 2u);
    } else {
      EXPECT_EQ(r.hard_state.commit, 2u) << "seed " << seed;
    }
  }
}

}  // namespace
}  // namespace cairn::sim
