// Checkpoints on disk, and a checkpoint's trip as a bundle: packed, read in
// odd-sized pieces, unpacked and installed, it gives back the same data.
#include "server/snapshots.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "server/background_remover.h"

namespace cairn::server {
namespace {

class SnapshotsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/cairn-snapshots-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    base_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(base_); }
  std::string base_;
};

void Put(storage::KvStore& s, raft::Index i, std::string k, std::string v) {
  storage::KvBatch b;
  b.ops.push_back({storage::KvOp::Kind::kPut, std::move(k), std::move(v)});
  b.applied = {i, 3, 1000};
  ASSERT_TRUE(s.Write(b).ok());
}

std::string WriteBundle(BundleSource& src, const std::string& path, std::size_t piece) {
  std::ofstream out(path, std::ios::binary);
  std::string buf;
  for (std::uint64_t off = 0; off < src.size(); off += piece) {
    std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(piece, src.size() - off));
    EXPECT_TRUE(src.ReadAt(off, n, buf).ok());
    out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
  }
  return path;
}

TEST_F(SnapshotsTest, CreateKeepsOnlyTheNewest) {
  auto store = storage::KvStore::Open(base_ + "/state").value();
  auto dir = SnapshotDir::Open(base_ + "/snaps").value();
  EXPECT_FALSE(dir.latest().has_value());
  Put(*store, 5, "a", "1");
  auto first = dir.Create(*store).value();
  EXPECT_EQ(first.index, 5u);
  EXPECT_EQ(first.term, 3u);
  Put(*store, 9, "b", "2");
  auto second = dir.Create(*store).value();
  EXPECT_EQ(second.index, 9u);
  EXPECT_FALSE(std::filesystem::exists(first.dir));
  std::filesystem::create_directories(base_ + "/snaps/tmp-12");  // an interrupted one
  auto reopened = SnapshotDir::Open(base_ + "/snaps").value();
  ASSERT_TRUE(reopened.latest().has_value());
  EXPECT_EQ(reopened.latest()->index, 9u);
  EXPECT_FALSE(std::filesystem::exists(base_ + "/snaps/tmp-12"));
}

TEST_F(SnapshotsTest, AnOlderCheckpointPublishedLateIsDropped) {
  auto store = storage::KvStore::Open(base_ + "/state").value();
  auto dir = SnapshotDir::Open(base_ + "/snaps").value();
  Put(*store, 5, "a", "1");
  auto older = SnapshotDir::Write(dir.root(), *store, 5, 3).value();
  Put(*store, 9, "b", "2");
  auto newer = SnapshotDir::Write(dir.root(), *store, 9, 3).value();
  dir.Publish(newer);
  dir.Publish(older);  // finished after the newer one
  ASSERT_TRUE(dir.latest().has_value());
  EXPECT_EQ(dir.latest()->index, 9u);
  EXPECT_FALSE(std::filesystem::exists(older.dir));
  EXPECT_TRUE(std::filesystem::exists(newer.dir));
}

// The node removes replaced checkpoints off its loop: Publish hands them to
// the remover instead of deleting them itself.
TEST_F(SnapshotsTest, ReplacedCheckpointsGoToTheRemover) {
  auto store = storage::KvStore::Open(base_ + "/state").value();
  auto dir = SnapshotDir::Open(base_ + "/snaps").value();
  BackgroundRemover remover;
  std::vector<std::string> handed;
  dir.set_remover([&](std::string path) {
    handed.push_back(path);
    remover.Remove(std::move(path));
  });
  Put(*store, 5, "a", "1");
  auto first = dir.Create(*store).value();
  Put(*store, 9, "b", "2");
  auto second = dir.Create(*store).value();
  ASSERT_EQ(handed, std::vector<std::string>{first.dir});
  remover.Drain();
  EXPECT_FALSE(std::filesystem::exists(first.dir));
  EXPECT_TRUE(std::filesystem::exists(second.dir));
}

TEST_F(SnapshotsTest, BundleRoundTripInstallsTheSameData) {
  std::string cp;
  {
    auto store = storage::KvStore::Open(base_ + "/leader").value();
    for (int i = 1; i <= 500; i++) Put(*store, i, "key" + std::to_string(i), std::string(100, 'x'));
    auto dir = SnapshotDir::Open(base_ + "/snaps").value();
    cp = dir.Create(*store).value().dir;
  }
  auto src = BundleSource::Open(cp).value();
  EXPECT_GT(src->size(), 0u);
  std::string bundle = WriteBundle(*src, base_ + "/b.snap", 777);
  ASSERT_TRUE(UnpackBundle(bundle, base_ + "/staging").ok());
  { auto follower = storage::KvStore::Open(base_ + "/follower").value(); }
  ASSERT_TRUE(storage::KvStore::InstallCheckpoint(base_ + "/follower", base_ + "/staging").ok());
  auto follower = storage::KvStore::Open(base_ + "/follower").value();
  EXPECT_EQ(follower->applied().index, 500u);
  EXPECT_EQ(follower->applied().term, 3u);
  EXPECT_EQ(follower->count(), 500u);
  EXPECT_EQ(follower->Get("key250").value(), std::string(100, 'x'));
}

TEST_F(SnapshotsTest, BadBundlesAreRejected) {
  auto write = [&](std::string bytes) {
    std::ofstream(base_ + "/bad.snap", std::ios::binary) << bytes;
    std::filesystem::remove_all(base_ + "/out");
    return UnpackBundle(base_ + "/bad.snap", base_ + "/out");
  };
  auto header = [](std::string name, std::uint64_t size) {
    std::string h = "CAIRNCP1";
    h += std::string("\x01\x00\x00\x00", 4);
    h.push_back(static_cast<char>(name.size()));
    h.push_back(0);
    h += name;
    for (int b = 0; b < 8; b++) h.push_back(static_cast<char>(size >> (8 * b)));
    return h;
  };
  EXPECT_TRUE(write(header("CURRENT", 3) + "abc").ok());  // the checker accepts a good one
  EXPECT_EQ(write("NOTCAIRN").code(), StatusCode::kCorruption);
  EXPECT_EQ(write(header("../evil", 3) + "abc").code(), StatusCode::kCorruption);
  EXPECT_EQ(write(header("/etc/x", 3) + "abc").code(), StatusCode::kCorruption);
  EXPECT_EQ(write(header("CURRENT", 5) + "abc").code(), StatusCode::kCorruption);
  EXPECT_EQ(write(header("CURRENT", 3).substr(0, 15)).code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace cairn::server
