// Disk limits and WAL throughput (results: bench/results/storage.md).
//
// Files go under $CAIRN_BENCH_DIR (default ./storage-bench-tmp) and are
// deleted at the end of each benchmark. Run one filter at a time under
// /usr/bin/time -v to get the peak RSS of each figure.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <deque>
#include <string>
#include <thread>
#include <vector>

#include "storage/group_commit.h"
#include "storage/posix_fs.h"
#include "storage/wal.h"

namespace cairn::storage {
namespace {

std::string BenchDir(const std::string& name) {
  const char* base = std::getenv("CAIRN_BENCH_DIR");
  std::string dir = std::string(base ? base : "storage-bench-tmp") + "/" + name;
  std::string cmd = "rm -rf '" + dir + "' && mkdir -p '" + dir + "'";
  CAIRN_CHECK(std::system(cmd.c_str()) == 0);
  return dir;
}
void RemoveDir(const std::string& dir) {
  std::string cmd = "rm -rf '" + dir + "'";
  CAIRN_CHECK(std::system(cmd.c_str()) == 0);
}

// 4 KiB pwrite + fdatasync, appending. Arg: 0 = new file (grows), 1 = fallocate'd
// (unwritten extents), 2 = zero-filled and synced beforehand (fully allocated).
void BM_Fdatasync4K(benchmark::State& state) {
  std::string dir = BenchDir("fsync");
  std::string path = dir + "/f";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0644);
  CAIRN_CHECK(fd >= 0);
  const std::size_t kSpan = 256u << 20;
  if (state.range(0) == 1) CAIRN_CHECK(::posix_fallocate(fd, 0, kSpan) == 0);
  if (state.range(0) == 2) {
    std::string zeros(1 << 20, '\0');
    for (std::size_t off = 0; off < kSpan; off += zeros.size()) {
      CAIRN_CHECK(::pwrite(fd, zeros.data(), zeros.size(), static_cast<off_t>(off)) > 0);
    }
    CAIRN_CHECK(::fsync(fd) == 0);
  }
  std::string block(4096, 'x');
  std::size_t off = 0;
  for (auto _ : state) {
    CAIRN_CHECK(::pwrite(fd, block.data(), block.size(), static_cast<off_t>(off)) == 4096);
    CAIRN_CHECK(::fdatasync(fd) == 0);
    off = (off + 4096) % kSpan;
  }
  state.counters["syncs_per_s"] = benchmark::Counter(static_cast<double>(state.iterations()),
                                                     benchmark::Counter::kIsRate);
  ::close(fd);
  RemoveDir(dir);
}
BENCHMARK(BM_Fdatasync4K)->Arg(0)->Arg(1)->Arg(2)->MinTime(3)->UseRealTime();

// Sequential 1 MiB writes of 1 GiB, one fdatasync at the end.
void BM_SequentialWrite(benchmark::State& state) {
  std::string dir = BenchDir("seq");
  std::string block(1 << 20, 'y');
  const std::size_t kTotal = 1u << 30;
  for (auto _ : state) {
    int fd = ::open((dir + "/f").c_str(), O_RDWR | O_CREAT | O_TRUNC, 0644);
    for (std::size_t off = 0; off < kTotal; off += block.size()) {
      CAIRN_CHECK(::pwrite(fd, block.data(), block.size(), static_cast<off_t>(off)) > 0);
    }
    CAIRN_CHECK(::fdatasync(fd) == 0);
    ::close(fd);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kTotal));
  RemoveDir(dir);
}
BENCHMARK(BM_SequentialWrite)->Iterations(2)->UseRealTime()->Unit(benchmark::kMillisecond);

// Durable appends under group commit: Arg = proposer threads, each waiting
// for its 256-byte entry to be durable before proposing the next.
void BM_WalGroupCommit(benchmark::State& state) {
  const int threads = static_cast<int>(state.range(0));
  const int seconds = 5;
  std::string dir = BenchDir("gc");
  std::uint64_t entries = 0, syncs = 0;
  for (auto _ : state) {
    auto wal = Wal::Open(PosixFs::Instance(), dir + "/wal", {}, nullptr).value();
    GroupCommitter gc(*wal);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    std::vector<std::thread> ts;
    for (int t = 0; t < threads; t++) {
      ts.emplace_back([&] {
        std::string data(256, 'd');
        while (std::chrono::steady_clock::now() < deadline) {
          CAIRN_CHECK(gc.Propose(1, {data}).get().ok());
        }
      });
    }
    for (auto& t : ts) t.join();
    entries += gc.entries_written();
    syncs += gc.syncs();
  }
  state.counters["entries_per_s"] = benchmark::Counter(static_cast<double>(entries), benchmark::Counter::kIsRate);
  state.counters["syncs_per_s"] = benchmark::Counter(static_cast<double>(syncs), benchmark::Counter::kIsRate);
  state.counters["entries_per_sync"] = static_cast<double>(entries) / static_cast<double>(syncs);
  RemoveDir(dir);
}
BENCHMARK(BM_WalGroupCommit)->Arg(1)->Arg(4)->Arg(16)->Arg(64)->Arg(256)->Iterations(1)->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// Saturation: 16 proposer threads, each keeping Arg entries in flight
// (proposes Arg, then waits for the oldest before proposing the next).
void BM_WalGroupCommitPipelined(benchmark::State& state) {
  const int threads = 16;
  const std::size_t depth = static_cast<std::size_t>(state.range(0));
  std::string dir = BenchDir("gcp");
  std::uint64_t entries = 0, syncs = 0;
  for (auto _ : state) {
    auto wal = Wal::Open(PosixFs::Instance(), dir + "/wal", {}, nullptr).value();
    GroupCommitter gc(*wal);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    std::vector<std::thread> ts;
    for (int t = 0; t < threads; t++) {
      ts.emplace_back([&] {
        std::string data(256, 'd');
        std::deque<std::future<Result<raft::Index>>> inflight;
        while (std::chrono::steady_clock::now() < deadline) {
          while (inflight.size() < depth) inflight.push_back(gc.Propose(1, {data}));
          CAIRN_CHECK(inflight.front().get().ok());
          inflight.pop_front();
        }
        for (auto& f : inflight) CAIRN_CHECK(f.get().ok());
      });
    }
    for (auto& t : ts) t.join();
    entries += gc.entries_written();
    syncs += gc.syncs();
  }
  state.counters["entries_per_s"] = benchmark::Counter(static_cast<double>(entries), benchmark::Counter::kIsRate);
  state.counters["syncs_per_s"] = benchmark::Counter(static_cast<double>(syncs), benchmark::Counter::kIsRate);
  state.counters["entries_per_sync"] = static_cast<double>(entries) / static_cast<double>(syncs);
  RemoveDir(dir);
}
BENCHMARK(BM_WalGroupCommitPipelined)->Arg(16)->Arg(64)->Iterations(1)->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// Writes `bytes` of 256-byte entries (4096 per synced batch), then measures Open.
void BuildWal(const std::string& dir, std::uint64_t bytes) {
  auto wal = Wal::Open(PosixFs::Instance(), dir, {}, nullptr).value();
  std::vector<raft::Entry> batch(4096);
  raft::Index next = 1;
  for (std::uint64_t written = 0; written < bytes;) {
    for (auto& e : batch) {
      e = {1, next++, raft::EntryType::kNormal, std::string(256, 'r')};
      written += 256 + 26;
    }
    CAIRN_CHECK(wal->Save(std::nullopt, batch, true).ok());
  }
}

// Arg = MiB of WAL. Page cache is warm (just written): this is the CPU cost of
// replay; a cold start adds the disk's sequential read time.
void BM_WalReplay(benchmark::State& state) {
  std::string dir = BenchDir("replay");
  BuildWal(dir + "/wal", static_cast<std::uint64_t>(state.range(0)) << 20);
  std::uint64_t bytes = 0;
  std::size_t entries = 0;
  for (auto _ : state) {
    WalState st;
    auto wal = Wal::Open(PosixFs::Instance(), dir + "/wal", {}, &st);
    CAIRN_CHECK(wal.ok());
    bytes += st.report.bytes_replayed;
    entries = st.entries.size();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
  state.counters["entries"] = static_cast<double>(entries);
  RemoveDir(dir);
}
BENCHMARK(BM_WalReplay)->Arg(256)->Arg(1024)->Iterations(3)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace cairn::storage

BENCHMARK_MAIN();
