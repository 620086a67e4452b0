// cairn-wal: inspect a WAL directory.
//   cairn-wal dump DIR     every record, one per line
//   cairn-wal verify DIR   replay read-only; exit 0 if Open would accept it,
//                          1 on corruption (file and offset printed), 2 on usage
#include <cstdio>
#include <iostream>
#include <string>

#include "storage/posix_fs.h"
#include "storage/wal_tool.h"

int main(int argc, char** argv) {
  using namespace cairn::storage;
  if (argc != 3 || (std::string(argv[1]) != "dump" && std::string(argv[1]) != "verify")) {
    std::fprintf(stderr, "usage: cairn-wal dump|verify DIR\n");
    return 2;
  }
  std::string dir = argv[2];
  if (std::string(argv[1]) == "dump") {
    auto s = DumpWal(PosixFs::Instance(), dir, std::cout);
    if (!s.ok()) {
      std::fprintf(stderr, "cairn-wal: %s\n", s.ToString().c_str());
      return 1;
    }
    return 0;
  }
  auto r = VerifyWal(PosixFs::Instance(), dir);
  if (!r.ok()) {
    std::fprintf(stderr, "cairn-wal: verify failed: %s\n", r.status().ToString().c_str());
    return 1;
  }
  const VerifySummary& v = *r;
  std::printf("ok: %zu segments, %zu entries [%llu, %llu], %llu bytes, hard state term=%llu "
              "vote=%llu commit=%llu%s\n",
              v.segments, v.entries, static_cast<unsigned long long>(v.first_index),
              static_cast<unsigned long long>(v.last_index), static_cast<unsigned long long>(v.bytes),
              static_cast<unsigned long long>(v.hard_state.term),
              static_cast<unsigned long long>(v.hard_state.vote),
              static_cast<unsigned long long>(v.hard_state.commit),
              v.torn_tail ? " (torn tail: Open would truncate it)" : "");
  for (const auto& n : v.notes) std::printf("note: %s\n", n.c_str());
  return 0;
}
