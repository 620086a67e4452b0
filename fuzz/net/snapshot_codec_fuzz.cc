// libFuzzer target: arbitrary bytes through the snapshot chunk and ack
// decoders (payloads of peer frames 5 and 6). Whatever decodes must
// re-encode to the same bytes.
#include <cstdlib>

#include "net/snapshot_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cairn::net;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto chunk = DecodeSnapshotChunk(in);
  if (chunk.ok() && EncodeSnapshotChunk(*chunk) != in) std::abort();
  auto ack = DecodeSnapshotAck(in);
  if (ack.ok() && EncodeSnapshotAck(*ack) != in) std::abort();
  return 0;
}
