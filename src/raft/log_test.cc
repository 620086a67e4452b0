#include "raft/log.h"

#include <gtest/gtest.h>

namespace cairn::raft {
namespace {

std::vector<Entry> Entries(std::initializer_list<std::pair<Index, Term>> its) {
  std::vector<Entry> out;
  for (auto [i, t] : its) out.push_back(Entry{t, i, EntryType::kNormal, "e" + std::to_string(i)});
  return out;
}

// An entry handed out to persist, to send and to apply shares the log's
// bytes (Payload): the hot path copies pointers, never the commands.
TEST(RaftLogTest, HandedOutEntriesShareTheLogsBytes) {
  RaftLog log(0, 0, {}, 0, 0);
  log.Append(Entry{1, 1, EntryType::kNormal, std::string(1000, 'x')});
  const char* bytes = log.at(1).data.data();
  auto unstable = log.TakeUnstable();
  ASSERT_EQ(unstable.size(), 1u);
  EXPECT_EQ(unstable[0].data.data(), bytes);
  EXPECT_EQ(log.Slice(1, 2, 10, 1 << 20)[0].data.data(), bytes);
  log.StableTo(1, 1);
  log.CommitTo(1);
  auto applied = log.TakeToApply(false);
  ASSERT_EQ(applied.size(), 1u);
  EXPECT_EQ(applied[0].data.data(), bytes);
  EXPECT_EQ(applied[0].data, std::string(1000, 'x'));
  // No bytes: empty, equal to "", and a view that is safe to read.
  Payload none;
  EXPECT_TRUE(none.empty());
  EXPECT_EQ(none, "");
  EXPECT_EQ(none.view().size(), 0u);
  EXPECT_EQ(Payload(std::string()), none);
}

TEST(RaftLogTest, RestoredLogIsStableAndCommittedIsClamped) {
  RaftLog log(0, 0, Entries({{1, 1}, {2, 1}, {3, 2}}), 10, 0);
  EXPECT_EQ(log.last_index(), 3u);
  EXPECT_EQ(log.last_term(), 2u);
  EXPECT_EQ(log.committed(), 3u);
  EXPECT_EQ(log.stable(), 3u);
  EXPECT_FALSE(log.HasUnstable());
  EXPECT_EQ(log.term(0), 0u);
  EXPECT_EQ(log.term(4), std::nullopt);
}

TEST(RaftLogTest, FindConflictAndTruncate) {
  RaftLog log(0, 0, Entries({{1, 1}, {2, 1}, {3, 2}, {4, 2}}), 1, 0);
  EXPECT_EQ(log.FindConflict(Entries({{2, 1}, {3, 2}})), 0u);
  EXPECT_EQ(log.FindConflict(Entries({{3, 3}, {4, 3}})), 3u);
  EXPECT_EQ(log.FindConflict(Entries({{4, 2}, {5, 2}})), 5u);
  log.TruncateAndAppend(Entries({{3, 3}}));
  EXPECT_EQ(log.last_index(), 3u);
  EXPECT_EQ(log.last_term(), 3u);
  EXPECT_EQ(log.stable(), 2u);  // the replaced suffix is no longer durable
  EXPECT_TRUE(log.HasUnstable());
  auto unstable = log.TakeUnstable();
  ASSERT_EQ(unstable.size(), 1u);
  EXPECT_EQ(unstable[0].index, 3u);
}

TEST(RaftLogTest, FindConflictByTermSkipsWholeTerms) {
  RaftLog log(0, 0, Entries({{1, 1}, {2, 1}, {3, 4}, {4, 4}, {5, 4}, {6, 5}}), 0, 0);
  EXPECT_EQ(log.FindConflictByTerm(6, 3), 2u);
  EXPECT_EQ(log.FindConflictByTerm(6, 4), 5u);
  EXPECT_EQ(log.FindConflictByTerm(100, 9), 6u);
  EXPECT_EQ(log.FindConflictByTerm(6, 0), 0u);
}

TEST(RaftLogTest, ApplyWaitsForCommitAndDurability) {
  RaftLog log(0, 0, {}, 0, 0);
  for (Index i = 1; i <= 3; ++i) log.Append(Entry{1, i, EntryType::kNormal, ""});
  log.CommitTo(2);
  EXPECT_FALSE(log.HasToApply(false));  // committed but not durable here
  (void)log.TakeUnstable();
  log.StableTo(3, 1);
  EXPECT_EQ(log.TakeToApply(false).size(), 2u);
  EXPECT_EQ(log.applied(), 2u);
  EXPECT_EQ(log.TakeToApply(true).size(), 1u);  // the injected bug applies index 3
}

TEST(RaftLogTest, SliceRespectsLimitsButReturnsAtLeastOne) {
  RaftLog log(0, 0, {}, 0, 0);
  for (Index i = 1; i <= 10; ++i) log.Append(Entry{1, i, EntryType::kNormal, std::string(100, 'x')});
  EXPECT_EQ(log.Slice(1, 11, 3, 1 << 20).size(), 3u);
  EXPECT_EQ(log.Slice(1, 11, 100, 250).size(), 2u);
  EXPECT_EQ(log.Slice(1, 11, 100, 10).size(), 1u);
  EXPECT_EQ(log.Slice(11, 20, 100, 1000).size(), 0u);
}

TEST(RaftLogDeathTest, TruncatingCommittedEntryAborts) {
  RaftLog log(0, 0, Entries({{1, 1}, {2, 1}}), 2, 0);
  EXPECT_DEATH(log.TruncateAndAppend(Entries({{2, 2}})), "committed");
}

}  // namespace
}  // namespace cairn::raft

namespace cairn::raft {
namespace {

TEST(RaftLogTest, CompactionKeepsTermAtTheSnapshotAndShiftsIndexes) {
  RaftLog log(0, 0, Entries({{1, 1}, {2, 1}, {3, 2}, {4, 3}}), 4, 0);
  (void)log.TakeToApply(false);
  log.CompactTo(2);
  EXPECT_EQ(log.first_index(), 3u);
  EXPECT_EQ(log.term(2), 1u);
  EXPECT_EQ(log.term(1), std::nullopt);
  EXPECT_EQ(log.at(3).term, 2u);
  EXPECT_EQ(log.FindConflictByTerm(4, 0), 2u);  // stops at the snapshot
  EXPECT_EQ(log.Slice(3, 5, 10, 1000).size(), 2u);
  log.TruncateAndAppend(Entries({{5, 3}}));
  EXPECT_EQ(log.last_index(), 5u);
}

TEST(RaftLogTest, RestoreSnapshotReplacesEverything) {
  RaftLog log(0, 0, Entries({{1, 1}, {2, 1}}), 1, 0);
  log.RestoreSnapshot(10, 4, false);
  EXPECT_EQ(log.last_index(), 10u);
  EXPECT_EQ(log.last_term(), 4u);
  EXPECT_EQ(log.committed(), 10u);
  EXPECT_EQ(log.applied(), 10u);
  EXPECT_FALSE(log.HasUnstable());
}

TEST(RaftLogDeathTest, CompactingUnappliedEntriesAborts) {
  RaftLog log(0, 0, Entries({{1, 1}, {2, 1}}), 2, 0);
  EXPECT_DEATH(log.CompactTo(2), "unapplied");
}

}  // namespace
}  // namespace cairn::raft
