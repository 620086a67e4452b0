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

}  // namespace
}  // namespace cairn::server
