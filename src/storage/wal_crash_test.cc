// Crash safety of the Wal on FaultyFs.
//
// Goal: after a crash at any point (including mid-sync and mid-recovery),
// reopening yields exactly the state after some prefix of the records written
// since the last successful Sync: nothing synced is lost, nothing never
// appended appears, the log is contiguous, and the hard state matches.
// Method: random appends (with conflicting-suffix replacements), hard-state
// writes, syncs and compactions against a model; the fs crashes after a
// random number of operations; reopen and compare with the model's list of
// allowed states. The same checker must fail on broken variants of the Wal
// (no fdatasync, no CRC check).
//
// Seeds: CAIRN_SEED=<n> replays one seed; CAIRN_SEEDS=<n> sets the count.
#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <sstream>

#include "common/random.h"
#include "storage/faulty_fs.h"
#include "storage/wal.h"
#include "storage/wal_tool.h"
#include <iostream>

namespace cairn::storage {
namespace {

struct ModelState {
  std::vector<raft::Entry> log;  // log[i] has index i + 1
  raft::HardState hs;
};

// Empty string if `got` is an acceptable recovery of one of `allowed`; sets
// *matched to the index of the state it matches.
std::string Check(const WalState& got, const std::vector<ModelState>& allowed, raft::Index floor,
                  std::size_t* matched) {
  for (std::size_t i = 1; i < got.entries.size(); i++) {
    if (got.entries[i].index != got.entries[i - 1].index + 1) return "recovered log not contiguous";
  }
  for (std::size_t k = allowed.size(); k-- > 0;) {
    const ModelState& s = allowed[k];
    if (got.hard_state != s.hs) continue;
    raft::Index last = got.entries.empty() ? got.first_index - 1 : got.entries.back().index;
    if (last != s.log.size()) continue;
    if (!got.entries.empty() && got.entries.front().index > floor + 1) continue;  // lost entries
    if (got.entries.empty() && last > floor) continue;
    bool same = true;
    for (const auto& e : got.entries) {
      if (e.index == 0 || e.index > s.log.size() || !(s.log[e.index - 1] == e)) {
        same = false;
        break;
      }
    }
    if (same) {
      *matched = k;
      return "";
    }
  }
  std::ostringstream out;
  out << "recovered state matches no allowed state: hs{" << got.hard_state.term << ","
      << got.hard_state.vote << "," << got.hard_state.commit << "} entries "
      << got.entries.size() << " last "
      << (got.entries.empty() ? 0 : got.entries.back().index) << "; acked last "
      << allowed.front().log.size() << " hs.term " << allowed.front().hs.term << ", newest last "
      << allowed.back().log.size() << " floor " << floor;
  const ModelState& a = allowed.front();
  for (const auto& e : got.entries) {
    if (e.index > a.log.size() || !(a.log[e.index - 1] == e)) {
      out << "; first difference from acked at index " << e.index << " (term " << e.term << " vs "
          << (e.index <= a.log.size() ? a.log[e.index - 1].term : 0) << ")";
      break;
    }
  }
  return out.str();
}

struct Variant {
  bool skip_sync = false;
  bool skip_crc = false;
};

// Runs one seed; returns "" on success or a description of the failure.
std::string RunSeed(std::uint64_t seed, Variant variant) {
  Xoshiro256 rng(seed);
  FaultyFs fs;
  WalOptions opt;
  static const std::uint64_t kTargets[] = {200, 700, 4096};
  opt.segment_bytes_target = kTargets[rng.Uniform(3)];
  opt.preallocate = rng.OneIn(2);
  opt.write_buffer_bytes = rng.OneIn(2) ? 64 : 1 << 20;
  opt.log_recovery = false;
  opt.test_skip_sync = variant.skip_sync;
  opt.test_skip_crc_check = variant.skip_crc;

  ModelState cur;
  std::vector<ModelState> allowed = {cur};  // states a crash may leave, oldest = acked
  raft::Index floor = 0;
  raft::Term term = 1;
  for (int round = 0; round < 4; round++) {
    // Open, maybe crashing during recovery itself.
    WalState got;
    std::unique_ptr<Wal> wal;
    for (int attempt = 0; attempt < 3 && !wal; attempt++) {
      if (attempt < 2 && rng.OneIn(4)) fs.CrashAfterOps(rng.Range(1, 4));
      auto r = Wal::Open(fs, "/wal", opt, &got);
      if (r.ok()) {
        wal = std::move(r).value();
      } else if (fs.crashed()) {
        fs.Crash(rng.NextU64());
      } else {
        if (std::getenv("CAIRN_WAL_DUMP")) (void)DumpWal(fs, "/wal", std::cerr);
        return "open failed: " + r.status().ToString();
      }
    }
    if (!wal) return "open kept failing";
    fs.CrashAfterOps(0);
    std::size_t matched = 0;
    if (std::string err = Check(got, allowed, floor, &matched); !err.empty()) {
      if (std::getenv("CAIRN_WAL_DUMP")) (void)DumpWal(fs, "/wal", std::cerr);
      return "round " + std::to_string(round) + ": " + err;
    }
    // The recovered state is now the only state (it was made durable by recovery).
    cur = allowed[matched];
    allowed = {cur};
    if (term < cur.hs.term) term = cur.hs.term;
    for (const auto& e : cur.log) term = std::max(term, e.term);

    if (round < 3) fs.CrashAfterOps(rng.Range(1, 80));
    for (int op = 0; op < 40; op++) {
      Status s;
      std::uint64_t pick = rng.Uniform(10);
      if (pick < 5) {
        raft::Index lo = std::max<raft::Index>(wal->first_index(), floor + 1);
        raft::Index start = cur.log.size() + 1;
        if (rng.OneIn(5) && start > lo) start = rng.Range(lo, start);
        if (rng.OneIn(4)) term++;
        std::vector<raft::Entry> batch;
        for (std::uint64_t k = 0, n = rng.Range(1, 6); k < n; k++) {
          std::string data(rng.Uniform(90), '\0');
          for (auto& c : data) c = rng.OneIn(3) ? '\0' : static_cast<char>(rng.NextU64());
          batch.push_back({term, start + k, static_cast<raft::EntryType>(rng.Uniform(3)), data});
          cur.log.resize(start + k - 1);
          cur.log.push_back(batch.back());
          allowed.push_back(cur);
        }
        s = wal->Append(batch);
      } else if (pick < 7) {
        if (rng.OneIn(2)) term++;
        cur.hs = {term, rng.Uniform(4), std::min<raft::Index>(cur.log.size(), cur.hs.commit + rng.Uniform(5))};
        allowed.push_back(cur);
        s = wal->SetHardState(cur.hs);
      } else if (pick < 9) {
        s = wal->Sync();
        if (s.ok()) allowed = {cur};
      } else {
        raft::Index to = rng.Uniform(cur.log.size() + 1);
        floor = std::max(floor, to);  // even a failed Compact may have removed some
        s = wal->Compact(to);
        if (s.ok()) allowed = {cur};  // Compact syncs first
      }
      if (!s.ok()) {
        if (!fs.crashed()) return "unexpected error: " + s.ToString();
        break;
      }
    }
    wal.reset();
    fs.Crash(rng.NextU64());
  }
  return "";
}

std::uint64_t EnvU64(const char* name, std::uint64_t def) {
  const char* v = std::getenv(name);
  return v ? std::strtoull(v, nullptr, 10) : def;
}

#ifdef CAIRN_CRASH_SWEEP
constexpr std::uint64_t kSeeds = 30000;
#else
constexpr std::uint64_t kSeeds = 1000;
#endif

TEST(WalCrash, NoAcknowledgedLossNoPhantoms) {
  if (const char* one = std::getenv("CAIRN_SEED")) {
    std::uint64_t seed = std::strtoull(one, nullptr, 10);
    EXPECT_EQ(RunSeed(seed, {}), "") << "seed " << seed;
    return;
  }
  std::uint64_t base = EnvU64("CAIRN_SEED_BASE", 1);
  std::uint64_t n = EnvU64("CAIRN_SEEDS", kSeeds);
  std::printf("seeds %llu..%llu (CAIRN_SEED=<n> replays one)\n", static_cast<unsigned long long>(base),
              static_cast<unsigned long long>(base + n - 1));
  int failures = 0;
  for (std::uint64_t seed = base; seed < base + n && failures < 5; seed++) {
    std::string err = RunSeed(seed, {});
    if (!err.empty()) {
      ADD_FAILURE() << "seed " << seed << ": " << err;
      failures++;
    }
  }
}

// The checker must catch a Wal that acknowledges without fdatasync.
TEST(WalCrash, CatchesSkippedSync) {
  int caught = 0;
  for (std::uint64_t seed = 1; seed <= 300; seed++) {
    if (!RunSeed(seed, {.skip_sync = true}).empty()) caught++;
  }
  std::printf("skip-sync variant failed %d of 300 seeds\n", caught);
  EXPECT_GT(caught, 30);
}

// ... and one that replays records without checking their CRC.
TEST(WalCrash, CatchesSkippedCrcCheck) {
  int caught = 0;
  for (std::uint64_t seed = 1; seed <= 300; seed++) {
    if (!RunSeed(seed, {.skip_crc = true}).empty()) caught++;
  }
  std::printf("skip-crc variant failed %d of 300 seeds\n", caught);
  EXPECT_GT(caught, 5);
}

}  // namespace
}  // namespace cairn::storage
