// SegmentReader must give exactly ScanSegment's verdicts whatever the window
// size: same records at the same offsets, same valid end, tail kind and reason.
#include "storage/segment_reader.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "storage/faulty_fs.h"

namespace cairn::storage::wal {
namespace {

struct Streamed {
  std::vector<std::pair<std::uint64_t, std::string>> records;  // offset, payload
  SegmentScan scan;
};

Streamed StreamScan(const std::string& bytes, std::size_t window, ScanOptions options = {}) {
  FaultyFs fs;
  CAIRN_CHECK(fs.CreateDir("/d").ok());
  auto file = fs.Open("/d/s", OpenMode::kCreate).value();
  if (!bytes.empty()) CAIRN_CHECK(file->Write(0, bytes).ok());
  std::string buffer;
  SegmentReader reader(*file, bytes.size(), options, &buffer, window);
  Streamed out;
  Record rec;
  while (reader.Next(&rec)) out.records.emplace_back(rec.offset, std::string(rec.payload));
  out.scan = reader.Finish().value();
  return out;
}

void ExpectSame(const std::string& bytes, std::size_t window, ScanOptions options = {}) {
  SegmentScan whole = ScanSegment(bytes, options);
  Streamed s = StreamScan(bytes, window, options);
  ASSERT_EQ(s.records.size(), whole.records.size()) << "window " << window;
  for (std::size_t i = 0; i < whole.records.size(); i++) {
    EXPECT_EQ(s.records[i].first, whole.records[i].offset);
    EXPECT_EQ(s.records[i].second, whole.records[i].payload);
  }
  EXPECT_EQ(s.scan.valid_end_offset, whole.valid_end_offset) << "window " << window;
  EXPECT_EQ(s.scan.tail, whole.tail) << "window " << window;
  EXPECT_EQ(s.scan.tail_reason, whole.tail_reason) << "window " << window;
}

std::string Segment(std::size_t entries, std::size_t data_bytes) {
  std::string b;
  AppendSegmentHeader(&b, {kFormatVersion, 1, 0});
  for (std::size_t i = 1; i <= entries; i++) {
    AppendEntry(&b, {1, i, raft::EntryType::kNormal, std::string(data_bytes + i % 7, 'x')});
    if (i % 5 == 0) AppendHardState(&b, {1, 1, i});
  }
  return b;
}

TEST(SegmentReader, CleanTornCorruptAndEmptyMatchScanSegment) {
  std::string full = Segment(40, 30);
  std::string corrupt = full;
  corrupt[200] ^= 0x10;
  std::string torn = full.substr(0, full.size() - 11) + std::string(50, '\0');
  for (std::size_t window : {9u, 10u, 31u, 64u, 257u, 4096u, 1u << 20}) {
    ExpectSame(full, window);
    ExpectSame(full + std::string(5000, '\0'), window);
    ExpectSame(corrupt, window);
    ExpectSame(corrupt, window, {.skip_crc_check = true});
    ExpectSame(torn, window);
    ExpectSame(torn + "junk", window);
    ExpectSame("", window);
    ExpectSame("abc", window);
    ExpectSame(std::string(20, '\0'), window);
  }
  // A record far larger than the window.
  ExpectSame(Segment(3, 100000), 4096);
}

RC_GTEST_PROP(SegmentReader, AnyDamageAnyWindowSameVerdict, ()) {
  std::string b = Segment(*rc::gen::inRange<std::size_t>(0, 30), *rc::gen::inRange<std::size_t>(0, 300));
  b.append(*rc::gen::inRange<std::size_t>(0, 600), '\0');
  const auto flips = *rc::gen::inRange(0, 3);
  for (int i = 0; i < flips && !b.empty(); i++) {
    std::size_t at = *rc::gen::inRange<std::size_t>(0, b.size());
    b[at] = static_cast<char>(b[at] ^ *rc::gen::inRange(1, 256));
  }
  if (*rc::gen::arbitrary<bool>()) b.resize(*rc::gen::inRange<std::size_t>(0, b.size() + 1));
  const std::size_t window = *rc::gen::inRange<std::size_t>(9, 2000);
  SegmentScan whole = ScanSegment(b);
  Streamed s = StreamScan(b, window);
  RC_ASSERT(s.records.size() == whole.records.size());
  for (std::size_t i = 0; i < whole.records.size(); i++) {
    RC_ASSERT(s.records[i].first == whole.records[i].offset);
    RC_ASSERT(s.records[i].second == std::string(whole.records[i].payload));
  }
  RC_ASSERT(s.scan.valid_end_offset == whole.valid_end_offset);
  RC_ASSERT(s.scan.tail == whole.tail);
  RC_ASSERT(s.scan.tail_reason == whole.tail_reason);
}

}  // namespace
}  // namespace cairn::storage::wal
