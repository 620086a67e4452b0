#pragma once
// The pieces of Redis's RDB value encoding that DUMP payloads are made of
// (kv/dump_payload.h): lengths, strings (integer and LZF-compressed too),
// ziplists, listpacks and intsets to read; lengths, strings and listpacks to
// write; and streams both ways (dump_stream.cc). Internal to kv.
//
// Errors: every reader throws rdb::BadFormat on a malformed or truncated
// input, and only DecodeDumpPayload catches it, turning it into the Status
// it returns: the readers nest four deep (quicklist, listpack, entry,
// integer), and every one of their failures ends the same way. Nothing
// else in kv throws.
//
// Thread-safety: pure functions; a Reader or ListpackWriter belongs to one
// caller.

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "kv/record.h"
#include "kv/stream.h"
#include "kv/zset.h"

namespace cairn::kv::rdb {

static_assert(std::endian::native == std::endian::little, "the RDB readers assume it");

// A malformed payload (see the header comment).
struct BadFormat {};
// A payload whose LZF-compressed strings would grow past kLzfBytesMax: the
// one way a payload's value could be far larger than the payload itself
// (LZF grows up to about a hundredfold), kept from allocating that much.
struct TooLarge {};
inline constexpr std::uint64_t kLzfBytesMax = 64u << 20;

template <typename T>
T LoadLittle(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// Reads an RDB stream front to back; every read checks what is left and
// throws BadFormat past the end.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : rest_(bytes) {}

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
        if (plain > kLzfBytesMax - lzf_bytes_) throw TooLarge{};
        lzf_bytes_ += plain;
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
  static std::string Lzf(std::string_view in, std::uint64_t plain);

  std::string_view rest_;
  std::uint64_t lzf_bytes_ = 0;  // decompressed so far, at most kLzfBytesMax
};

// The elements of a ziplist, listpack or intset (integers as decimal text).
std::vector<std::string> ZiplistItems(std::string_view zl);
std::vector<std::string> ListpackItems(std::string_view lp);
std::vector<std::string> IntsetItems(std::string_view is);
// An element that must be an integer (a stream listpack's counts and IDs).
std::int64_t ItemInt(const std::string& item);

void PutLength(std::string* out, std::uint64_t n);
void PutString(std::string* out, std::string_view s);

// Builds a listpack element by element, each in its shortest encoding.
class ListpackWriter {
 public:
  void AppendInt(std::int64_t v);
  void AppendString(std::string_view s);
  // The whole listpack: header, elements, end byte.
  std::string Finish() const;

 private:
  void AppendBacklen(std::size_t entry_size);
  std::string body_;
  std::size_t count_ = 0;
};

// Streams (STREAM_LISTPACKS 15, 2: 19 and 3: 21), after the type byte.
Record ReadStream(std::uint8_t type, Reader& r);
void WriteStream(const Stream& stream, std::string* out);  // as type 19

}  // namespace cairn::kv::rdb
