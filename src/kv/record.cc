#include "kv/record.h"

#include "kv/coding.h"

namespace cairn::kv {

std::uint64_t KeyHash(std::string_view user_key) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : user_key) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ull;
  h = (h ^ (h >> 27)) * 0x94d049bb133111ebull;
  h ^= h >> 31;
  return h == 0 ? 1 : h;
}

std::string EngineKey(std::string_view user_key) {
  std::string out;
  EngineKeyInto(user_key, &out);
  return out;
}

void EngineKeyInto(std::string_view user_key, std::string* out) {
  out->clear();
  out->reserve(8 + user_key.size());
  PutFixed64BE(out, KeyHash(user_key));
  out->append(user_key);
}

Result<std::string_view> DecodeEngineKey(std::string_view engine_key) {
  if (engine_key.size() < 8) return Status::Corruption("kv: engine key shorter than its hash");
  std::string_view user = engine_key.substr(8);
  if (GetFixed64BE(engine_key) != KeyHash(user)) {
    return Status::Corruption("kv: engine key hash mismatch");
  }
  return user;
}

std::string EncodeRecord(const Record& record) {
  std::string out;
  out.reserve(12 + record.value.size());
  out.push_back(static_cast<char>(record.type));
  PutVarint(&out, record.version);
  PutZigzag(&out, record.expire_at_ms);
  out.append(record.value);
  return out;
}

namespace {

// Reads the header into *r; returns the header's length.
Result<std::size_t> DecodeHeader(std::string_view bytes, Record* r) {
  Decoder d(bytes);
  std::uint8_t type = 0;
  if (!d.Byte(&type) || !d.Varint(&r->version) || !d.Zigzag(&r->expire_at_ms)) {
    return Status::Corruption("kv: truncated record");
  }
  if (type != kTypeString && type != kTypeHash && type != kTypeSet && type != kTypeList &&
      type != kTypeZSet && type != kTypeStream) {
    return Status::Corruption("kv: unknown record type");
  }
  r->type = type;
  if (type == kTypeHash) CAIRN_RETURN_IF_ERROR(ValidateHash(d.rest()));
  if (type == kTypeSet) CAIRN_RETURN_IF_ERROR(ValidateSet(d.rest()));
  if (type == kTypeList) CAIRN_RETURN_IF_ERROR(ValidateList(d.rest()));
  if (type == kTypeZSet) CAIRN_RETURN_IF_ERROR(ValidateZSet(d.rest()));
  if (type == kTypeStream) CAIRN_RETURN_IF_ERROR(ValidateStream(d.rest()));
  return bytes.size() - d.rest().size();
}

}  // namespace

Result<Record> DecodeRecord(std::string_view bytes) {
  Record r;
  CAIRN_ASSIGN_OR_RETURN(std::size_t header, DecodeHeader(bytes, &r));
  r.value.assign(bytes.substr(header));
  return r;
}

Result<Record> DecodeRecord(std::string&& bytes) {
  Record r;
  CAIRN_ASSIGN_OR_RETURN(std::size_t header, DecodeHeader(bytes, &r));
  bytes.erase(0, header);
  r.value = std::move(bytes);
  return r;
}

}  // namespace cairn::kv
