// Replays the fuzz corpora (fuzz/resp/corpus/{request,reply}) through the same
// entry points the libFuzzer targets call, so CI exercises them on every build
// without clang. The entry points live in fuzz/resp/fuzz_entry.h.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "../../fuzz/resp/fuzz_entry.h"

namespace cairn::resp {
namespace {

std::vector<std::string> ReadCorpus(const std::string& sub) {
  std::vector<std::string> out;
  std::filesystem::path dir = std::filesystem::path(CAIRN_RESP_CORPUS_DIR) / sub;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    out.push_back(ss.str());
  }
  return out;
}

TEST(CorpusReplayTest, RequestCorpus) {
  auto corpus = ReadCorpus("request");
  ASSERT_GE(corpus.size(), 5u);
  std::size_t commands = 0;
  for (const std::string& input : corpus) commands += fuzz::FuzzRequestParser(input);
  EXPECT_GT(commands, 0u);  // the seeds include valid requests
}

TEST(CorpusReplayTest, ReplyCorpus) {
  auto corpus = ReadCorpus("reply");
  ASSERT_GE(corpus.size(), 5u);
  std::size_t replies = 0;
  for (const std::string& input : corpus) replies += fuzz::FuzzReplyParser(input);
  EXPECT_GT(replies, 0u);
}

}  // namespace
}  // namespace cairn::resp
