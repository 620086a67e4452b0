#pragma once
// The body of the WAL segment fuzzer, shared by the libFuzzer target and the
// gtest that replays the seed corpus (src/storage/wal_fuzz_replay_test.cc).
//
// Properties checked on arbitrary bytes:
//   - ScanSegment never crashes and every record it returns has a correct
//     checksum (recomputed here independently) and lies inside the input;
//   - payload decoders and a read-only Wal::Open of the bytes as a segment
//     return values or errors, never crash.

#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <string>
#include <string_view>

#include "common/crc32c.h"
#include "storage/faulty_fs.h"
#include "storage/wal.h"
#include "storage/wal_format.h"

namespace cairn::storage {

inline void WalFuzzFail(const char* what) {
  std::fprintf(stderr, "wal fuzz property failed: %s\n", what);
  std::abort();
}

inline void FuzzOneWalSegment(const std::uint8_t* data, std::size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  wal::SegmentScan scan = wal::ScanSegment(bytes);
  std::uint64_t expect_offset = 0;
  for (const wal::Record& rec : scan.records) {
    if (rec.offset != expect_offset) WalFuzzFail("records not contiguous");
    if (rec.offset + wal::kRecordHeaderBytes + rec.payload.size() > size) WalFuzzFail("record past end");
    const char* h = bytes.data() + rec.offset;
    std::uint32_t stored = 0;
    for (int i = 3; i >= 0; i--) stored = (stored << 8) | static_cast<std::uint8_t>(h[i]);
    if (crc32c::Unmask(stored) != crc32c::Value(h + 4, rec.payload.size() + 5)) {
      WalFuzzFail("returned a record whose checksum fails");
    }
    expect_offset = rec.offset + wal::kRecordHeaderBytes + rec.payload.size();
    (void)wal::DecodeSegmentHeader(rec.payload);
    (void)wal::DecodeEntry(rec.payload);
    (void)wal::DecodeHardState(rec.payload);
  }
  if (scan.valid_end_offset != expect_offset) WalFuzzFail("valid_end_offset wrong");

  FaultyFs fs;
  if (!fs.CreateDir("/w").ok()) WalFuzzFail("mkdir");
  auto file = fs.Open("/w/" + SegmentName(1), OpenMode::kCreate);
  if (!file.ok() || !(*file)->Write(0, bytes).ok()) WalFuzzFail("write");
  WalOptions options;
  options.read_only = true;
  options.log_recovery = false;
  WalState state;
  auto wal = Wal::Open(fs, "/w", options, &state);
  if (wal.ok()) {
    for (std::size_t i = 1; i < state.entries.size(); i++) {
      if (state.entries[i].index != state.entries[i - 1].index + 1) WalFuzzFail("log not contiguous");
    }
  }
}

}  // namespace cairn::storage
