// Goal: every raft::Message survives encode/decode unchanged, and damaged or
// hostile bytes give an error (never a crash). Method: round trips of built
// and random messages (rapidcheck), targeted corruptions, and a replay of the
// fuzz corpus in fuzz/net/corpus.
#include "net/raft_codec.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace cairn::net {
namespace {

raft::Message SampleAppend() {
  raft::Message m;
  m.type = raft::MessageType::kAppend;
  m.from = 1;
  m.to = 2;
  m.term = 7;
  m.log_term = 6;
  m.index = 41;
  m.commit = 40;
  m.context = 99;
  m.entries.push_back({7, 42, raft::EntryType::kNormal, "set k v"});
  m.entries.push_back({7, 43, raft::EntryType::kNoop, ""});
  return m;
}

std::string Framed(const raft::Message& m) {
  std::string out;
  AppendFrame(FrameType::kRaft, EncodeMessage(m), &out);
  return out;
}

TEST(RaftCodec, RoundTripsThroughFrames) {
  raft::Message m = SampleAppend();
  std::string bytes = Framed(m) + Framed(m);
  FrameReader reader;
  // Feed one byte at a time: frames appear only when complete.
  int frames = 0;
  for (char c : bytes) {
    reader.Feed(std::string_view(&c, 1));
    auto f = reader.Next();
    ASSERT_TRUE(f.ok());
    if (!f->has_value()) continue;
    ++frames;
    EXPECT_EQ((*f)->type, FrameType::kRaft);
    auto decoded = DecodeMessage((*f)->payload);
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    EXPECT_EQ(*decoded, m);
  }
  EXPECT_EQ(frames, 2);
}

TEST(RaftCodec, FlippedPayloadByteFailsChecksum) {
  std::string bytes = Framed(SampleAppend());
  bytes[kFrameHeaderBytes + 5] ^= 0x40;
  FrameReader reader;
  reader.Feed(bytes);
  auto f = reader.Next();
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().code(), StatusCode::kCorruption);
  EXPECT_FALSE(reader.Next().ok()) << "errors are sticky";
}

TEST(RaftCodec, RejectsBadVersionTypeAndLength) {
  std::string good = Framed(SampleAppend());
  std::string v = good;
  v[4] = 9;
  std::string t = good;
  t[5] = 77;
  std::string l = good;
  l[3] = static_cast<char>(0x7f);  // ~2 GiB payload
  for (const std::string& bad : {v, t, l}) {
    FrameReader reader;
    reader.Feed(bad);
    auto f = reader.Next();
    EXPECT_FALSE(f.ok());
    EXPECT_EQ(f.status().code(), StatusCode::kInvalidArgument);
  }
}

TEST(RaftCodec, TruncatedOrHostilePayloadsAreErrors) {
  std::string payload = EncodeMessage(SampleAppend());
  for (std::size_t n = 0; n < payload.size(); ++n) {
    EXPECT_FALSE(DecodeMessage(payload.substr(0, n)).ok()) << "prefix " << n;
  }
  EXPECT_FALSE(DecodeMessage(payload + "x").ok()) << "trailing bytes";
  std::string huge_count = payload;
  // Entry count sits after type(1) + 6*u64 + reject(1) + 2*u64 = 66 bytes.
  huge_count[66 + 3] = static_cast<char>(0xff);
  auto r = DecodeMessage(huge_count);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("entry count"), std::string_view::npos);
  std::string bad_type = payload;
  bad_type[0] = static_cast<char>(raft::kMessageTypeCount);
  EXPECT_FALSE(DecodeMessage(bad_type).ok());
}

RC_GTEST_PROP(RaftCodecProp, AnyMessageRoundTrips, ()) {
  raft::Message m;
  m.type = static_cast<raft::MessageType>(*rc::gen::inRange(0, raft::kMessageTypeCount));
  m.from = *rc::gen::arbitrary<std::uint64_t>();
  m.to = *rc::gen::arbitrary<std::uint64_t>();
  m.term = *rc::gen::arbitrary<std::uint64_t>();
  m.index = *rc::gen::arbitrary<std::uint64_t>();
  m.commit = *rc::gen::arbitrary<std::uint64_t>();
  m.reject = *rc::gen::arbitrary<bool>();
  m.context = *rc::gen::arbitrary<std::uint64_t>();
  auto n = *rc::gen::inRange(0, 5);
  for (int i = 0; i < n; ++i) {
    m.entries.push_back({*rc::gen::arbitrary<std::uint64_t>(), *rc::gen::arbitrary<std::uint64_t>(),
                         static_cast<raft::EntryType>(*rc::gen::inRange(0, 3)),
                         *rc::gen::arbitrary<std::string>()});
  }
  if (m.type == raft::MessageType::kSnapshot) {  // only this type carries snapshot metadata
    m.snapshot.index = *rc::gen::arbitrary<std::uint64_t>();
    m.snapshot.term = *rc::gen::arbitrary<std::uint64_t>();
    m.snapshot.membership.voters = *rc::gen::container<std::vector<std::uint64_t>>(
        *rc::gen::inRange(0, 6), rc::gen::arbitrary<std::uint64_t>());
    m.snapshot.membership.learners = *rc::gen::container<std::vector<std::uint64_t>>(
        *rc::gen::inRange(0, 3), rc::gen::arbitrary<std::uint64_t>());
  }
  auto decoded = DecodeMessage(EncodeMessage(m));
  RC_ASSERT(decoded.ok());
  RC_ASSERT(*decoded == m);
}

// Replays the fuzz corpus through the same entry point the fuzzer uses.
TEST(RaftCodec, CorpusReplaysWithoutCrash) {
  int files = 0, decoded = 0;
  for (const auto& e : std::filesystem::directory_iterator(CAIRN_NET_CORPUS_DIR)) {
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    FrameReader reader;
    reader.Feed(ss.str());
    for (;;) {
      auto f = reader.Next();
      if (!f.ok() || !f->has_value()) break;
      if ((*f)->type == FrameType::kRaft && DecodeMessage((*f)->payload).ok()) ++decoded;
    }
    ++files;
  }
  EXPECT_GE(files, 3);
  EXPECT_GE(decoded, 1) << "the corpus holds at least one valid message";
}

}  // namespace
}  // namespace cairn::net
