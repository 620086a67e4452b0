// KvStore: applied index travels with the data; checkpoints install atomically.
#include "storage/kv_store.h"

#include <gtest/gtest.h>
#include <rocksdb/perf_context.h>
#include <rocksdb/perf_level.h>
#include <stdlib.h>

#include <filesystem>

namespace cairn::storage {
namespace {

class KvStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/cairn-kv-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    base_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(base_); }
  std::string base_;
};

std::vector<KvOp> Ops(std::initializer_list<KvOp> l) { return l; }

TEST_F(KvStoreTest, ReopenResumesAtAppliedIndex) {
  std::string root = base_ + "/a";
  {
    auto kv = KvStore::Open(root).value();
    EXPECT_EQ(kv->applied_index(), 0u);
    ASSERT_TRUE(kv->Apply(5, Ops({{KvOp::Kind::kPut, "x", "1"}, {KvOp::Kind::kPut, "y", "2"}})).ok());
    ASSERT_TRUE(kv->Apply(6, Ops({{KvOp::Kind::kDelete, "x", ""}})).ok());
    EXPECT_EQ(kv->Apply(6, Ops({})).code(), StatusCode::kInvalidArgument);
  }
  auto kv = KvStore::Open(root).value();
  EXPECT_EQ(kv->applied_index(), 6u);
  EXPECT_EQ(kv->Get("y").value(), "2");
  EXPECT_EQ(kv->Get("x").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(kv->Get(std::string("\x00" "applied", 8)).status().code(), StatusCode::kNotFound)
      << "user keys must not see the applied-index record";
}

TEST_F(KvStoreTest, CheckpointCreateListInstall) {
  std::string src = base_ + "/src", dst = base_ + "/dst", cp = base_ + "/cp";
  raft::Index covered = 0;
  {
    auto kv = KvStore::Open(src).value();
    ASSERT_TRUE(kv->Apply(10, Ops({{KvOp::Kind::kPut, "k", "snap"}})).ok());
    covered = kv->CreateCheckpoint(cp).value();
    ASSERT_TRUE(kv->Apply(11, Ops({{KvOp::Kind::kPut, "k", "after"}})).ok());
  }
  EXPECT_EQ(covered, 10u);
  auto files = KvStore::CheckpointFiles(cp).value();
  EXPECT_FALSE(files.empty());
  EXPECT_TRUE(std::any_of(files.begin(), files.end(), [](const std::string& f) {
    return f.rfind("CURRENT", 0) == 0;
  }));
  {
    auto kv = KvStore::Open(dst).value();
    ASSERT_TRUE(kv->Apply(3, Ops({{KvOp::Kind::kPut, "old", "v"}})).ok());
  }
  ASSERT_TRUE(KvStore::InstallCheckpoint(dst, cp).ok());
  EXPECT_FALSE(std::filesystem::exists(cp)) << "the checkpoint is consumed";
  EXPECT_FALSE(std::filesystem::exists(dst + "/db.swap"));
  auto kv = KvStore::Open(dst).value();
  EXPECT_EQ(kv->applied_index(), 10u);
  EXPECT_EQ(kv->Get("k").value(), "snap");
  EXPECT_EQ(kv->Get("old").status().code(), StatusCode::kNotFound) << "old data fully replaced";
}

TEST_F(KvStoreTest, LeftoverSwapFromInterruptedInstallIsRemoved) {
  std::string root = base_ + "/r";
  { auto kv = KvStore::Open(root).value(); ASSERT_TRUE(kv->Apply(1, Ops({{KvOp::Kind::kPut, "a", "1"}})).ok()); }
  std::filesystem::create_directories(root + "/db.swap");
  auto kv = KvStore::Open(root).value();
  EXPECT_FALSE(std::filesystem::exists(root + "/db.swap"));
  EXPECT_EQ(kv->Get("a").value(), "1");
}

// Every write looks its key up first (kv::ApplyTxn::Load), most often a key
// that is absent or not in a given file: the store answers that from its
// Bloom filters, without searching the memtable or reading a data block.
TEST_F(KvStoreTest, AbsentKeysAreAnsweredByTheBloomFilters) {
  auto kv = KvStore::Open(base_ + "/a").value();
  std::vector<KvOp> ops;
  for (int i = 0; i < 2000; ++i) ops.push_back({KvOp::Kind::kPut, "k" + std::to_string(i), "v"});
  ASSERT_TRUE(kv->Apply(1, ops).ok());
  ASSERT_TRUE(kv->CreateCheckpoint(base_ + "/cp").ok());  // flushes the memtable to a file
  ASSERT_TRUE(kv->Apply(2, Ops({{KvOp::Kind::kPut, "in-memtable", "v"}})).ok());

  rocksdb::SetPerfLevel(rocksdb::PerfLevel::kEnableCount);
  rocksdb::get_perf_context()->Reset();
  for (int i = 0; i < 1000; ++i) {
    ASSERT_FALSE(kv->Find("absent" + std::to_string(i)).value().has_value());
  }
  const rocksdb::PerfContext ctx = *rocksdb::get_perf_context();
  rocksdb::SetPerfLevel(rocksdb::PerfLevel::kDisable);
  // About 1 % false positives at 10 bits a key; without filters every
  // lookup reads the file's data block and searches the memtable.
  EXPECT_GE(ctx.bloom_sst_miss_count, 950u);
  EXPECT_LE(ctx.block_read_count, 50u);
  EXPECT_GE(ctx.bloom_memtable_miss_count, 950u);
  EXPECT_EQ(kv->Find("k7").value(), std::optional<std::string>("v"));
}

}  // namespace
}  // namespace cairn::storage
