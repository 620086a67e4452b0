// Goal: both LogStores restore exactly what was appended, including the
// suffix replacement of ready.h rule 3, and the WAL store across a reopen.
#include "server/log_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

namespace cairn::server {
namespace {

std::string TempDir() {
  auto d = std::filesystem::temp_directory_path() /
           ("cairn_log_store_" + std::to_string(::getpid()));
  std::filesystem::remove_all(d);
  return d.string();
}

raft::Entry E(raft::Term t, raft::Index i, std::string data) {
  return {t, i, raft::EntryType::kNormal, std::move(data)};
}

void WriteHistory(LogStore& store) {
  ASSERT_TRUE(store.Append(raft::HardState{1, 1, 0}, {E(1, 1, "a"), E(1, 2, "b"), E(1, 3, "c")},
                           Durability::kSync).ok());
  // A new leader's entry replaces index 2 and beyond.
  ASSERT_TRUE(store.Append(raft::HardState{2, 2, 2}, {E(2, 2, "B")}, Durability::kSync).ok());
}

void ExpectHistory(LogStore& store) {
  auto loaded = store.Load();
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->hard_state, (raft::HardState{2, 2, 2}));
  ASSERT_EQ(loaded->entries.size(), 2u);
  EXPECT_EQ(loaded->entries[0], E(1, 1, "a"));
  EXPECT_EQ(loaded->entries[1], E(2, 2, "B"));
}

TEST(LogStore, MemoryReplacesSuffix) {
  auto store = NewMemoryLogStore();
  WriteHistory(*store);
  ExpectHistory(*store);
  EXPECT_EQ(store->syncs(), 2u);
}

TEST(LogStore, WalRestoresAcrossReopen) {
  std::string dir = TempDir();
  {
    auto store = OpenWalLogStore(dir);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    auto empty = (*store)->Load();
    ASSERT_TRUE(empty.ok());
    EXPECT_TRUE(empty->entries.empty());
    WriteHistory(**store);
    EXPECT_GE((*store)->syncs(), 2u);
  }
  auto store = OpenWalLogStore(dir);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  ExpectHistory(**store);
  std::filesystem::remove_all(dir);
}

std::vector<raft::Entry> Range(raft::Index lo, raft::Index hi, raft::Term t) {
  std::vector<raft::Entry> out;
  for (raft::Index i = lo; i <= hi; i++) out.push_back(E(t, i, "x" + std::to_string(i)));
  return out;
}

raft::SnapshotMeta Base(raft::Index i, raft::Term t) { return {i, t, {}}; }

std::unique_ptr<LogStore> MustOpen(const std::string& dir) {
  auto store = OpenWalLogStore(dir);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return std::move(store).value();
}

// The persist thread's batches: every Ready but the last is kDeferred, so the
// batch costs one write. A deferred Append is in memory only until the next
// call that writes; the Wal does not write on close, so a store closed right
// after one keeps only what was written before it.
TEST(LogStore, WalDeferredAppendsAreWrittenByTheNextWritingCall) {
  std::string dir = TempDir();
  {
    auto store = MustOpen(dir);
    ASSERT_TRUE(store->Load().ok());
    ASSERT_TRUE(store->Append(raft::HardState{1, 1, 0}, Range(1, 2, 1), Durability::kSync).ok());
    ASSERT_TRUE(
        store->Append(raft::HardState{1, 1, 2}, Range(3, 4, 1), Durability::kDeferred).ok());
    // A deferred suffix replacement (rule 3) inside the same batch.
    ASSERT_TRUE(
        store->Append(raft::HardState{2, 2, 2}, Range(4, 5, 2), Durability::kDeferred).ok());
    ASSERT_TRUE(store->Append(raft::HardState{2, 2, 4}, {}, Durability::kWritten).ok());
    EXPECT_EQ(store->syncs(), 1u) << "kWritten does not fsync";
    ASSERT_TRUE(store->Append(std::nullopt, Range(6, 6, 2), Durability::kDeferred).ok());
  }
  auto st = MustOpen(dir)->Load().value();
  EXPECT_EQ(st.hard_state, (raft::HardState{2, 2, 4}));
  std::vector<raft::Entry> want = Range(1, 3, 1);
  for (const auto& e : Range(4, 5, 2)) want.push_back(e);
  EXPECT_EQ(st.entries, want) << "entry 6 was only deferred when the store closed";
  std::filesystem::remove_all(dir);
}

TEST(LogStore, WalResumesAfterTheStateMachinesIndex) {
  std::string dir = TempDir();
  {
    auto store = MustOpen(dir);
    ASSERT_TRUE(store->Load().ok());
    ASSERT_TRUE(store->Append(raft::HardState{1, 1, 10}, Range(1, 10, 1), Durability::kSync).ok());
  }
  auto st = MustOpen(dir)->Load(Base(6, 1)).value();
  ASSERT_TRUE(st.snapshot.has_value());
  EXPECT_EQ(st.snapshot->index, 6u);
  EXPECT_EQ(st.applied, 6u);
  EXPECT_EQ(st.entries, Range(7, 10, 1)) << "only entries after the applied index are replayed";
  std::filesystem::remove_all(dir);
}

TEST(LogStore, WalOpenedWithTheAppliedIndexResumesTheSame) {
  std::string dir = TempDir();
  {
    auto store = MustOpen(dir);
    ASSERT_TRUE(store->Load().ok());
    ASSERT_TRUE(store->Append(raft::HardState{1, 1, 10}, Range(1, 10, 1), Durability::kSync).ok());
  }
  // Entries up to 6 are replayed without data (WalOptions::replay_data_from);
  // what Load returns is exactly what a full replay gives.
  auto store = OpenWalLogStore(dir, 6);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto st = (*store)->Load(Base(6, 1)).value();
  EXPECT_EQ(st.applied, 6u);
  EXPECT_EQ(st.entries, Range(7, 10, 1));
  std::filesystem::remove_all(dir);
}

TEST(LogStoreDeathTest, LoadBelowTheHollowReplayIsRefused) {
  std::string dir = TempDir();
  {
    auto store = MustOpen(dir);
    ASSERT_TRUE(store->Load().ok());
    ASSERT_TRUE(store->Append(raft::HardState{1, 1, 10}, Range(1, 10, 1), Durability::kSync).ok());
  }
  // Entries 1-6 have no data: handing them to Raft would apply empty commands.
  EXPECT_DEATH((void)OpenWalLogStore(dir, 6).value()->Load(Base(4, 1)), "replayed without data");
  std::filesystem::remove_all(dir);
}

TEST(LogStore, WalThatDoesNotContinueFromTheStateMachineIsReset) {
  for (raft::Index a : {6u, 20u}) {  // divergent term at 6; a log that stops short of 20
    std::string dir = TempDir();
    {
      auto store = MustOpen(dir);
      ASSERT_TRUE(store->Load().ok());
      ASSERT_TRUE(store->Append(raft::HardState{1, 1, 3}, Range(1, 10, 1), Durability::kSync).ok());
    }
    {
      auto st = MustOpen(dir)->Load(Base(a, 2)).value();
      EXPECT_TRUE(st.entries.empty()) << a;
      EXPECT_EQ(st.hard_state.term, 2u) << "never below the snapshot's term";
    }
    auto store = MustOpen(dir);
    auto st = store->Load(Base(a, 2)).value();
    EXPECT_TRUE(st.entries.empty());
    ASSERT_TRUE(store->Append(std::nullopt, Range(a + 1, a + 2, 2), Durability::kSync).ok())
        << "the reset log accepts the entry after the snapshot";
    std::filesystem::remove_all(dir);
  }
}

TEST(LogStore, WalCompactAndReset) {
  std::string dir = TempDir();
  {
    auto store = MustOpen(dir);
    ASSERT_TRUE(store->Load().ok());
    ASSERT_TRUE(store->Append(raft::HardState{1, 1, 5}, Range(1, 5, 1), Durability::kSync).ok());
    ASSERT_TRUE(store->Compact(5).ok());
    ASSERT_TRUE(store->Reset(50, 4).ok());
    ASSERT_TRUE(store->Append(raft::HardState{4, 1, 51}, Range(51, 52, 4), Durability::kSync).ok());
  }
  EXPECT_EQ(MustOpen(dir)->Load(Base(10, 1)).status().code(), StatusCode::kCorruption)
      << "a log compacted past the state machine cannot be replayed";
  EXPECT_EQ(MustOpen(dir)->Load().status().code(), StatusCode::kCorruption);
  auto st = MustOpen(dir)->Load(Base(50, 4)).value();
  EXPECT_EQ(st.entries, Range(51, 52, 4));
  EXPECT_EQ(st.hard_state, (raft::HardState{4, 1, 51}));
  std::filesystem::remove_all(dir);
}

TEST(LogStore, MemoryCompactAndReset) {
  auto store = NewMemoryLogStore();
  ASSERT_TRUE(store->Append(raft::HardState{1, 1, 5}, Range(1, 5, 1), Durability::kSync).ok());
  ASSERT_TRUE(store->Compact(3).ok());
  auto st = store->Load().value();
  EXPECT_EQ(st.entries, Range(4, 5, 1));
  ASSERT_TRUE(st.snapshot.has_value());
  EXPECT_EQ(st.snapshot->index, 3u);
  ASSERT_TRUE(store->Reset(9, 2).ok());
  st = store->Load().value();
  EXPECT_TRUE(st.entries.empty());
  EXPECT_EQ(st.snapshot->index, 9u);
}

}  // namespace
}  // namespace cairn::server
