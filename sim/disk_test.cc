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

SnapshotPtr Image(raft::Index index, raft::Term term) {
  std::vector<AppliedEntry> state;
  for (raft::Index i = 1; i <= index; ++i) state.push_back(AppliedEntry{term, i, "e" + std::to_string(i)});
  raft::SnapshotMeta meta;
  meta.index = index;
  meta.term = term;
  meta.membership.voters = {1, 2, 3};
  return MakeSnapshot(meta, std::move(state));
}

TEST(SimDisk, ALocalSnapshotIsDurableAtOnceAndCompactsTheLog) {
  SimDisk disk;
  Xoshiro256 rng(1);
  disk.Write(raft::HardState{1, 1, 6}, Entries(1, 6, 1));
  disk.Sync();
  disk.SaveSnapshot(Image(4, 1));
  disk.Crash(rng, /*torn=*/true);
  auto r = disk.Restore();
  ASSERT_TRUE(r.snapshot.has_value());
  EXPECT_EQ(r.snapshot->index, 4u);
  EXPECT_EQ(r.applied, 4u);
  ASSERT_EQ(r.entries.size(), 2u);
  EXPECT_EQ(r.entries.front().index, 5u);
  ASSERT_NE(disk.snapshot(), nullptr);
  EXPECT_EQ(disk.snapshot()->state.size(), 4u);
  // Entries after the snapshot still append (and replace) as before.
  disk.Write(std::nullopt, Entries(6, 8, 2));
  disk.Sync();
  EXPECT_EQ(disk.Restore().entries.back().index, 8u);
  EXPECT_EQ(disk.durable_log_size(), 4u);
}

// An InstallSnapshot write torn by a crash keeps the old snapshot with the
// old log, or the new snapshot with the log reset: never the new snapshot
// over the old log, nor entries that were to follow a snapshot it lost.
TEST(SimDisk, ACrashDuringAnInstallKeepsTheOldSnapshotOrTheNewOne) {
  bool saw_old = false;
  bool saw_new = false;
  for (std::uint64_t seed = 1; seed <= 300; ++seed) {
    SimDisk disk;
    Xoshiro256 rng(seed);
    disk.Write(raft::HardState{1, 1, 5}, Entries(1, 5, 1));
    disk.Sync();
    disk.SaveSnapshot(Image(3, 1));
    disk.Write(raft::HardState{2, 0, 20}, Entries(21, 22, 2), Image(20, 2));
    disk.Crash(rng, /*torn=*/true);
    auto r = disk.Restore();
    ASSERT_TRUE(r.snapshot.has_value());
    ASSERT_NE(disk.snapshot(), nullptr);
    EXPECT_EQ(disk.snapshot()->meta, *r.snapshot);
    if (r.snapshot->index == 3) {
      saw_old = true;
      ASSERT_EQ(r.entries.size(), 2u) << "seed " << seed;  // 4 and 5, untouched
      EXPECT_EQ(r.entries.front().index, 4u);
      EXPECT_LE(r.hard_state.commit, 5u);
    } else {
      saw_new = true;
      EXPECT_EQ(r.snapshot->index, 20u);
      for (std::size_t k = 0; k < r.entries.size(); ++k) EXPECT_EQ(r.entries[k].index, 21 + k);
    }
  }
  EXPECT_TRUE(saw_old);
  EXPECT_TRUE(saw_new);
}

}  // namespace
}  // namespace cairn::sim
