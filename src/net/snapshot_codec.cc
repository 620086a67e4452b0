#include "net/snapshot_codec.h"

namespace cairn::net {
namespace {

void Put(std::string& out, std::uint64_t v, int bytes) {
  for (int b = 0; b < bytes; b++) out.push_back(static_cast<char>(v >> (8 * b)));
}

struct Reader {
  std::string_view in;
  bool ok = true;
  std::uint64_t Get(int bytes) {
    if (in.size() < static_cast<std::size_t>(bytes)) {
      ok = false;
      return 0;
    }
    std::uint64_t v = 0;
    for (int b = bytes - 1; b >= 0; b--) v = (v << 8) | static_cast<std::uint8_t>(in[b]);
    in.remove_prefix(bytes);
    return v;
  }
  bool Bool() {
    std::uint64_t v = Get(1);
    if (v > 1) ok = false;
    return v == 1;
  }
};

constexpr std::uint8_t kChunk = 1, kResume = 2;

}  // namespace

std::string EncodeSnapshotChunk(const SnapshotChunkFrame& f) {
  const snapshot::Chunk& c = f.chunk;
  std::string out;
  out.reserve(50 + c.data.size());
  Put(out, f.resume_request ? kResume : kChunk, 1);
  Put(out, c.id.index, 8);
  Put(out, c.id.term, 8);
  Put(out, c.offset, 8);
  Put(out, c.total_bytes, 8);
  Put(out, c.crc, 4);
  Put(out, c.last ? 1 : 0, 1);
  Put(out, c.total_crc, 4);
  Put(out, c.attempt, 4);
  Put(out, c.data.size(), 4);
  out.append(c.data);
  return out;
}

Result<SnapshotChunkFrame> DecodeSnapshotChunk(std::string_view payload) {
  Reader r{payload};
  SnapshotChunkFrame f;
  std::uint64_t kind = r.Get(1);
  if (r.ok && kind != kChunk && kind != kResume) return Status::InvalidArgument("snapshot chunk: bad kind");
  f.resume_request = kind == kResume;
  snapshot::Chunk& c = f.chunk;
  c.id.index = r.Get(8);
  c.id.term = r.Get(8);
  c.offset = r.Get(8);
  c.total_bytes = r.Get(8);
  c.crc = static_cast<std::uint32_t>(r.Get(4));
  c.last = r.Bool();
  c.total_crc = static_cast<std::uint32_t>(r.Get(4));
  c.attempt = static_cast<std::uint32_t>(r.Get(4));
  std::uint64_t n = r.Get(4);
  if (!r.ok || n != r.in.size()) return Status::InvalidArgument("snapshot chunk: bad length");
  if (f.resume_request && n != 0) return Status::InvalidArgument("snapshot chunk: resume with data");
  c.data.assign(r.in);
  return f;
}

std::string EncodeSnapshotAck(const snapshot::ChunkAck& a) {
  std::string out;
  Put(out, a.id.index, 8);
  Put(out, a.id.term, 8);
  Put(out, a.next_offset, 8);
  Put(out, a.complete ? 1 : 0, 1);
  Put(out, a.rejected ? 1 : 0, 1);
  Put(out, a.attempt, 4);
  return out;
}

Result<snapshot::ChunkAck> DecodeSnapshotAck(std::string_view payload) {
  Reader r{payload};
  snapshot::ChunkAck a;
  a.id.index = r.Get(8);
  a.id.term = r.Get(8);
  a.next_offset = r.Get(8);
  a.complete = r.Bool();
  a.rejected = r.Bool();
  a.attempt = static_cast<std::uint32_t>(r.Get(4));
  if (!r.ok || !r.in.empty()) return Status::InvalidArgument("snapshot ack: malformed");
  return a;
}

}  // namespace cairn::net
