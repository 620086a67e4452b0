// DumpWal / VerifyWal: read-only, and they agree with Open.
#include "storage/wal_tool.h"

#include <gtest/gtest.h>

#include <sstream>

#include "storage/faulty_fs.h"
#include "storage/wal_format.h"

namespace cairn::storage {
namespace {

void Fill(FaultyFs& fs) {
  WalOptions o;
  o.segment_bytes_target = 400;
  o.log_recovery = false;
  auto wal = Wal::Open(fs, "/w", o, nullptr).value();
  std::vector<raft::Entry> es;
  for (raft::Index i = 1; i <= 20; i++) es.push_back({2, i, raft::EntryType::kNormal, "v" + std::to_string(i)});
  ASSERT_TRUE(wal->Save(raft::HardState{2, 1, 18}, es, true).ok());
}

TEST(WalTool, DumpListsEveryRecord) {
  FaultyFs fs;
  Fill(fs);
  std::ostringstream out;
  ASSERT_TRUE(DumpWal(fs, "/w", out).ok());
  std::string s = out.str();
  EXPECT_NE(s.find("entry index=1 term=2 type=0 bytes=2 data=\"v1\""), std::string::npos) << s;
  EXPECT_NE(s.find("entry index=20 "), std::string::npos);
  EXPECT_NE(s.find("hard-state term=2 vote=1 commit=18"), std::string::npos);
  EXPECT_NE(s.find("segment-header version=1 seq=1 base_index=0"), std::string::npos);
  EXPECT_NE(s.find("end: clean"), std::string::npos);
}

TEST(WalTool, VerifyAcceptsGoodAndNamesCorruption) {
  FaultyFs fs;
  Fill(fs);
  auto v = VerifyWal(fs, "/w");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->entries, 20u);
  EXPECT_EQ(v->last_index, 20u);
  EXPECT_EQ(v->hard_state, (raft::HardState{2, 1, 18}));
  EXPECT_GT(v->segments, 1u);

  std::string path = "/w/" + SegmentName(1);
  auto scan = wal::ScanSegment(fs.ReadAll(path).value());
  ASSERT_TRUE(fs.CorruptByte(path, scan.records[1].offset + 10, 0x80).ok());
  auto bad = VerifyWal(fs, "/w");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kCorruption);
  EXPECT_NE(bad.status().message().find(path), std::string_view::npos);
}

TEST(WalTool, VerifyDoesNotRepair) {
  FaultyFs fs;
  Fill(fs);
  auto names = fs.List("/w").value();
  std::sort(names.begin(), names.end());
  std::string last = "/w/" + names.back();
  auto file = fs.Open(last, OpenMode::kExisting).value();
  std::string before = fs.ReadAll(last).value();
  auto scan = wal::ScanSegment(before);
  ASSERT_TRUE(file->Write(scan.valid_end_offset, std::string("\x01\x02\x03\x04\x05", 5)).ok());
  std::string damaged = fs.ReadAll(last).value();
  auto v = VerifyWal(fs, "/w");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_TRUE(v->torn_tail);
  EXPECT_EQ(fs.ReadAll(last).value(), damaged) << "verify must not change the files";
}

TEST(WalTool, MissingDirectoryIsAnError) {
  FaultyFs fs;
  EXPECT_FALSE(VerifyWal(fs, "/nope").ok());
}

}  // namespace
}  // namespace cairn::storage
