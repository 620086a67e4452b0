#include "kv/dump_payload.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <unordered_set>
#include <utility>
#include <vector>

#include "kv/hash.h"
#include "kv/list.h"
#include "kv/set.h"
#include "kv/zset.h"

namespace cairn::kv {
namespace {

static_assert(std::endian::native == std::endian::little, "the RDB readers below assume it");

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

// A malformed payload. Thrown only inside this file and caught in
// DecodeDumpPayload, which turns it into the Status it returns: the readers
// nest four deep (quicklist, listpack, entry, integer), and every one of
// their failures ends the same way.
struct BadFormat {};

template <typename T>
T LoadLittle(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// Reads an RDB stream front to back; every read checks what is left and
// throws BadFormat past the end (caught once, in DecodeDumpPayload).
class RdbReader {
 public:
  explicit RdbReader(std::string_view bytes) : rest_(bytes) {}

  bool empty() const { return rest_.empty(); }

  std::string_view Take(std::size_t n) {
    if (n > rest_.size()) throw BadFormat{};
    std::string_view out = rest_.substr(0, n);
    rest_.remove_prefix(n);
    return out;
  }
  std::uint8_t Byte() { return static_cast<std::uint8_t>(Take(1)[0]); }

  // RDB length: 00xxxxxx, 01xxxxxx xxxxxxxx, 0x80 + 4 bytes or 0x81 + 8
  // bytes big-endian. `encoded` says 11xxxxxx: a special string encoding,
  // returned in the low six bits.
  std::uint64_t Length(bool* encoded = nullptr) {
    if (encoded) *encoded = false;
    const std::uint8_t b = Byte();
    switch (b >> 6) {
      case 0: return b & 0x3f;
      case 1: return (static_cast<std::uint64_t>(b & 0x3f) << 8) | Byte();
      case 2: {
        if (b != 0x80 && b != 0x81) throw BadFormat{};
        const std::size_t n = b == 0x80 ? 4 : 8;
        std::uint64_t v = 0;
        for (char c : Take(n)) v = (v << 8) | static_cast<std::uint8_t>(c);
        return v;
      }
      default:
        if (!encoded) throw BadFormat{};
        *encoded = true;
        return b & 0x3f;
    }
  }

  // A count of things that each take at least one byte: never more than
  // what is left, so a huge declared count cannot reserve memory.
  std::size_t Count() {
    const std::uint64_t n = Length();
    if (n == 0 || n > rest_.size()) throw BadFormat{};
    return static_cast<std::size_t>(n);
  }

  std::string String() {
    bool encoded = false;
    const std::uint64_t n = Length(&encoded);
    if (!encoded) return std::string(Take(n));
    switch (n) {
      case 0: return std::to_string(static_cast<std::int8_t>(Byte()));
      case 1: return std::to_string(LoadLittle<std::int16_t>(Take(2).data()));
      case 2: return std::to_string(LoadLittle<std::int32_t>(Take(4).data()));
      case 3: {
        const std::uint64_t compressed = Length();
        const std::uint64_t plain = Length();
        return Lzf(Take(compressed), plain);
      }
      default: throw BadFormat{};
    }
  }

  // ZSET (version 1) scores: a length byte, then the number as text; 253,
  // 254 and 255 stand for NaN, +inf and -inf.
  double TextScore() {
    const std::uint8_t n = Byte();
    if (n == 253) throw BadFormat{};  // NaN
    if (n == 254) return std::numeric_limits<double>::infinity();
    if (n == 255) return -std::numeric_limits<double>::infinity();
    double score = 0;
    if (!ParseScore(Take(n), &score)) throw BadFormat{};
    return score;
  }
  double BinaryScore() {
    const double score = LoadLittle<double>(Take(8).data());
    if (std::isnan(score)) throw BadFormat{};
    return score;
  }

 private:
  // LZF: a control byte below 32 copies the next ctrl + 1 bytes; above, it
  // copies (ctrl >> 5) + 2 bytes (7 means one more length byte) from
  // ((ctrl & 31) << 8 | next) + 1 bytes back.
  static std::string Lzf(std::string_view in, std::uint64_t plain) {
    if (plain == 0 || plain > (std::uint64_t{1} << 32)) throw BadFormat{};
    std::string out;
    out.reserve(std::min<std::uint64_t>(plain, in.size() * 64));
    std::size_t i = 0;
    while (i < in.size()) {
      const std::uint8_t ctrl = static_cast<std::uint8_t>(in[i++]);
      if (ctrl < 32) {
        const std::size_t n = ctrl + 1u;
        if (i + n > in.size() || out.size() + n > plain) throw BadFormat{};
        out.append(in.substr(i, n));
        i += n;
        continue;
      }
      std::size_t n = ctrl >> 5;
      if (n == 7) {
        if (i >= in.size()) throw BadFormat{};
        n += static_cast<std::uint8_t>(in[i++]);
      }
      n += 2;
      if (i >= in.size()) throw BadFormat{};
      const std::size_t back = ((ctrl & 0x1fu) << 8) + static_cast<std::uint8_t>(in[i++]) + 1;
      if (back > out.size() || out.size() + n > plain) throw BadFormat{};
      const std::size_t from = out.size() - back;
      for (std::size_t k = 0; k < n; ++k) out.push_back(out[from + k]);  // may overlap
    }
    if (out.size() != plain) throw BadFormat{};
    return out;
  }

  std::string_view rest_;
};

// Ziplist: zlbytes (4) zltail (4) zllen (2), entries, 0xff. An entry: the
// previous entry's length (1 byte, or 0xfe and 4 bytes), then its encoding:
// 00xxxxxx / 01xxxxxx+1 / 0x80+4 (big-endian) string lengths; 0xc0 int16,
// 0xd0 int32, 0xe0 int64, 0xf0 int24, 0xfe int8, 0xf1-0xfd the values 0-12.
std::vector<std::string> ZiplistItems(std::string_view zl) {
  if (zl.size() < 11 || LoadLittle<std::uint32_t>(zl.data()) != zl.size() || zl.back() != '\xff')
    throw BadFormat{};
  RdbReader r(zl.substr(10, zl.size() - 11));
  std::vector<std::string> items;
  while (!r.empty()) {
    const std::uint8_t prevlen = r.Byte();
    if (prevlen == 0xff) throw BadFormat{};
    if (prevlen == 0xfe) r.Take(4);
    const std::uint8_t enc = r.Byte();
    std::int64_t v = 0;
    switch (enc >> 6) {
      case 0: items.emplace_back(r.Take(enc & 0x3f)); continue;
      case 1: items.emplace_back(r.Take(((enc & 0x3fu) << 8) | r.Byte())); continue;
      case 2: {
        if (enc != 0x80) throw BadFormat{};
        std::uint32_t n = 0;
        for (char c : r.Take(4)) n = (n << 8) | static_cast<std::uint8_t>(c);
        items.emplace_back(r.Take(n));
        continue;
      }
      default: break;
    }
    if (enc == 0xc0) {
      v = LoadLittle<std::int16_t>(r.Take(2).data());
    } else if (enc == 0xd0) {
      v = LoadLittle<std::int32_t>(r.Take(4).data());
    } else if (enc == 0xe0) {
      v = LoadLittle<std::int64_t>(r.Take(8).data());
    } else if (enc == 0xf0) {
      const std::string_view b = r.Take(3);
      std::uint32_t u = static_cast<std::uint8_t>(b[0]) | static_cast<std::uint8_t>(b[1]) << 8 |
                        static_cast<std::uint32_t>(static_cast<std::uint8_t>(b[2])) << 16;
      v = static_cast<std::int32_t>(u << 8) >> 8;
    } else if (enc == 0xfe) {
      v = static_cast<std::int8_t>(r.Byte());
    } else if (enc >= 0xf1 && enc <= 0xfd) {
      v = (enc & 0x0f) - 1;
    } else {
      throw BadFormat{};
    }
    items.push_back(std::to_string(v));
  }
  const std::uint16_t count = LoadLittle<std::uint16_t>(zl.data() + 8);  // 0xffff: not kept
  if (count != 0xffff && items.size() != count) throw BadFormat{};
  return items;
}

// Listpack: total bytes (4) element count (2), entries, 0xff. An entry is
// its encoding and data, then its own length backwards in 1-5 bytes:
// 0xxxxxxx uint7; 10xxxxxx string up to 63; 110xxxxx +1 int13; 1110xxxx +1
// string up to 4095; 0xf0 + 4 string length; 0xf1 int16, 0xf2 int24, 0xf3
// int32, 0xf4 int64.
std::vector<std::string> ListpackItems(std::string_view lp) {
  if (lp.size() < 7 || LoadLittle<std::uint32_t>(lp.data()) != lp.size() || lp.back() != '\xff')
    throw BadFormat{};
  RdbReader r(lp.substr(6, lp.size() - 7));
  std::vector<std::string> items;
  while (!r.empty()) {
    const std::uint8_t enc = r.Byte();
    std::size_t size = 1;  // encoding and data, which the back length repeats
    std::optional<std::int64_t> v;
    if (enc < 0x80) {
      v = enc;
    } else if ((enc & 0xc0) == 0x80) {
      items.emplace_back(r.Take(enc & 0x3f));
      size += enc & 0x3f;
    } else if ((enc & 0xe0) == 0xc0) {
      const std::uint32_t u = ((enc & 0x1fu) << 8) | r.Byte();
      v = u >= 4096 ? static_cast<std::int64_t>(u) - 8192 : u;
      size = 2;
    } else if ((enc & 0xf0) == 0xe0) {
      const std::size_t n = ((enc & 0x0fu) << 8) | r.Byte();
      items.emplace_back(r.Take(n));
      size = 2 + n;
    } else if (enc == 0xf0) {
      const std::uint32_t n = LoadLittle<std::uint32_t>(r.Take(4).data());
      items.emplace_back(r.Take(n));
      size = 5 + std::size_t{n};
    } else if (enc == 0xf1) {
      v = LoadLittle<std::int16_t>(r.Take(2).data());
      size = 3;
    } else if (enc == 0xf2) {
      const std::string_view b = r.Take(3);
      std::uint32_t u = static_cast<std::uint8_t>(b[0]) | static_cast<std::uint8_t>(b[1]) << 8 |
                        static_cast<std::uint32_t>(static_cast<std::uint8_t>(b[2])) << 16;
      v = static_cast<std::int32_t>(u << 8) >> 8;
      size = 4;
    } else if (enc == 0xf3) {
      v = LoadLittle<std::int32_t>(r.Take(4).data());
      size = 5;
    } else if (enc == 0xf4) {
      v = LoadLittle<std::int64_t>(r.Take(8).data());
      size = 9;
    } else {
      throw BadFormat{};
    }
    if (v) items.push_back(std::to_string(*v));
    r.Take(size < 128 ? 1 : size < 16384 ? 2 : size < 2097152 ? 3 : size < 268435456 ? 4 : 5);
  }
  const std::uint16_t count = LoadLittle<std::uint16_t>(lp.data() + 4);  // 0xffff: not kept
  if (count != 0xffff && items.size() != count) throw BadFormat{};
  return items;
}

// Intset: encoding (4: 2, 4 or 8 bytes per member), count (4), members
// ascending, little-endian.
std::vector<std::string> IntsetItems(std::string_view is) {
  if (is.size() < 8) throw BadFormat{};
  const std::uint32_t width = LoadLittle<std::uint32_t>(is.data());
  const std::uint32_t count = LoadLittle<std::uint32_t>(is.data() + 4);
  if ((width != 2 && width != 4 && width != 8) || is.size() - 8 != std::uint64_t{width} * count)
    throw BadFormat{};
  std::vector<std::string> items;
  for (std::uint32_t i = 0; i < count; ++i) {
    const char* p = is.data() + 8 + std::size_t{i} * width;
    const std::int64_t v = width == 2   ? LoadLittle<std::int16_t>(p)
                           : width == 4 ? LoadLittle<std::int32_t>(p)
                                        : LoadLittle<std::int64_t>(p);
    items.push_back(std::to_string(v));
  }
  return items;
}

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

Record DecodeValue(std::uint8_t type, RdbReader& r) {
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
    default: throw BadFormat{};  // streams, modules, zipmaps, unknown types
  }
}

// RDB writers for EncodeDumpPayload.
void PutLength(std::string* out, std::uint64_t n) {
  if (n < 64) {
    out->push_back(static_cast<char>(n));
  } else if (n < 16384) {
    out->push_back(static_cast<char>(0x40 | (n >> 8)));
    out->push_back(static_cast<char>(n & 0xff));
  } else if (n <= std::numeric_limits<std::uint32_t>::max()) {
    out->push_back('\x80');
    for (int shift = 24; shift >= 0; shift -= 8) out->push_back(static_cast<char>(n >> shift));
  } else {
    out->push_back('\x81');
    for (int shift = 56; shift >= 0; shift -= 8) out->push_back(static_cast<char>(n >> shift));
  }
}
void PutString(std::string* out, std::string_view s) {
  PutLength(out, s.size());
  out->append(s);
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
  RdbReader r(payload.substr(0, payload.size() - 10));
  try {
    const std::uint8_t type = r.Byte();
    Record rec = DecodeValue(type, r);
    if (!r.empty()) throw BadFormat{};
    return rec;
  } catch (const BadFormat&) {
    return Status::InvalidArgument(kDumpBadFormat);
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
    default: return std::nullopt;
  }
  out.push_back(static_cast<char>(kDumpRdbVersion & 0xff));
  out.push_back(static_cast<char>(kDumpRdbVersion >> 8));
  const std::uint64_t crc = Crc64(0, out);
  for (int shift = 0; shift < 64; shift += 8) out.push_back(static_cast<char>(crc >> shift));
  return out;
}

}  // namespace cairn::kv
