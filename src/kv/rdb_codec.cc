#include "kv/rdb_codec.h"

#include <limits>
#include <optional>

#include "kv/parse.h"

namespace cairn::kv::rdb {

std::string Reader::Lzf(std::string_view in, std::uint64_t plain) {
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

namespace {
// A 24-bit two's-complement integer, little-endian (ziplists' and listpacks').
std::int64_t Int24(std::string_view b) {
  const std::uint32_t u = static_cast<std::uint8_t>(b[0]) |
                          static_cast<std::uint32_t>(static_cast<std::uint8_t>(b[1])) << 8 |
                          static_cast<std::uint32_t>(static_cast<std::uint8_t>(b[2])) << 16;
  return static_cast<std::int32_t>(u << 8) >> 8;
}
}  // namespace

// Ziplist: zlbytes (4) zltail (4) zllen (2), entries, 0xff. An entry: the
// previous entry's length (1 byte, or 0xfe and 4 bytes), then its encoding:
// 00xxxxxx / 01xxxxxx+1 / 0x80+4 (big-endian) string lengths; 0xc0 int16,
// 0xd0 int32, 0xe0 int64, 0xf0 int24, 0xfe int8, 0xf1-0xfd the values 0-12.
std::vector<std::string> ZiplistItems(std::string_view zl) {
  if (zl.size() < 11 || LoadLittle<std::uint32_t>(zl.data()) != zl.size() || zl.back() != '\xff')
    throw BadFormat{};
  Reader r(zl.substr(10, zl.size() - 11));
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
      v = Int24(r.Take(3));
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
  Reader r(lp.substr(6, lp.size() - 7));
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
      v = Int24(r.Take(3));
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
    r.Take(size <= 127 ? 1 : size < 16383 ? 2 : size < 2097151 ? 3 : size < 268435455 ? 4 : 5);
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

std::int64_t ItemInt(const std::string& item) {
  std::int64_t v = 0;
  if (!ParseStrictInt64(item, &v)) throw BadFormat{};
  return v;
}

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

// Listpack encodings: see ListpackItems.
void ListpackWriter::AppendInt(std::int64_t v) {
  std::size_t size;
  if (v >= 0 && v <= 127) {
    body_.push_back(static_cast<char>(v));
    size = 1;
  } else if (v >= -4096 && v <= 4095) {
    const auto u = static_cast<std::uint64_t>(v) & 0x1fff;
    body_.push_back(static_cast<char>(0xc0 | (u >> 8)));
    body_.push_back(static_cast<char>(u & 0xff));
    size = 2;
  } else {
    int bytes;
    char enc;
    if (v >= -32768 && v <= 32767) {
      bytes = 2, enc = '\xf1';
    } else if (v >= -8388608 && v <= 8388607) {
      bytes = 3, enc = '\xf2';
    } else if (v >= std::numeric_limits<std::int32_t>::min() &&
               v <= std::numeric_limits<std::int32_t>::max()) {
      bytes = 4, enc = '\xf3';
    } else {
      bytes = 8, enc = '\xf4';
    }
    body_.push_back(enc);
    const auto u = static_cast<std::uint64_t>(v);
    for (int i = 0; i < bytes; ++i) body_.push_back(static_cast<char>(u >> (8 * i)));
    size = 1 + static_cast<std::size_t>(bytes);
  }
  AppendBacklen(size);
}

void ListpackWriter::AppendString(std::string_view s) {
  std::size_t size;
  if (s.size() < 64) {
    body_.push_back(static_cast<char>(0x80 | s.size()));
    size = 1 + s.size();
  } else if (s.size() < 4096) {
    body_.push_back(static_cast<char>(0xe0 | (s.size() >> 8)));
    body_.push_back(static_cast<char>(s.size() & 0xff));
    size = 2 + s.size();
  } else {
    body_.push_back('\xf0');
    for (int i = 0; i < 4; ++i) body_.push_back(static_cast<char>(s.size() >> (8 * i)));
    size = 5 + s.size();
  }
  body_.append(s);
  AppendBacklen(size);
}

// The entry's size, 7 bits per byte, most significant first, every byte
// but the first with its top bit set (read from the end backwards).
void ListpackWriter::AppendBacklen(std::size_t l) {
  int bytes = l <= 127 ? 1 : l < 16383 ? 2 : l < 2097151 ? 3 : l < 268435455 ? 4 : 5;
  for (int i = bytes - 1; i >= 0; --i) {
    const auto part = static_cast<std::uint8_t>((l >> (7 * i)) & 127);
    body_.push_back(static_cast<char>(i == bytes - 1 ? part : part | 128));
  }
  ++count_;
}

std::string ListpackWriter::Finish() const {
  std::string lp;
  const std::uint64_t total = 6 + body_.size() + 1;
  for (int i = 0; i < 4; ++i) lp.push_back(static_cast<char>(total >> (8 * i)));
  const std::uint64_t count = count_ < 65535 ? count_ : 65535;  // 65535: count not kept
  lp.push_back(static_cast<char>(count & 0xff));
  lp.push_back(static_cast<char>(count >> 8));
  lp += body_;
  lp.push_back('\xff');
  return lp;
}

}  // namespace cairn::kv::rdb
