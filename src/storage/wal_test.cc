// Wal behaviour on FaultyFs (no crashes here; see wal_crash_test.cc) and a
// smoke test on the real disk.
#include "storage/wal.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "storage/faulty_fs.h"
#include "storage/posix_fs.h"
#include "storage/wal_format.h"

namespace cairn::storage {
namespace {

raft::Entry E(raft::Index i, raft::Term t, std::string data = "") {
  if (data.empty()) data = "e" + std::to_string(i) + "t" + std::to_string(t);
  return {t, i, raft::EntryType::kNormal, std::move(data)};
}

std::vector<raft::Entry> Range(raft::Index lo, raft::Index hi, raft::Term t) {
  std::vector<raft::Entry> out;
  for (raft::Index i = lo; i <= hi; i++) out.push_back(E(i, t));
  return out;
}

WalOptions Small() {
  WalOptions o;
  o.segment_bytes_target = 512;
  o.log_recovery = false;
  return o;
}

std::unique_ptr<Wal> MustOpen(Fs& fs, WalState* st, WalOptions o = Small()) {
  auto r = Wal::Open(fs, "/w", o, st);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : nullptr;
}

TEST(Wal, FreshIsEmpty) {
  FaultyFs fs;
  WalState st;
  auto wal = MustOpen(fs, &st);
  EXPECT_TRUE(st.entries.empty());
  EXPECT_EQ(st.hard_state, raft::HardState{});
  EXPECT_EQ(wal->last_index(), 0u);
  EXPECT_EQ(wal->first_index(), 1u);
}

TEST(Wal, AppendSyncReopen) {
  FaultyFs fs;
  WalState st;
  auto wal = MustOpen(fs, &st);
  auto entries = Range(1, 50, 1);
  ASSERT_TRUE(wal->Save(raft::HardState{3, 2, 40}, entries, true).ok());
  EXPECT_GT(wal->segment_count(), 1u) << "the tiny segment target must force rotation";
  wal.reset();
  wal = MustOpen(fs, &st);
  EXPECT_EQ(st.entries, entries);
  EXPECT_EQ(st.hard_state, (raft::HardState{3, 2, 40}));
  EXPECT_EQ(wal->last_index(), 50u);
  EXPECT_FALSE(st.report.tail_truncated);
}

TEST(Wal, ConflictingSuffixIsReplaced) {
  FaultyFs fs;
  WalState st;
  auto wal = MustOpen(fs, &st);
  ASSERT_TRUE(wal->Append(Range(1, 30, 1)).ok());
  ASSERT_TRUE(wal->Append(Range(10, 12, 2)).ok());
  EXPECT_EQ(wal->last_index(), 12u);
  ASSERT_TRUE(wal->Sync().ok());
  wal = MustOpen(fs, &st);
  auto want = Range(1, 9, 1);
  for (auto& e : Range(10, 12, 2)) want.push_back(e);
  EXPECT_EQ(st.entries, want);
}

TEST(Wal, RejectsGapsAndNonContiguousBatches) {
  FaultyFs fs;
  WalState st;
  auto wal = MustOpen(fs, &st);
  EXPECT_EQ(wal->Append(Range(2, 3, 1)).code(), StatusCode::kInvalidArgument);
  std::vector<raft::Entry> bad = {E(1, 1), E(3, 1)};
  EXPECT_EQ(wal->Append(bad).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(wal->Append(Range(1, 2, 1)).ok());
}

TEST(Wal, CompactDropsWholeSegmentsOnly) {
  FaultyFs fs;
  WalState st;
  auto wal = MustOpen(fs, &st);
  ASSERT_TRUE(wal->Save(raft::HardState{1, 1, 100}, Range(1, 100, 1), true).ok());
  std::size_t before = wal->segment_count();
  ASSERT_TRUE(wal->Compact(60).ok());
  EXPECT_LT(wal->segment_count(), before);
  EXPECT_LE(wal->first_index(), 61u) << "entries above the snapshot index must stay";
  wal = MustOpen(fs, &st);
  ASSERT_FALSE(st.entries.empty());
  EXPECT_LE(st.entries.front().index, 61u);
  EXPECT_EQ(st.entries.back().index, 100u);
  EXPECT_EQ(st.hard_state, (raft::HardState{1, 1, 100})) << "hard state must survive compaction";
  for (std::size_t i = 1; i < st.entries.size(); i++) {
    EXPECT_EQ(st.entries[i].index, st.entries[i - 1].index + 1);
  }
}

TEST(Wal, TruncationBelowSegmentStartSurvivesCompaction) {
  FaultyFs fs;
  WalState st;
  auto wal = MustOpen(fs, &st);
  ASSERT_TRUE(wal->Append(Range(1, 40, 1)).ok());
  ASSERT_TRUE(wal->Append(Range(20, 60, 2)).ok());  // replaces 20..40 across segments
  ASSERT_TRUE(wal->Sync().ok());
  ASSERT_TRUE(wal->Compact(45).ok());
  wal = MustOpen(fs, &st);
  ASSERT_FALSE(st.entries.empty());
  EXPECT_EQ(st.entries.back(), E(60, 2));
  for (const auto& e : st.entries) {
    if (e.index >= 20) {
      EXPECT_EQ(e.term, 2u) << "index " << e.index;
    }
  }
}

TEST(Wal, ResetStartsTheLogAfterASnapshot) {
  FaultyFs fs;
  WalState st;
  auto wal = MustOpen(fs, &st);
  ASSERT_TRUE(wal->Save(raft::HardState{2, 1, 30}, Range(1, 40, 2), true).ok());
  ASSERT_GT(wal->segment_count(), 1u);
  ASSERT_TRUE(wal->Reset(100, 5, raft::HardState{5, 3, 100}).ok());
  EXPECT_EQ(wal->first_index(), 101u);
  EXPECT_EQ(wal->last_index(), 100u);
  EXPECT_EQ(wal->segment_count(), 1u);
  EXPECT_EQ(wal->Append(Range(100, 100, 5)).code(), StatusCode::kInvalidArgument)
      << "the snapshot covers index 100";
  ASSERT_TRUE(wal->Save(std::nullopt, Range(101, 120, 5), true).ok());
  wal = MustOpen(fs, &st);
  EXPECT_EQ(st.first_index, 101u);
  EXPECT_EQ(st.entries, Range(101, 120, 5));
  EXPECT_EQ(st.hard_state, (raft::HardState{5, 3, 100}));
  auto names = fs.List("/w").value();
  for (const auto& n : names) EXPECT_TRUE(ParseSegmentName(n).has_value()) << n;
}

TEST(Wal, ResetWithNothingAppendedAfterReopens) {
  FaultyFs fs;
  WalState st;
  auto wal = MustOpen(fs, &st);
  ASSERT_TRUE(wal->Save(raft::HardState{1, 1, 5}, Range(1, 5, 1), true).ok());
  ASSERT_TRUE(wal->Reset(3, 1, raft::HardState{1, 1, 3}).ok());  // backwards is allowed too
  wal = MustOpen(fs, &st);
  EXPECT_TRUE(st.entries.empty());
  EXPECT_EQ(st.first_index, 4u);
  EXPECT_EQ(wal->last_index(), 3u);
}

// A crash at every step of a reset leaves either the old log or the new one.
TEST(Wal, ResetIsAtomicUnderCrashes) {
  const auto old_log = Range(1, 40, 2);
  const raft::HardState old_hs{2, 1, 30}, new_hs{4, 2, 200};
  int saw_old = 0, saw_new = 0;
  for (std::uint64_t n = 1; n < 40; n++) {
    for (std::uint64_t seed = 0; seed < 3; seed++) {
      FaultyFs fs;
      WalState st;
      auto wal = MustOpen(fs, &st);
      ASSERT_TRUE(wal->Save(old_hs, old_log, true).ok());
      fs.CrashAfterOps(n);
      Status s = wal->Reset(200, 4, new_hs);
      wal.reset();
      bool fired = fs.crashed();
      fs.CrashAfterOps(0);
      fs.Crash(seed * 7919 + n);
      auto r = Wal::Open(fs, "/w", Small(), &st);
      ASSERT_TRUE(r.ok()) << "n=" << n << ": " << r.status().ToString();
      if (st.entries.empty()) {
        EXPECT_EQ(st.first_index, 201u) << "n=" << n;
        EXPECT_EQ(st.hard_state, new_hs) << "n=" << n;
        ++saw_new;
      } else {
        EXPECT_FALSE(s.ok() && !fired) << "a finished reset must survive, n=" << n;
        EXPECT_EQ(st.entries, old_log) << "n=" << n;
        EXPECT_EQ(st.hard_state, old_hs) << "n=" << n;
        ++saw_old;
      }
    }
  }
  EXPECT_GT(saw_old, 0);
  EXPECT_GT(saw_new, 0);
}

TEST(Wal, TornTailIsTruncatedAndReported) {
  FaultyFs fs;
  WalState st;
  auto wal = MustOpen(fs, &st, [] { auto o = Small(); o.segment_bytes_target = 1 << 20; return o; }());
  ASSERT_TRUE(wal->Append(Range(1, 5, 1)).ok());
  ASSERT_TRUE(wal->Sync().ok());
  wal.reset();
  // Append half a record by hand after the last valid one.
  auto file = fs.Open("/w/" + SegmentName(1), OpenMode::kExisting).value();
  std::string bytes = fs.ReadAll("/w/" + SegmentName(1)).value();
  auto scan = wal::ScanSegment(bytes);
  std::string rec;
  wal::AppendEntry(&rec, E(6, 1));
  ASSERT_TRUE(file->Write(scan.valid_end_offset, rec.substr(0, rec.size() / 2)).ok());
  wal = MustOpen(fs, &st);
  EXPECT_TRUE(st.report.tail_truncated);
  ASSERT_EQ(st.report.notes.size(), 1u);
  EXPECT_NE(st.report.notes[0].find("offset " + std::to_string(scan.valid_end_offset)), std::string::npos);
  EXPECT_EQ(st.entries, Range(1, 5, 1));
  ASSERT_TRUE(wal->Append(Range(6, 7, 1)).ok());
  ASSERT_TRUE(wal->Sync().ok());
  wal = MustOpen(fs, &st);
  EXPECT_EQ(st.entries, Range(1, 7, 1));
  EXPECT_FALSE(st.report.tail_truncated);
}

TEST(Wal, CorruptionBeforeTailNamesFileAndOffset) {
  FaultyFs fs;
  WalState st;
  auto wal = MustOpen(fs, &st);
  ASSERT_TRUE(wal->Append(Range(1, 40, 1)).ok());
  ASSERT_TRUE(wal->Sync().ok());
  ASSERT_GE(wal->segment_count(), 3u);
  wal.reset();
  // A bit flip inside the first entry record of the first (non-last) segment.
  std::string path = "/w/" + SegmentName(1);
  std::string bytes = fs.ReadAll(path).value();
  auto scan = wal::ScanSegment(bytes);
  ASSERT_GE(scan.records.size(), 2u);
  std::uint64_t off = scan.records[1].offset;
  ASSERT_TRUE(fs.CorruptByte(path, off + 12, 0x10).ok());
  auto r = Wal::Open(fs, "/w", Small(), &st);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
  EXPECT_NE(r.status().message().find(path), std::string_view::npos) << r.status().ToString();
  EXPECT_NE(r.status().message().find("offset " + std::to_string(off)), std::string_view::npos)
      << r.status().ToString();
}

TEST(Wal, CorruptionInLastSegmentFollowedByValidRecordsIsNotATornTail) {
  FaultyFs fs;
  WalState st;
  WalOptions big = Small();
  big.segment_bytes_target = 1 << 20;
  auto wal = MustOpen(fs, &st, big);
  ASSERT_TRUE(wal->Append(Range(1, 10, 1)).ok());
  ASSERT_TRUE(wal->Sync().ok());
  wal.reset();
  std::string path = "/w/" + SegmentName(1);
  auto scan = wal::ScanSegment(fs.ReadAll(path).value());
  ASSERT_TRUE(fs.CorruptByte(path, scan.records[3].offset + 20, 0x01).ok());
  auto r = Wal::Open(fs, "/w", big, &st);
  ASSERT_FALSE(r.ok()) << "synced entries after the damage must not be dropped silently";
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
}

TEST(Wal, ZeroTailOfPreallocatedSegmentIsClean) {
  FaultyFs fs;
  WalState st;
  auto wal = MustOpen(fs, &st, [] { auto o = Small(); o.segment_bytes_target = 1 << 16; return o; }());
  ASSERT_TRUE(wal->Append(Range(1, 3, 1)).ok());
  ASSERT_TRUE(wal->Sync().ok());
  EXPECT_EQ(fs.ReadAll("/w/" + SegmentName(1)).value().size(), 1u << 16) << "preallocated";
  wal = MustOpen(fs, &st);
  EXPECT_FALSE(st.report.tail_truncated);
  EXPECT_EQ(st.entries, Range(1, 3, 1));
}

// Passes everything to FaultyFs and records each file write (offset, size,
// whether every byte was zero).
class WriteRecordingFs final : public Fs {
 public:
  struct WriteRecord {
    std::uint64_t offset, size;
    bool zeros;
  };
  Result<std::unique_ptr<File>> Open(const std::string& path, OpenMode mode) override {
    CAIRN_ASSIGN_OR_RETURN(auto f, inner.Open(path, mode));
    return std::unique_ptr<File>(new Recording(std::move(f), &writes));
  }
  Status Rename(const std::string& a, const std::string& b) override { return inner.Rename(a, b); }
  Status Remove(const std::string& p) override { return inner.Remove(p); }
  Result<std::vector<std::string>> List(const std::string& d) override { return inner.List(d); }
  Status CreateDir(const std::string& d) override { return inner.CreateDir(d); }
  Status SyncDir(const std::string& d) override { return inner.SyncDir(d); }
  bool Exists(const std::string& p) override { return inner.Exists(p); }

  FaultyFs inner;
  std::vector<WriteRecord> writes;

 private:
  class Recording final : public File {
   public:
    Recording(std::unique_ptr<File> f, std::vector<WriteRecord>* log)
        : f_(std::move(f)), log_(log) {}
    Status Write(std::uint64_t offset, std::string_view data) override {
      bool zeros = data.find_first_not_of('\0') == std::string_view::npos;
      log_->push_back({offset, data.size(), zeros});
      return f_->Write(offset, data);
    }
    Status Read(std::uint64_t o, std::size_t n, std::string* out) override {
      return f_->Read(o, n, out);
    }
    Status Sync() override { return f_->Sync(); }
    Status Truncate(std::uint64_t n) override { return f_->Truncate(n); }
    Status Allocate(std::uint64_t n) override { return f_->Allocate(n); }
    Result<std::uint64_t> Size() override { return f_->Size(); }

   private:
    std::unique_ptr<File> f_;
    std::vector<WriteRecord>* log_;
  };
};

// Each write that moves the position past the zeroed region is followed by
// zeros up to zero_ahead_bytes further (never past the preallocated size),
// so later fdatasyncs write into already-written blocks.
TEST(Wal, ZeroesAheadOfTheWritePositionOncePerChunk) {
  WriteRecordingFs fs;
  WalOptions o = Small();
  o.segment_bytes_target = 1 << 16;
  o.zero_ahead_bytes = 4096;
  WalState st;
  auto wal = MustOpen(fs, &st, o);
  ASSERT_NE(wal, nullptr);
  std::uint64_t end = 0;     // where the records end
  std::uint64_t zeroed = 0;  // where the last zero write ended
  std::size_t zero_writes = 0;
  raft::Index next = 1;
  while (end < (1u << 16) - 2048) {
    fs.writes.clear();
    std::vector<raft::Entry> one{E(next, 1, std::string(300, 'x'))};
    ASSERT_TRUE(wal->Append(one).ok());
    ++next;
    ASSERT_TRUE(wal->Sync().ok());
    ASSERT_FALSE(fs.writes.empty());
    const auto& rec = fs.writes.front();
    ASSERT_FALSE(rec.zeros);
    if (end > 0) {
      EXPECT_EQ(rec.offset, end) << "records are contiguous";
    }
    end = rec.offset + rec.size;
    if (end > zeroed) {
      ASSERT_EQ(fs.writes.size(), 2u) << "the record went past the zeros: a zero write follows";
      EXPECT_TRUE(fs.writes[1].zeros);
      EXPECT_EQ(fs.writes[1].offset, end);
      zeroed = fs.writes[1].offset + fs.writes[1].size;
      EXPECT_EQ(zeroed, std::min<std::uint64_t>(end + 4096, 1 << 16));
      ++zero_writes;
    } else {
      EXPECT_EQ(fs.writes.size(), 1u) << "inside the zeroed region: the record only";
    }
  }
  EXPECT_GE(zero_writes, 15u);
  EXPECT_LE(zero_writes, 17u) << "about one per 4 KiB written, not one per sync (" << next
                              << " syncs)";
  wal.reset();
  wal = MustOpen(fs.inner, &st, o);
  EXPECT_FALSE(st.report.tail_truncated);
  EXPECT_EQ(st.entries.size(), next - 1);
}

TEST(Wal, ZeroAheadOffWritesOnlyRecords) {
  WriteRecordingFs fs;
  WalOptions o = Small();
  o.segment_bytes_target = 1 << 16;
  o.zero_ahead_bytes = 0;
  WalState st;
  auto wal = MustOpen(fs, &st, o);
  ASSERT_NE(wal, nullptr);
  fs.writes.clear();
  ASSERT_TRUE(wal->Append(Range(1, 20, 1)).ok());
  ASSERT_TRUE(wal->Sync().ok());
  for (const auto& w : fs.writes) EXPECT_FALSE(w.zeros);
}

TEST(Wal, ReplayKeepsDataOnlyFromTheGivenIndex) {
  FaultyFs fs;
  WalState st;
  auto wal = MustOpen(fs, &st);  // small segments: the entries span several
  ASSERT_TRUE(wal->Append(Range(1, 30, 1)).ok());
  ASSERT_TRUE(wal->Append(Range(31, 40, 2)).ok());
  ASSERT_TRUE(wal->Sync().ok());
  wal.reset();
  WalOptions o = Small();
  o.replay_data_from = 25;
  wal = MustOpen(fs, &st, o);
  ASSERT_EQ(st.entries.size(), 40u);
  for (const auto& e : st.entries) {
    const raft::Entry want = E(e.index, e.index <= 30 ? 1 : 2);
    EXPECT_EQ(e.term, want.term) << e.index;
    EXPECT_EQ(e.data, e.index >= 25 ? want.data : "") << e.index;
  }
  // Appending after a hollow replay is unaffected.
  ASSERT_TRUE(wal->Append(Range(41, 41, 2)).ok());
  ASSERT_TRUE(wal->Sync().ok());
  wal = MustOpen(fs, &st);
  ASSERT_EQ(st.entries.size(), 41u);
  EXPECT_EQ(st.entries[0], E(1, 1));
  EXPECT_EQ(st.entries.back(), E(41, 2));
}

TEST(Wal, SyncErrorPoisonsTheWal) {
  FaultyFs fs;
  WalState st;
  auto wal = MustOpen(fs, &st);
  ASSERT_TRUE(wal->Append(Range(1, 2, 1)).ok());
  ASSERT_TRUE(wal->Sync().ok());
  fs.FailNext(FsOp::kSync, 1);
  ASSERT_TRUE(wal->Append(Range(3, 3, 1)).ok());
  EXPECT_EQ(wal->Sync().code(), StatusCode::kIOError);
  // The injected error is gone, but the Wal must not pretend the retry worked.
  EXPECT_EQ(wal->Sync().code(), StatusCode::kIOError);
  EXPECT_EQ(wal->Append(Range(4, 4, 1)).code(), StatusCode::kIOError);
  wal = MustOpen(fs, &st);
  EXPECT_GE(st.entries.size(), 2u);
}

TEST(Wal, ReadOnlyRefusesWrites) {
  FaultyFs fs;
  WalState st;
  { auto wal = MustOpen(fs, &st); }
  WalOptions ro = Small();
  ro.read_only = true;
  auto wal = MustOpen(fs, &st, ro);
  EXPECT_EQ(wal->Append(Range(1, 1, 1)).code(), StatusCode::kFailedPrecondition);
}

TEST(Wal, SegmentNames) {
  EXPECT_EQ(SegmentName(26), "000000000000001a.wal");
  EXPECT_EQ(ParseSegmentName("000000000000001a.wal"), 26u);
  EXPECT_FALSE(ParseSegmentName("000000000000001A.wal"));
  EXPECT_FALSE(ParseSegmentName("1a.wal"));
  EXPECT_FALSE(ParseSegmentName("000000000000001a.tmp"));
}

TEST(Wal, PosixRoundTrip) {
  char tmpl[] = "/tmp/cairn-wal-test-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  std::string dir = std::string(tmpl) + "/wal";
  WalOptions o;
  o.segment_bytes_target = 4096;
  o.log_recovery = false;
  auto entries = Range(1, 200, 7);
  {
    auto wal = Wal::Open(PosixFs::Instance(), dir, o, nullptr);
    ASSERT_TRUE(wal.ok()) << wal.status().ToString();
    ASSERT_TRUE((*wal)->Save(raft::HardState{7, 1, 150}, entries, true).ok());
  }
  WalState st;
  auto wal = Wal::Open(PosixFs::Instance(), dir, o, &st);
  ASSERT_TRUE(wal.ok()) << wal.status().ToString();
  EXPECT_EQ(st.entries, entries);
  EXPECT_EQ(st.hard_state, (raft::HardState{7, 1, 150}));
  auto listed = PosixFs::Instance().List(dir);
  ASSERT_TRUE(listed.ok());
  std::vector<std::string> names = *listed;
  for (const auto& n : names) {
    ASSERT_TRUE(PosixFs::Instance().Remove(dir + "/" + n).ok());
  }
  ::rmdir(dir.c_str());
  ::rmdir(tmpl);
}

}  // namespace
}  // namespace cairn::storage
