// Follower catch-up by snapshot: a 256 MiB snapshot file streamed by the
// transfer protocol into a follower's FileChunkSink (fdatasync + durable
// resume point after every chunk, atomic install at the end). The "network"
// is a function call, so this is the protocol-plus-disk ceiling on this
// machine; the runtime adds a TCP hop.
//
// Run: build/release/bench/snapshot/snapshot_bench

#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "common/random.h"
#include "snapshot/files.h"

namespace cairn::snapshot {
namespace {

namespace fs = std::filesystem;

constexpr std::uint64_t kSnapshotBytes = 256ull << 20;

std::string MakeDir(const char* name) {
  std::string d = (fs::temp_directory_path() / name).string() + "-" + std::to_string(::getpid());
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

void BM_CatchUpBySnapshot(benchmark::State& state) {
  const auto chunk = static_cast<std::size_t>(state.range(0));
  const std::string src_dir = MakeDir("cairn-snap-src");
  const std::string dst_dir = MakeDir("cairn-snap-dst");
  const std::string path = src_dir + "/snap";
  {
    std::ofstream out(path, std::ios::binary);
    Xoshiro256 r(1);
    std::string block(1 << 20, '\0');
    for (auto& c : block) c = static_cast<char>(r.NextU64());
    for (std::uint64_t i = 0; i < kSnapshotBytes / block.size(); ++i) out << block;
  }
  std::uint64_t index = 0;
  for (auto _ : state) {
    auto src = FileChunkSource::Open(path);
    if (!src.ok()) state.SkipWithError("open source");
    FileChunkSink sink(dst_dir);
    Receiver recv(sink);
    Sender sender({++index, 1}, **src, {.chunk_bytes = chunk, .window_chunks = 4});
    while (!sender.done() && !sender.failed()) {
      auto chunks = sender.Poll();
      if (!chunks.ok()) state.SkipWithError("poll");
      for (auto& c : *chunks) sender.OnAck(recv.OnChunk(c));
    }
    if (!sender.done()) state.SkipWithError("transfer failed");
    state.PauseTiming();
    fs::remove(sink.InstalledPath({index, 1}));
    state.ResumeTiming();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kSnapshotBytes));
  fs::remove_all(src_dir);
  fs::remove_all(dst_dir);
}
BENCHMARK(BM_CatchUpBySnapshot)->Arg(256 << 10)->Arg(1 << 20)->Arg(4 << 20)->Iterations(2)
    ->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace cairn::snapshot

BENCHMARK_MAIN();
