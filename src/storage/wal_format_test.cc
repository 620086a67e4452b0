// Record framing round trips; the scanner separates clean, torn and corrupt tails.
#include "storage/wal_format.h"

#include <gtest/gtest.h>

namespace cairn::storage::wal {
namespace {

std::string ThreeRecords() {
  std::string b;
  AppendSegmentHeader(&b, {kFormatVersion, 7, 100});
  AppendEntry(&b, {3, 100, raft::EntryType::kNormal, "hello"});
  AppendHardState(&b, {3, 2, 99});
  return b;
}

TEST(WalFormat, RoundTrip) {
  std::string b = ThreeRecords();
  SegmentScan s = ScanSegment(b);
  ASSERT_EQ(s.records.size(), 3u);
  EXPECT_EQ(s.tail, TailKind::kClean);
  EXPECT_EQ(s.valid_end_offset, b.size());
  EXPECT_EQ(DecodeSegmentHeader(s.records[0].payload).value(), (SegmentHeader{kFormatVersion, 7, 100}));
  EXPECT_EQ(DecodeEntry(s.records[1].payload).value(),
            (raft::Entry{3, 100, raft::EntryType::kNormal, "hello"}));
  EXPECT_EQ(DecodeHardState(s.records[2].payload).value(), (raft::HardState{3, 2, 99}));
  EXPECT_EQ(EntryRecordBytes({3, 100, raft::EntryType::kNormal, "hello"}), s.records[2].offset - s.records[1].offset);
}

TEST(WalFormat, ZeroTailIsClean) {
  std::string b = ThreeRecords();
  std::size_t end = b.size();
  b.append(4096, '\0');
  SegmentScan s = ScanSegment(b);
  EXPECT_EQ(s.tail, TailKind::kClean);
  EXPECT_EQ(s.valid_end_offset, end);
}

TEST(WalFormat, EveryTruncationPointIsTornNeverCorrupt) {
  std::string full = ThreeRecords();
  for (std::size_t cut = 1; cut < full.size(); cut++) {
    std::string b = full.substr(0, cut) + std::string(64, '\0');
    SegmentScan s = ScanSegment(b);
    EXPECT_NE(s.tail, TailKind::kCorrupt) << "cut at " << cut;
    // A lost zero byte is indistinguishable from a written one, so a record
    // may survive a cut in its trailing zeros; it must match the original.
    EXPECT_EQ(b.substr(0, s.valid_end_offset), full.substr(0, s.valid_end_offset)) << "cut " << cut;
  }
}

TEST(WalFormat, EveryBitFlipIsDetected) {
  std::string full = ThreeRecords();
  std::size_t entry_off = ScanSegment(full).records[1].offset;
  std::size_t hs_off = ScanSegment(full).records[2].offset;
  for (std::size_t i = entry_off; i < hs_off; i++) {
    std::string b = full;
    b[i] = static_cast<char>(b[i] ^ 0x04);
    SegmentScan s = ScanSegment(b);
    EXPECT_EQ(s.valid_end_offset, entry_off) << "flip at " << i;
    EXPECT_EQ(s.tail, TailKind::kCorrupt) << "a valid record follows, flip at " << i;
  }
}

TEST(WalFormat, SkipCrcVariantAcceptsDamage) {
  std::string b = ThreeRecords();
  std::size_t entry_off = ScanSegment(b).records[1].offset;
  b[entry_off + 20] ^= 0x01;
  EXPECT_EQ(ScanSegment(b, {.skip_crc_check = true}).records.size(), 3u);
  EXPECT_EQ(ScanSegment(b).records.size(), 1u);
}

TEST(WalFormat, MalformedPayloadsAreCorruptionNotCrashes) {
  EXPECT_EQ(DecodeEntry("short").status().code(), StatusCode::kCorruption);
  EXPECT_EQ(DecodeHardState("x").status().code(), StatusCode::kCorruption);
  EXPECT_EQ(DecodeSegmentHeader(std::string(28, 'x')).status().code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace cairn::storage::wal
