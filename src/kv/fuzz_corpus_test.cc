// Replays fuzz/kv/corpus through the libFuzzer target's entry point, so CI
// exercises it without clang.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "../../fuzz/kv/fuzz_entry.h"

namespace cairn::kv {
namespace {

TEST(KvFuzzCorpusTest, ReplaysSeeds) {
  std::size_t decoded = 0;
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(CAIRN_KV_CORPUS_DIR)) {
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    const bool ok = fuzz::FuzzLogEntry(ss.str());
    decoded += ok ? 1 : 0;
    ++files;
    const std::string name = entry.path().filename().string();
    if (name == "group" || name == "hashes" || name == "txn-hashes" || name == "sets" ||
        name == "txn-sets" || name == "lists" || name == "txn-lists" || name == "mpops" ||
        name == "txn-redis7" || name == "streams" || name == "txn-streams" ||
        name == "stream-groups" || name == "stream-claims" || name == "stream-info" ||
        name == "txn-stream-info" || name == "bits" || name == "txn-bits" || name == "hll" ||
        name == "txn-hll" || name == "bitfield" || name == "txn-bitfield" || name == "eval" ||
        name == "eval-ro-spin" || name == "geo" || name == "txn-geo" || name == "sort" ||
        name == "txn-sort" || name == "restore" || name == "txn-restore") {
      EXPECT_TRUE(ok) << "the " << name << " seed must apply";
    }
  }
  EXPECT_GE(files, 5u);
  EXPECT_GT(decoded, 0u);
  EXPECT_LT(decoded, files);  // the corpus holds a malformed seed too
}

}  // namespace
}  // namespace cairn::kv
