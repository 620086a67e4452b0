// cairn_wal_load DIR THREADS RUN [SEGMENT_BYTES]: appends under group commit
// from THREADS proposers until killed (or 200000 proposals), printing
// "ack <index> <data>" for every acknowledged entry, flushed at once.
// Entry data is "r<RUN>-t<thread>-s<seq>". Used by wal_kill_test.
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "storage/group_commit.h"
#include "storage/posix_fs.h"

int main(int argc, char** argv) {
  using namespace cairn::storage;
  if (argc < 4) {
    std::fprintf(stderr, "usage: cairn_wal_load DIR THREADS RUN [SEGMENT_BYTES]\n");
    return 2;
  }
  WalOptions opt;
  opt.segment_bytes_target = argc > 4 ? std::strtoull(argv[4], nullptr, 10) : (1u << 20);
  auto wal = Wal::Open(PosixFs::Instance(), argv[1], opt, nullptr);
  if (!wal.ok()) {
    std::fprintf(stderr, "open: %s\n", wal.status().ToString().c_str());
    return 1;
  }
  std::printf("ready %llu\n", static_cast<unsigned long long>((*wal)->last_index()));
  std::fflush(stdout);
  int threads = std::atoi(argv[2]);
  std::string run = argv[3];
  std::mutex out_mu;
  GroupCommitter gc(**wal);
  std::vector<std::thread> ts;
  for (int t = 0; t < threads; t++) {
    ts.emplace_back([&, t] {
      for (int s = 0; s < 200000 / threads; s++) {
        std::string d = "r" + run + "-t" + std::to_string(t) + "-s" + std::to_string(s);
        auto r = gc.Propose(1, {d}).get();
        if (!r.ok()) {
          std::fprintf(stderr, "propose: %s\n", r.status().ToString().c_str());
          std::exit(1);
        }
        std::lock_guard lock(out_mu);
        std::printf("ack %llu %s\n", static_cast<unsigned long long>(*r), d.c_str());
        std::fflush(stdout);
      }
    });
  }
  for (auto& t : ts) t.join();
  return 0;
}
