#pragma once
// Payloads of the snapshot frames (docs/formats/peer-protocol.md):
// kSnapshotChunk carries a snapshot::Chunk, or a resume request (the sender
// asks where to resume after a broken link or a restart); kSnapshotAck
// carries a snapshot::ChunkAck. Decoders reject anything malformed with
// InvalidArgument (the bytes come from the network). Pure functions.

#include <string>
#include <string_view>

#include "common/status.h"
#include "snapshot/transfer.h"

namespace cairn::net {

struct SnapshotChunkFrame {
  bool resume_request = false;  // only id and chunk.total_bytes are meaningful then
  snapshot::Chunk chunk;
};

std::string EncodeSnapshotChunk(const SnapshotChunkFrame& f);
Result<SnapshotChunkFrame> DecodeSnapshotChunk(std::string_view payload);
std::string EncodeSnapshotAck(const snapshot::ChunkAck& a);
Result<snapshot::ChunkAck> DecodeSnapshotAck(std::string_view payload);

}  // namespace cairn::net
