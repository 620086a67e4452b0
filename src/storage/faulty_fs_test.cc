// FaultyFs keeps exactly what a Sync covered, and the crash model is seeded.
#include "storage/faulty_fs.h"

#include <gtest/gtest.h>

namespace cairn::storage {
namespace {

TEST(FaultyFs, SyncedBytesSurviveUnsyncedMayNot) {
  for (std::uint64_t seed = 0; seed < 200; seed++) {
    FaultyFs fs;
    ASSERT_TRUE(fs.CreateDir("/d").ok());
    auto f = fs.Open("/d/a", OpenMode::kCreate).value();
    ASSERT_TRUE(fs.SyncDir("/d").ok());
    ASSERT_TRUE(f->Write(0, "hello").ok());
    ASSERT_TRUE(f->Sync().ok());
    ASSERT_TRUE(f->Write(5, " world").ok());
    fs.Crash(seed);
    std::string got = fs.ReadAll("/d/a").value();
    ASSERT_GE(got.size(), 5u) << "seed " << seed;
    EXPECT_EQ(got.substr(0, 5), "hello");
    EXPECT_EQ(std::string(" world").substr(0, got.size() - 5), got.substr(5)) << "a prefix, maybe torn";
  }
}

TEST(FaultyFs, CrashModelSometimesDropsAndSometimesTears) {
  int dropped = 0, torn = 0, kept = 0;
  for (std::uint64_t seed = 0; seed < 400; seed++) {
    FaultyFs fs;
    ASSERT_TRUE(fs.CreateDir("/d").ok());
    auto f = fs.Open("/d/a", OpenMode::kCreate).value();
    ASSERT_TRUE(fs.SyncDir("/d").ok());
    ASSERT_TRUE(f->Write(0, "0123456789").ok());
    fs.Crash(seed);
    std::size_t n = fs.ReadAll("/d/a").value().size();
    if (n == 0) dropped++;
    else if (n == 10) kept++;
    else torn++;
  }
  EXPECT_GT(dropped, 0);
  EXPECT_GT(torn, 0);
  EXPECT_GT(kept, 0);
}

TEST(FaultyFs, UnsyncedCreateMayVanish) {
  bool vanished = false;
  for (std::uint64_t seed = 0; seed < 50 && !vanished; seed++) {
    FaultyFs fs;
    ASSERT_TRUE(fs.CreateDir("/d").ok());
    auto f = fs.Open("/d/a", OpenMode::kCreate).value();
    ASSERT_TRUE(f->Sync().ok());
    fs.Crash(seed);
    vanished = !fs.Exists("/d/a");
  }
  EXPECT_TRUE(vanished) << "without SyncDir the name is not durable";
}

TEST(FaultyFs, CrashAfterOpsFailsEverythingUntilCrash) {
  FaultyFs fs;
  ASSERT_TRUE(fs.CreateDir("/d").ok());
  auto f = fs.Open("/d/a", OpenMode::kCreate).value();
  fs.CrashAfterOps(2);
  EXPECT_TRUE(f->Write(0, "x").ok());
  EXPECT_EQ(f->Sync().code(), StatusCode::kIOError);
  EXPECT_TRUE(fs.crashed());
  EXPECT_EQ(f->Write(1, "y").code(), StatusCode::kIOError);
  fs.Crash(1);
  EXPECT_FALSE(fs.crashed());
  EXPECT_EQ(f->Write(0, "z").code(), StatusCode::kIOError) << "old handles are dead";
}

TEST(FaultyFs, FailNextInjectsErrorsWithoutCrash) {
  FaultyFs fs;
  ASSERT_TRUE(fs.CreateDir("/d").ok());
  auto f = fs.Open("/d/a", OpenMode::kCreate).value();
  fs.FailNext(FsOp::kWrite, 1);
  EXPECT_EQ(f->Write(0, "x").code(), StatusCode::kIOError);
  EXPECT_TRUE(f->Write(0, "x").ok());
  EXPECT_FALSE(fs.crashed());
}

TEST(FaultyFs, AllocateZeroFillsAndRenameMoves) {
  FaultyFs fs;
  ASSERT_TRUE(fs.CreateDir("/d").ok());
  auto f = fs.Open("/d/a", OpenMode::kCreate).value();
  ASSERT_TRUE(f->Allocate(100).ok());
  EXPECT_EQ(f->Size().value(), 100u);
  EXPECT_EQ(fs.ReadAll("/d/a").value(), std::string(100, '\0'));
  ASSERT_TRUE(fs.Rename("/d/a", "/d/b").ok());
  EXPECT_FALSE(fs.Exists("/d/a"));
  EXPECT_TRUE(fs.Exists("/d/b"));
  auto names = fs.List("/d").value();
  ASSERT_EQ(names.size(), 1u);
  EXPECT_EQ(names[0], "b");
}

}  // namespace
}  // namespace cairn::storage
