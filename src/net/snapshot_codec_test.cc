// Snapshot frame payloads round-trip, and malformed ones are refused.
#include "net/snapshot_codec.h"

#include <gtest/gtest.h>

#include "net/raft_codec.h"

namespace cairn::net {
namespace {

TEST(SnapshotCodec, ChunkAndAckRoundTrip) {
  SnapshotChunkFrame f;
  f.chunk = {{42, 7}, 1024, 4096, 0xdeadbeef, true, 0x12345678, 3, std::string("bytes\0here", 10)};
  auto back = DecodeSnapshotChunk(EncodeSnapshotChunk(f)).value();
  EXPECT_FALSE(back.resume_request);
  EXPECT_EQ(back.chunk.id, f.chunk.id);
  EXPECT_EQ(back.chunk.offset, 1024u);
  EXPECT_EQ(back.chunk.total_bytes, 4096u);
  EXPECT_EQ(back.chunk.crc, 0xdeadbeefu);
  EXPECT_TRUE(back.chunk.last);
  EXPECT_EQ(back.chunk.total_crc, 0x12345678u);
  EXPECT_EQ(back.chunk.attempt, 3u);
  EXPECT_EQ(back.chunk.data, f.chunk.data);

  snapshot::ChunkAck a{{42, 7}, 2048, false, true, 9};
  auto ab = DecodeSnapshotAck(EncodeSnapshotAck(a)).value();
  EXPECT_EQ(ab.id, a.id);
  EXPECT_EQ(ab.next_offset, 2048u);
  EXPECT_FALSE(ab.complete);
  EXPECT_TRUE(ab.rejected);
  EXPECT_EQ(ab.attempt, 9u);
}

TEST(SnapshotCodec, MalformedPayloadsAreRefused) {
  SnapshotChunkFrame f;
  f.chunk.data = "abc";
  std::string good = EncodeSnapshotChunk(f);
  ASSERT_TRUE(DecodeSnapshotChunk(good).ok());
  for (std::size_t n = 0; n < good.size(); n++) {
    EXPECT_FALSE(DecodeSnapshotChunk(good.substr(0, n)).ok()) << "truncated at " << n;
  }
  EXPECT_FALSE(DecodeSnapshotChunk(good + "x").ok());
  std::string bad_kind = good;
  bad_kind[0] = 9;
  EXPECT_FALSE(DecodeSnapshotChunk(bad_kind).ok());
  f.resume_request = true;
  EXPECT_FALSE(DecodeSnapshotChunk(EncodeSnapshotChunk(f)).ok()) << "a resume request carries no data";
  std::string ack = EncodeSnapshotAck({});
  EXPECT_FALSE(DecodeSnapshotAck(ack.substr(1)).ok());
  EXPECT_FALSE(DecodeSnapshotAck(ack + "x").ok());
  ack[24] = 2;  // complete must be 0 or 1
  EXPECT_FALSE(DecodeSnapshotAck(ack).ok());
}

TEST(SnapshotCodec, RaftSnapshotMessageCarriesItsMetadata) {
  raft::Message m;
  m.type = raft::MessageType::kSnapshot;
  m.from = 1;
  m.to = 2;
  m.term = 3;
  m.snapshot = {871, 2, {{1, 2, 3}, {4}}};
  std::string wire = EncodeMessage(m);
  auto back = DecodeMessage(wire).value();
  EXPECT_EQ(back.snapshot, m.snapshot);
  for (std::size_t n = wire.size() - 40; n < wire.size(); n++) {
    EXPECT_FALSE(DecodeMessage(wire.substr(0, n)).ok()) << n;
  }
  std::string huge = wire.substr(0, wire.size() - 8 * 5 - 4 * 2) + std::string("\xff\xff\xff\x7f", 4);
  EXPECT_FALSE(DecodeMessage(huge).ok()) << "a membership count beyond the payload";
}

TEST(SnapshotCodec, FramerAcceptsTheNewFrameTypes) {
  std::string wire;
  AppendFrame(FrameType::kSnapshotChunk, "x", &wire);
  AppendFrame(FrameType::kSnapshotAck, "y", &wire);
  FrameReader reader;
  reader.Feed(wire);
  auto a = reader.Next();
  ASSERT_TRUE(a.ok() && a->has_value());
  EXPECT_EQ((*a)->type, FrameType::kSnapshotChunk);
  auto b = reader.Next();
  ASSERT_TRUE(b.ok() && b->has_value());
  EXPECT_EQ((*b)->type, FrameType::kSnapshotAck);
}

}  // namespace
}  // namespace cairn::net
