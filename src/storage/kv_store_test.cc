// KvStore: applied index travels with the data; checkpoints install atomically.
#include "storage/kv_store.h"

#include <gtest/gtest.h>
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

}  // namespace
}  // namespace cairn::storage
