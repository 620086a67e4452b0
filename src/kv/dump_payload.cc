#include "kv/dump_payload.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <limits>
#include <unordered_set>
#include <utility>
#include <vector>

#include "kv/hash.h"
#include "kv/list.h"
#include "kv/rdb_codec.h"
#include "kv/set.h"
#include "kv/stream.h"
#include "kv/zset.h"

namespace cairn::kv {
namespace {

using rdb::BadFormat;
using rdb::IntsetItems;
using rdb::ListpackItems;
using rdb::LoadLittle;
using rdb::PutLength;
using rdb::PutString;
using rdb::ZiplistItems;

// RDB object types (Redis's rdb.h).
enum RdbType : std::uint8_t {
  kRdbString = 0,
  kRdbList = 1,
  kRdbSet = 2,
  kRdbZSet = 3,
  kRdbHash = 4,
  kRdbZSet2 = 5,
  kRdbListZiplist = 10,
  kRdbSetIntset = 11,
  kRdbZSetZiplist = 12,
  kRdbHashZiplist = 13,
  kRdbListQuicklist = 14,
  kRdbHashListpack = 16,
  kRdbZSetListpack = 17,
  kRdbListQuicklist2 = 18,
  kRdbStreamListpacks2 = 19,
  kRdbSetListpack = 20,
};

constexpr std::uint64_t kCrc64Poly = 0x95ac9329ac4bc9b5ULL;  // 0xad93d23594c935a9 reflected

constexpr std::array<std::uint64_t, 256> MakeCrc64Table() {
  std::array<std::uint64_t, 256> table{};
  for (std::uint64_t i = 0; i < 256; ++i) {
    std::uint64_t c = i;
    for (int bit = 0; bit < 8; ++bit) c = (c & 1) ? (c >> 1) ^ kCrc64Poly : c >> 1;
    table[i] = c;
  }
  return table;
}
constexpr std::array<std::uint64_t, 256> kCrc64Table = MakeCrc64Table();

void RequireDistinct(const std::vector<std::string>& items, std::size_t stride) {
  std::unordered_set<std::string_view> seen;
  for (std::size_t i = 0; i < items.size(); i += stride)
    if (!seen.insert(items[i]).second) throw BadFormat{};
}

std::string SetValue(std::vector<std::string> members) {
  if (members.empty()) throw BadFormat{};
  RequireDistinct(members, 1);
  return EncodeSet(members);
}

// Flat field, value, field, value... (ziplist and listpack hashes).
std::string HashValue(const std::vector<std::string>& flat) {
  if (flat.empty() || flat.size() % 2 != 0) throw BadFormat{};
  RequireDistinct(flat, 2);
  HashFields fields;
  for (std::size_t i = 0; i < flat.size(); i += 2) fields.emplace_back(flat[i], flat[i + 1]);
  return EncodeHash(fields);
}

ZMembers ZMembersFromFlat(const std::vector<std::string>& flat) {
  if (flat.size() % 2 != 0) throw BadFormat{};
  ZMembers members;
  for (std::size_t i = 0; i < flat.size(); i += 2) {
    double score = 0;
    if (!ParseScore(flat[i + 1], &score)) throw BadFormat{};
    members.push_back({score, flat[i]});
  }
  return members;
}

std::string ZSetValue(ZMembers members) {
  if (members.empty()) throw BadFormat{};
  std::vector<std::string> names;
  for (const ZMember& m : members) names.push_back(m.member);
  RequireDistinct(names, 1);
  std::sort(members.begin(), members.end(), ZLess);
  return EncodeZSet(members);
}

Record DecodeValue(std::uint8_t type, rdb::Reader& r) {
  Record rec;
  switch (type) {
    case kRdbString: rec.value = r.String(); return rec;
    case kRdbList: {
      ListElements elements(r.Count());
      for (std::string& e : elements) e = r.String();
      rec.type = kTypeList;
      rec.value = EncodeList(elements);
      return rec;
    }
    case kRdbListZiplist:
    case kRdbListQuicklist:
    case kRdbListQuicklist2: {
      ListElements elements;
      const std::size_t nodes = type == kRdbListZiplist ? 1 : r.Count();
      for (std::size_t i = 0; i < nodes; ++i) {
        // Quicklist 2 nodes say what they hold: 1 one plain element, 2 a listpack.
        const std::uint64_t container = type == kRdbListQuicklist2 ? r.Length() : 2;
        const std::string node = r.String();
        if (container == 1) {
          elements.push_back(node);
          continue;
        }
        if (container != 2) throw BadFormat{};
        auto items = type == kRdbListQuicklist2 ? ListpackItems(node) : ZiplistItems(node);
        if (items.empty()) throw BadFormat{};
        for (std::string& e : items) elements.push_back(std::move(e));
      }
      if (elements.empty()) throw BadFormat{};
      rec.type = kTypeList;
      rec.value = EncodeList(elements);
      return rec;
    }
    case kRdbSet: {
      SetMembers members(r.Count());
      for (std::string& m : members) m = r.String();
      rec.type = kTypeSet;
      rec.value = SetValue(std::move(members));
      return rec;
    }
    case kRdbSetIntset:
    case kRdbSetListpack: {
      const std::string blob = r.String();
      rec.type = kTypeSet;
      rec.value = SetValue(type == kRdbSetIntset ? IntsetItems(blob) : ListpackItems(blob));
      return rec;
    }
    case kRdbZSet:
    case kRdbZSet2: {
      ZMembers members(r.Count());
      for (ZMember& m : members) {
        m.member = r.String();
        m.score = type == kRdbZSet ? r.TextScore() : r.BinaryScore();
      }
      rec.type = kTypeZSet;
      rec.value = ZSetValue(std::move(members));
      return rec;
    }
    case kRdbZSetZiplist:
    case kRdbZSetListpack: {
      const std::string blob = r.String();
      rec.type = kTypeZSet;
      rec.value = ZSetValue(
          ZMembersFromFlat(type == kRdbZSetZiplist ? ZiplistItems(blob) : ListpackItems(blob)));
      return rec;
    }
    case kRdbHash: {
      std::vector<std::string> flat(2 * r.Count());
      for (std::string& s : flat) s = r.String();
      rec.type = kTypeHash;
      rec.value = HashValue(flat);
      return rec;
    }
    case kRdbHashZiplist:
    case kRdbHashListpack: {
      const std::string blob = r.String();
      rec.type = kTypeHash;
      rec.value = HashValue(type == kRdbHashZiplist ? ZiplistItems(blob) : ListpackItems(blob));
      return rec;
    }
    case 15:  // STREAM_LISTPACKS, 2 (Redis 7.0) and 3 (Redis 7.2)
    case kRdbStreamListpacks2:
    case 21: return rdb::ReadStream(type, r);
    default: throw BadFormat{};  // modules, zipmaps, unknown types
  }
}

}  // namespace

std::uint64_t Crc64(std::uint64_t crc, std::string_view bytes) {
  for (char c : bytes) crc = kCrc64Table[(crc ^ static_cast<std::uint8_t>(c)) & 0xff] ^ (crc >> 8);
  return crc;
}

Result<Record> DecodeDumpPayload(std::string_view payload) {
  if (payload.size() < 10) return Status::InvalidArgument(kDumpBadVersionOrChecksum);
  const std::string_view footer = payload.substr(payload.size() - 10);
  const std::uint16_t version = LoadLittle<std::uint16_t>(footer.data());
  const std::uint64_t crc = LoadLittle<std::uint64_t>(footer.data() + 2);
  if (version > kDumpRdbVersionMax || Crc64(0, payload.substr(0, payload.size() - 8)) != crc) {
    return Status::InvalidArgument(kDumpBadVersionOrChecksum);
  }
  rdb::Reader r(payload.substr(0, payload.size() - 10));
  try {
    const std::uint8_t type = r.Byte();
    Record rec = DecodeValue(type, r);
    if (!r.empty()) throw BadFormat{};
    return rec;
  } catch (const BadFormat&) {
    return Status::InvalidArgument(kDumpBadFormat);
  } catch (const rdb::TooLarge&) {
    return Status::InvalidArgument(kDumpTooLarge);
  }
}

std::optional<std::string> EncodeDumpPayload(const Record& record) {
  std::string out;
  switch (record.type) {
    case kTypeString:
      out.push_back(static_cast<char>(kRdbString));
      PutString(&out, record.value);
      break;
    case kTypeList:
    case kTypeSet: {
      // A set value has a list value's layout (kv/set.h).
      out.push_back(static_cast<char>(record.type == kTypeList ? kRdbList : kRdbSet));
      const ListElements elements = DecodeList(record.value);
      PutLength(&out, elements.size());
      for (const std::string& e : elements) PutString(&out, e);
      break;
    }
    case kTypeZSet: {
      out.push_back(static_cast<char>(kRdbZSet2));
      const ZMembers members = DecodeZSet(record.value);
      PutLength(&out, members.size());
      for (const ZMember& m : members) {
        PutString(&out, m.member);
        char score[8];
        std::memcpy(score, &m.score, sizeof score);
        out.append(score, sizeof score);
      }
      break;
    }
    case kTypeHash: {
      out.push_back(static_cast<char>(kRdbHash));
      const HashFields fields = DecodeHash(record.value);
      PutLength(&out, fields.size());
      for (const auto& [field, value] : fields) {
        PutString(&out, field);
        PutString(&out, value);
      }
      break;
    }
    case kTypeStream:
      out.push_back(static_cast<char>(kRdbStreamListpacks2));
      rdb::WriteStream(DecodeStream(record.value), &out);
      break;
    default: return std::nullopt;
  }
  out.push_back(static_cast<char>(kDumpRdbVersion & 0xff));
  out.push_back(static_cast<char>(kDumpRdbVersion >> 8));
  const std::uint64_t crc = Crc64(0, out);
  for (int shift = 0; shift < 64; shift += 8) out.push_back(static_cast<char>(crc >> shift));
  return out;
}

}  // namespace cairn::kv
