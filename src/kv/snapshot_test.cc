#include <gtest/gtest.h>

#include "kv/test_driver.h"

namespace cairn::kv {
namespace {

constexpr std::int64_t kT = 1'700'000'000'000;

TEST(SnapshotTest, RestoreReproducesStateClockAndExpiries) {
  testing::Driver a;
  a.Run({"set", "k", "v", "px", "500"}, kT);
  a.Run({"mset", "x", "1", "y", "2"}, kT + 10);
  Result<std::string> image = a.sm().Snapshot();
  ASSERT_TRUE(image.ok());
  testing::Driver b;
  b.Run({"set", "stale", "gone"}, kT);
  ASSERT_TRUE(b.sm().Restore(*image).ok());
  EXPECT_EQ(b.sm().applied_index(), a.sm().applied_index());
  EXPECT_EQ(b.sm().clock_ms(), kT + 10);
  EXPECT_EQ(b.Run({"get", "stale"}, kT + 10), resp::Value::Null());
  EXPECT_EQ(b.Run({"pttl", "k"}, kT + 10), resp::Value::Int(490));
  EXPECT_EQ(b.sm().ExpiredKeys(kT + 500), 1u);  // the expiry index was rebuilt
  EXPECT_EQ(*b.sm().Snapshot(), *image);
}

TEST(SnapshotTest, CorruptImagesAreRejectedAndChangeNothing) {
  testing::Driver a;
  a.Run({"set", "k", "v"}, kT);
  std::string image = *a.sm().Snapshot();
  testing::Driver b;
  b.Run({"set", "mine", "1"}, kT);
  for (std::size_t i = 0; i < image.size(); ++i) {
    std::string bad = image;
    bad[i] = static_cast<char>(bad[i] ^ 0x20);
    EXPECT_EQ(b.sm().Restore(bad).code(), StatusCode::kCorruption) << i;
  }
  for (std::size_t n = 0; n < image.size(); ++n) {
    EXPECT_FALSE(b.sm().Restore(image.substr(0, n)).ok()) << n;
  }
  EXPECT_EQ(b.Run({"get", "mine"}, kT), resp::Value::Bulk("1"));
}

}  // namespace
}  // namespace cairn::kv

namespace cairn::kv {
namespace {

// Reopening over an engine that already holds data (a restart) restores the
// applied state and rebuilds the expiry index from the stored records.
TEST(ReopenTest, OpenRebuildsFromTheEngine) {
  auto engine = std::make_unique<MemoryEngine>();
  EngineBatch batch;
  batch.writes.emplace_back(EngineKey("a"), EncodeRecord(Record{3, kT + 100, "1"}));
  batch.writes.emplace_back(EngineKey("b"), EncodeRecord(Record{4, 0, "2"}));
  ASSERT_TRUE(engine->Apply(batch, AppliedState{4, kT}).ok());
  auto sm = StateMachine::Open(std::move(engine));
  ASSERT_TRUE(sm.ok());
  EXPECT_EQ((*sm)->applied_index(), 4u);
  EXPECT_EQ((*sm)->clock_ms(), kT);
  EXPECT_EQ((*sm)->ExpiredKeys(kT + 100), 1u);
  EXPECT_EQ(*(*sm)->KeyVersion("a", 0), 3u);
  EXPECT_EQ(*(*sm)->KeyVersion("a", kT + 100), 0u);
}

TEST(ReopenTest, CorruptStoredRecordFailsOpen) {
  auto engine = std::make_unique<MemoryEngine>();
  EngineBatch batch;
  batch.writes.emplace_back(EngineKey("a"), std::string("\x07", 1));
  ASSERT_TRUE(engine->Apply(batch, AppliedState{1, kT}).ok());
  EXPECT_EQ(StateMachine::Open(std::move(engine)).status().code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace cairn::kv
