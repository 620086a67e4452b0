// Goal: FileLogStore restores exactly what was appended (with suffix
// replacement, rule 3 of ready.h) and survives a torn tail. Method: append,
// reopen, compare; then cut bytes off the file and reopen.
#include "server/log_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

namespace cairn::server {
namespace {

std::string TempDir() {
  auto d = std::filesystem::temp_directory_path() / ("cairn_log_store_" + std::to_string(::getpid()));
  std::filesystem::remove_all(d);
  return d.string();
}

raft::Entry E(raft::Term t, raft::Index i, std::string data) {
  return {t, i, raft::EntryType::kNormal, std::move(data)};
}

TEST(FileLogStore, RestoresAppendsAndReplacesSuffix) {
  std::string dir = TempDir();
  {
    auto store = OpenFileLogStore(dir);
    ASSERT_TRUE(store.ok());
    auto loaded = (*store)->Load();
    ASSERT_TRUE(loaded.ok());
    EXPECT_TRUE(loaded->entries.empty());
    ASSERT_TRUE((*store)->Append(raft::HardState{1, 1, 0}, {E(1, 1, "a"), E(1, 2, "b"), E(1, 3, "c")},
                                 Durability::kSync).ok());
    // A new leader's entry replaces index 2 and beyond.
    ASSERT_TRUE((*store)->Append(raft::HardState{2, 2, 2}, {E(2, 2, "B")}, Durability::kSync).ok());
    EXPECT_EQ((*store)->syncs(), 2u);
  }
  auto store = OpenFileLogStore(dir);
  ASSERT_TRUE(store.ok());
  auto loaded = (*store)->Load();
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->hard_state, (raft::HardState{2, 2, 2}));
  ASSERT_EQ(loaded->entries.size(), 2u);
  EXPECT_EQ(loaded->entries[1], E(2, 2, "B"));
  std::filesystem::remove_all(dir);
}

TEST(FileLogStore, TornTailIsCutOff) {
  std::string dir = TempDir();
  {
    auto store = OpenFileLogStore(dir);
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->Load().ok());
    ASSERT_TRUE((*store)->Append(std::nullopt, {E(1, 1, "first")}, Durability::kSync).ok());
    ASSERT_TRUE((*store)->Append(std::nullopt, {E(1, 2, "second")}, Durability::kSync).ok());
  }
  auto path = dir + "/raft.log";
  std::filesystem::resize_file(path, std::filesystem::file_size(path) - 3);
  auto store = OpenFileLogStore(dir);
  ASSERT_TRUE(store.ok());
  auto loaded = (*store)->Load();
  ASSERT_TRUE(loaded.ok());
  ASSERT_EQ(loaded->entries.size(), 1u) << "the torn second record is dropped";
  EXPECT_EQ(loaded->entries[0].data, "first");
  // Appending after recovery continues from the cut.
  ASSERT_TRUE((*store)->Append(std::nullopt, {E(1, 2, "again")}, Durability::kSync).ok());
  auto again = (*OpenFileLogStore(dir))->Load();
  ASSERT_TRUE(again.ok());
  ASSERT_EQ(again->entries.size(), 2u);
  EXPECT_EQ(again->entries[1].data, "again");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace cairn::server
