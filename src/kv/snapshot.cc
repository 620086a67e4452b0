// StateMachine::Snapshot / Restore: the whole state as one checksummed image.
//
//   "CKVS" | version u8 (=1) | varint applied_index | zigzag clock_ms |
//   varint key_count | key_count x (bytes engine_key, bytes record) |
//   fixed32 little-endian Mask(crc32c(everything before))
#include "common/crc32c.h"
#include "kv/coding.h"
#include "kv/state_machine.h"

namespace cairn::kv {
namespace {

constexpr std::string_view kMagic = "CKVS";
constexpr std::uint8_t kSnapshotVersion = 1;

void PutFixed32LE(std::string* out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>(v >> (8 * i)));
}

std::uint32_t GetFixed32LE(std::string_view s) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<std::uint8_t>(s[static_cast<std::size_t>(i)]);
  return v;
}

Status Bad(const char* what) { return Status::Corruption(what); }

}  // namespace

Result<std::string> StateMachine::Snapshot() const {
  std::string out(kMagic);
  out.push_back(static_cast<char>(kSnapshotVersion));
  PutVarint(&out, applied_.index);
  PutZigzag(&out, applied_.clock_ms);
  PutVarint(&out, engine_->Count());
  std::string from;
  std::vector<std::pair<std::string, std::string>> page;
  std::uint64_t written = 0;
  while (true) {
    CAIRN_RETURN_IF_ERROR(engine_->Scan(from, 1024, &page));
    for (const auto& [key, value] : page) {
      PutBytes(&out, key);
      PutBytes(&out, value);
      ++written;
    }
    if (page.size() < 1024) break;
    from = page.back().first;
    from.push_back('\0');
  }
  if (written != engine_->Count()) return Status::Internal("kv snapshot: engine count changed");
  PutFixed32LE(&out, crc32c::Mask(crc32c::Value(out)));
  return out;
}

Status StateMachine::Restore(std::string_view image) {
  if (image.size() < kMagic.size() + 1 + 4) return Bad("kv snapshot: too short");
  std::string_view body = image.substr(0, image.size() - 4);
  if (crc32c::Unmask(GetFixed32LE(image.substr(image.size() - 4))) != crc32c::Value(body)) {
    return Bad("kv snapshot: checksum mismatch");
  }
  if (body.substr(0, kMagic.size()) != kMagic) return Bad("kv snapshot: bad magic");
  Decoder d(body.substr(kMagic.size()));
  std::uint8_t version = 0;
  AppliedState state;
  std::uint64_t count = 0;
  if (!d.Byte(&version) || !d.Varint(&state.index) || !d.Zigzag(&state.clock_ms) ||
      !d.Varint(&count)) {
    return Bad("kv snapshot: truncated header");
  }
  if (version != kSnapshotVersion) return Bad("kv snapshot: unknown version");
  if (count > d.rest().size()) return Bad("kv snapshot: bad key count");
  EngineBatch batch;
  batch.clear_first = true;
  batch.writes.reserve(count);
  for (std::uint64_t i = 0; i < count; ++i) {
    std::string_view key;
    std::string_view value;
    if (!d.Bytes(&key) || !d.Bytes(&value)) return Bad("kv snapshot: truncated pair");
    CAIRN_RETURN_IF_ERROR(DecodeEngineKey(key).status());
    CAIRN_RETURN_IF_ERROR(DecodeRecord(value).status());
    batch.writes.emplace_back(std::string(key), std::string(value));
  }
  if (!d.done()) return Bad("kv snapshot: trailing bytes");
  CAIRN_RETURN_IF_ERROR(engine_->Apply(std::move(batch), state));
  applied_ = state;
  return RebuildExpiryIndex();
}

}  // namespace cairn::kv
