// Replays the fuzzer's seed corpus (fuzz/storage/corpus) through the fuzz
// body, plus generated damage of a valid segment, so CI exercises it.
#include <dirent.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "common/random.h"
#include "fuzz/storage/wal_segment_fuzz_body.h"

namespace cairn::storage {
namespace {

TEST(WalFuzzReplay, SeedCorpus) {
  DIR* d = ::opendir(CAIRN_WAL_CORPUS_DIR);
  ASSERT_NE(d, nullptr) << CAIRN_WAL_CORPUS_DIR;
  int n = 0;
  while (struct dirent* e = ::readdir(d)) {
    if (e->d_name[0] == '.') continue;
    // Appended in place: GCC 12 reports a false -Warray-bounds on
    // `std::string(literal) + "/" + name` once <string> comes from a PCH.
    std::string path = CAIRN_WAL_CORPUS_DIR;
    path.append("/").append(e->d_name);
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string b = ss.str();
    FuzzOneWalSegment(reinterpret_cast<const std::uint8_t*>(b.data()), b.size());
    n++;
  }
  ::closedir(d);
  EXPECT_GE(n, 3) << "the seed corpus should not be empty";
}

TEST(WalFuzzReplay, RandomDamageOfAValidSegment) {
  std::string good;
  wal::AppendSegmentHeader(&good, {wal::kFormatVersion, 1, 1});
  for (raft::Index i = 1; i <= 20; i++) wal::AppendEntry(&good, {1, i, raft::EntryType::kNormal, std::string(i, 'x')});
  wal::AppendHardState(&good, {1, 1, 20});
  std::uint64_t seed = 12345;
  if (const char* env = std::getenv("CAIRN_SEED")) seed = std::strtoull(env, nullptr, 10);
  std::printf("seed %llu (CAIRN_SEED to replay)\n", static_cast<unsigned long long>(seed));
  Xoshiro256 rng(seed);
  for (int iter = 0; iter < 2000; iter++) {
    std::string b = good;
    int flips = static_cast<int>(rng.Range(1, 4));
    for (int k = 0; k < flips; k++) b[rng.Uniform(b.size())] ^= static_cast<char>(rng.Range(1, 255));
    if (rng.OneIn(3)) b.resize(rng.Uniform(b.size()));
    FuzzOneWalSegment(reinterpret_cast<const std::uint8_t*>(b.data()), b.size());
  }
}

}  // namespace
}  // namespace cairn::storage
