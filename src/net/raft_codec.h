#pragma once
// Peer wire format: frames, and the encoding of raft::Message inside them.
// The byte layout is written down in docs/formats/peer-protocol.md.
//
//   frame = u32 payload_bytes | u8 version | u8 frame type | u32 masked CRC32C(payload) | payload
//
// All integers are little-endian. Decoding checks every length against the
// bytes present and against limits, so any input yields either a value or an
// InvalidArgument/Corruption status naming what is wrong; never a crash and
// never an allocation larger than the input.
//
// Thread-safety: pure functions; FrameReader is a value owned by one reader.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "raft/types.h"

namespace cairn::net {

inline constexpr std::uint8_t kWireVersion = 1;
inline constexpr std::size_t kFrameHeaderBytes = 10;
// A frame larger than this is refused (the Raft core caps Appends far lower).
inline constexpr std::size_t kFramePayloadBytesMax = 256u << 20;

enum class FrameType : std::uint8_t {
  kHello = 1,         // u64 sender node id: first frame on every connection
  kRaft = 2,          // one raft::Message
  kForward = 3,       // a client command forwarded to the leader (src/server)
  kForwardReply = 4,  // the leader's reply to a kForward
  kSnapshotChunk = 5,  // a piece of a snapshot, leader to follower (net/snapshot_codec.h)
  kSnapshotAck = 6,    // the follower's answer to a kSnapshotChunk
};

struct Frame {
  FrameType type = FrameType::kRaft;
  std::string payload;
};

// Appends one frame holding `payload` to *out.
void AppendFrame(FrameType type, std::string_view payload, std::string* out);

// Reassembles frames from a byte stream. Errors are sticky: after one, the
// stream cannot be re-framed and the connection must be closed.
class FrameReader {
 public:
  explicit FrameReader(std::size_t payload_bytes_max = kFramePayloadBytesMax)
      : payload_bytes_max_(payload_bytes_max) {}
  void Feed(std::string_view bytes);
  // A complete frame, nullopt if more bytes are needed, or the error.
  Result<std::optional<Frame>> Next();

 private:
  std::size_t payload_bytes_max_;
  std::string buf_;
  std::size_t pos_ = 0;
  Status error_;
};

// raft::Message <-> payload bytes.
std::string EncodeMessage(const raft::Message& m);
Result<raft::Message> DecodeMessage(std::string_view payload);

// Little-endian helpers shared by the server's forward frames.
class ByteWriter {
 public:
  explicit ByteWriter(std::string* out) : out_(out) {}
  void U8(std::uint8_t v) { out_->push_back(static_cast<char>(v)); }
  void U32(std::uint32_t v);
  void U64(std::uint64_t v);
  void Bytes(std::string_view s);  // u32 length + bytes

 private:
  std::string* out_;
};

class ByteReader {
 public:
  explicit ByteReader(std::string_view in) : in_(in) {}
  bool U8(std::uint8_t* v);
  bool U32(std::uint32_t* v);
  bool U64(std::uint64_t* v);
  bool Bytes(std::string_view* s);  // u32 length + bytes
  std::size_t remaining() const { return in_.size() - pos_; }

 private:
  std::string_view in_;
  std::size_t pos_ = 0;
};

}  // namespace cairn::net
