// DUMP payloads: Redis's CRC-64, the compact encodings Redis 7.0 no longer
// writes (ziplists, quicklist 1) built here byte by byte, round trips of
// Cairn's own payloads (streams too), and the refusals: every truncation,
// repeated members, NaN, empty values, other types. (What Redis 7.0 writes today is
// compared against redis-server in DumpRestoreMatchesRedis.)
#include "kv/dump_payload.h"

#include <gtest/gtest.h>

#include <cstring>
#include <limits>

#include "kv/hash.h"
#include "kv/list.h"
#include "kv/log_entry.h"
#include "kv/op.h"
#include "kv/set.h"
#include "kv/stream.h"
#include "kv/zset.h"

namespace cairn::kv {
namespace {

std::string Le(std::uint64_t v, int bytes) {
  std::string out;
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
  return out;
}

// type byte + body, then the version and CRC footer.
std::string Payload(std::uint8_t type, const std::string& body, std::uint16_t version = 9) {
  std::string p(1, static_cast<char>(type));
  p += body;
  p += Le(version, 2);
  return p + Le(Crc64(0, p), 8);
}

std::string RdbString(const std::string& s) {
  EXPECT_LT(s.size(), 64u);
  return std::string(1, static_cast<char>(s.size())) + s;
}

// A ziplist entry's encoding and data for an integer or a string.
std::string ZiplistEntry(const std::string& s) {
  if (s.size() < 64) return std::string(1, static_cast<char>(s.size())) + s;
  EXPECT_LT(s.size(), 16384u);
  return std::string{static_cast<char>(0x40 | (s.size() >> 8)),
                     static_cast<char>(s.size() & 0xff)} +
         s;
}
std::string ZiplistInt(std::int64_t v) {
  if (v >= 0 && v <= 12) return std::string(1, static_cast<char>(0xf1 + v));
  if (v >= -128 && v <= 127) return "\xfe" + Le(static_cast<std::uint64_t>(v), 1);
  if (v >= -32768 && v <= 32767) return "\xc0" + Le(static_cast<std::uint64_t>(v), 2);
  if (v >= -(1 << 23) && v < (1 << 23)) return "\xf0" + Le(static_cast<std::uint64_t>(v), 3);
  if (v >= std::numeric_limits<std::int32_t>::min() &&
      v <= std::numeric_limits<std::int32_t>::max())
    return "\xd0" + Le(static_cast<std::uint64_t>(v), 4);
  return "\xe0" + Le(static_cast<std::uint64_t>(v), 8);
}
// A whole ziplist of encoded entries, each with its predecessor's length.
std::string Ziplist(const std::vector<std::string>& encoded) {
  std::string body;
  std::size_t prev = 0;
  for (const std::string& e : encoded) {
    const std::string prevlen =
        prev < 254 ? std::string(1, static_cast<char>(prev)) : "\xfe" + Le(prev, 4);
    body += prevlen + e;
    prev = prevlen.size() + e.size();
  }
  std::string zl = Le(10 + body.size() + 1, 4) + Le(10, 4) + Le(encoded.size(), 2) + body + "\xff";
  return zl;
}
std::string RdbBlob(const std::string& blob) {
  // RDB length of a blob under 16 KiB.
  return std::string{static_cast<char>(0x40 | (blob.size() >> 8)),
                     static_cast<char>(blob.size() & 0xff)} +
         blob;
}

TEST(DumpPayload, Crc64IsRedisCrc) {
  EXPECT_EQ(Crc64(0, "123456789"), 0xe9c6d914c4b8d9caULL);
  EXPECT_EQ(Crc64(0, ""), 0u);
}

TEST(DumpPayload, ReadsRedisSevenPayloads) {
  // Taken from redis-server 7.0.15 (DUMP of a SET of 100 'x'): an
  // LZF-compressed string.
  const std::string lzf(
      "\x00\xc3\x09\x40\x64\x01xx\xe0W\x00\x01xx\x0a\x00]\xb7\xf6"
      "c\xbb\x08"
      "b_",
      24);
  auto rec = DecodeDumpPayload(lzf);
  ASSERT_TRUE(rec.ok()) << rec.status().message();
  EXPECT_EQ(rec->value, std::string(100, 'x'));
  // DUMP of SET int 12345: an integer string.
  auto i = DecodeDumpPayload(
      std::string("\x00\xc1\x39\x30\x0a\x00\x9d\x94\xea\x27\x93\xfc\x08\xb9", 14));
  ASSERT_TRUE(i.ok());
  EXPECT_EQ(i->value, "12345");
}

TEST(DumpPayload, ReadsZiplistsAndQuicklistOne) {
  const std::vector<std::string> zl_items = {ZiplistEntry("a"),
                                             ZiplistInt(0),
                                             ZiplistInt(12),
                                             ZiplistInt(-5),
                                             ZiplistInt(300),
                                             ZiplistInt(-70000),
                                             ZiplistInt(1 << 30),
                                             ZiplistInt(-(1LL << 40)),
                                             ZiplistEntry(std::string(300, 'q'))};
  const std::vector<std::string> want = {
      "a", "0", "12", "-5", "300", "-70000", "1073741824", "-1099511627776", std::string(300, 'q')};
  const std::string zl = Ziplist(zl_items);
  auto list = DecodeDumpPayload(Payload(10, RdbBlob(zl)));  // LIST_ZIPLIST
  ASSERT_TRUE(list.ok()) << list.status().message();
  EXPECT_EQ(list->type, kTypeList);
  EXPECT_EQ(DecodeList(list->value), want);
  // QUICKLIST (version 1): two nodes, each a ziplist.
  auto quick = DecodeDumpPayload(
      Payload(14, std::string(1, 2) + RdbBlob(zl) + RdbBlob(Ziplist({ZiplistEntry("tail")}))));
  ASSERT_TRUE(quick.ok()) << quick.status().message();
  auto all = want;
  all.push_back("tail");
  EXPECT_EQ(DecodeList(quick->value), all);
  // ZSET_ZIPLIST: member, score; sorted on the way in.
  auto z = DecodeDumpPayload(Payload(12, RdbBlob(Ziplist({ZiplistEntry("b"), ZiplistEntry("2.5"),
                                                          ZiplistEntry("a"), ZiplistInt(7)}))));
  ASSERT_TRUE(z.ok()) << z.status().message();
  EXPECT_EQ(DecodeZSet(z->value), (ZMembers{{2.5, "b"}, {7, "a"}}));
  // HASH_ZIPLIST: field, value.
  auto h = DecodeDumpPayload(Payload(13, RdbBlob(Ziplist({ZiplistEntry("f"), ZiplistInt(-1),
                                                          ZiplistEntry("g"), ZiplistEntry("v")}))));
  ASSERT_TRUE(h.ok()) << h.status().message();
  EXPECT_EQ(DecodeHash(h->value), (HashFields{{"f", "-1"}, {"g", "v"}}));
  // SET_INTSET with 8-byte members.
  auto s = DecodeDumpPayload(Payload(
      11,
      RdbString(Le(8, 4) + Le(2, 4) + Le(static_cast<std::uint64_t>(-3), 8) + Le(1LL << 40, 8))));
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(DecodeSet(s->value), (SetMembers{"-3", "1099511627776"}));
  // ZSET (version 1): scores as text, 254 / 255 for the infinities.
  auto z1 = DecodeDumpPayload(
      Payload(3, std::string(1, 2) + RdbString("m") + RdbString("1.5") + RdbString("n") + "\xff"));
  ASSERT_TRUE(z1.ok()) << z1.status().message();
  EXPECT_EQ(DecodeZSet(z1->value),
            (ZMembers{{-std::numeric_limits<double>::infinity(), "n"}, {1.5, "m"}}));
}

TEST(DumpPayload, OwnPayloadsRoundTrip) {
  std::vector<Record> records(5);
  records[0].value = std::string("\0bin\xff", 5) + std::string(20000, 'r');
  records[1].type = kTypeList;
  records[1].value = EncodeList({"a", "", std::string(70, 'l')});
  records[2].type = kTypeSet;
  records[2].value = EncodeSet({"x", "1", "-2"});
  records[3].type = kTypeZSet;
  records[3].value =
      EncodeZSet({{-std::numeric_limits<double>::infinity(), "lo"}, {0.1, "m"}, {1e300, "hi"}});
  records[4].type = kTypeHash;
  records[4].value = EncodeHash({{"f", "v"}, {"g", ""}});
  for (const Record& r : records) {
    const std::optional<std::string> payload = EncodeDumpPayload(r);
    ASSERT_TRUE(payload.has_value());
    EXPECT_EQ(static_cast<std::uint8_t>((*payload)[payload->size() - 10]), kDumpRdbVersion);
    auto back = DecodeDumpPayload(*payload);
    ASSERT_TRUE(back.ok()) << back.status().message();
    EXPECT_EQ(back->type, r.type);
    EXPECT_EQ(back->value, r.value);
  }
  // A stream with a deleted tail, a group with entries pending for two
  // consumers and one idle consumer, and entries of other fields than the
  // first's (written without the same-fields flag).
  Stream st;
  for (std::uint64_t i = 1; i <= 250; ++i) {
    st.entries.push_back(
        {{i, i % 3}, {{i % 7 == 0 ? "other" : "f", std::to_string(i)}, {"g", "v"}}});
  }
  st.last_id = {300, 0};
  st.max_deleted = {300, 0};
  st.entries_added = 260;
  StreamGroup g{"grp", {5, 2}, 5, {}, {}};
  g.pending = {{{1, 1}, "alice", 1000, 2}, {{2, 2}, "bob", 2000, 1}, {{5, 2}, "alice", 3000, 1}};
  g.consumers = {{"alice", 10}, {"bob", 20}, {"carol", 30}};
  st.groups.push_back(g);
  st.groups.push_back(StreamGroup{"other", {0, 0}, kEntriesReadUnknown, {}, {}});
  Record stream;
  stream.type = kTypeStream;
  stream.value = EncodeStream(st);
  Record empty_stream;
  empty_stream.type = kTypeStream;
  empty_stream.value = EncodeStream(Stream{{7, 7}, {7, 7}, 1, {}, {}});
  for (const Record& r : {stream, empty_stream}) {
    const std::optional<std::string> payload = EncodeDumpPayload(r);
    ASSERT_TRUE(payload.has_value());
    auto back = DecodeDumpPayload(*payload);
    ASSERT_TRUE(back.ok()) << back.status().message();
    EXPECT_EQ(back->type, kTypeStream);
    EXPECT_EQ(back->value, r.value);  // EncodeStream writes one form per stream
  }
}

TEST(DumpPayload, RefusesMalformedPayloads) {
  auto refused = [](const std::string& payload, std::string_view why) {
    auto r = DecodeDumpPayload(payload);
    if (r.ok()) return false;
    return r.status().message() == why;
  };
  // Version and checksum.
  const std::string good = Payload(0, RdbString("hello"));
  EXPECT_TRUE(DecodeDumpPayload(good).ok());
  EXPECT_TRUE(refused(good.substr(0, 9), kDumpBadVersionOrChecksum));
  std::string flipped = good;
  flipped[2] ^= 1;
  EXPECT_TRUE(refused(flipped, kDumpBadVersionOrChecksum));
  EXPECT_TRUE(
      refused(Payload(0, RdbString("hello"), kDumpRdbVersionMax + 1), kDumpBadVersionOrChecksum));
  // Every truncation of a payload with compact encodings, its checksum
  // made right again, is refused as a format error.
  const std::string zl = Ziplist(
      {ZiplistEntry("a"), ZiplistInt(300), ZiplistInt(-70000), ZiplistEntry(std::string(80, 'q'))});
  const std::string body = std::string(1, 1) + RdbBlob(zl);
  for (std::size_t cut = 0; cut < body.size(); ++cut) {
    EXPECT_TRUE(refused(Payload(14, body.substr(0, cut)), kDumpBadFormat)) << cut;
  }
  EXPECT_TRUE(DecodeDumpPayload(Payload(14, body)).ok());
  EXPECT_TRUE(refused(Payload(14, body + "x"), kDumpBadFormat));  // bytes left over
  // Values Cairn cannot hold: empty, repeated, NaN; and types it does not read.
  EXPECT_TRUE(refused(Payload(1, std::string(1, 0)), kDumpBadFormat));
  EXPECT_TRUE(
      refused(Payload(2, std::string(1, 2) + RdbString("m") + RdbString("m")), kDumpBadFormat));
  EXPECT_TRUE(refused(Payload(4, std::string(1, 2) + RdbString("f") + RdbString("1") +
                                     RdbString("f") + RdbString("2")),
                      kDumpBadFormat));
  EXPECT_TRUE(refused(Payload(3, std::string(1, 1) + RdbString("m") + "\xfd"), kDumpBadFormat));
  double nan = std::numeric_limits<double>::quiet_NaN();
  std::string nan_bytes(8, '\0');
  std::memcpy(nan_bytes.data(), &nan, 8);
  EXPECT_TRUE(refused(Payload(5, std::string(1, 1) + RdbString("m") + nan_bytes), kDumpBadFormat));
  for (std::uint8_t type : {6, 7, 9, 15, 19, 21, 99}) {  // streams: not a "x"
    EXPECT_TRUE(refused(Payload(type, RdbString("x")), kDumpBadFormat)) << int{type};
  }
  // A declared count far past the bytes there are.
  EXPECT_TRUE(refused(Payload(1, "\x80\x7f\xff\xff\xff" + RdbString("a")), kDumpBadFormat));
  // LZF strings past 64 MiB in all (LZF grows a hundredfold: a bomb). One
  // literal byte, then back references of 264 bytes each; the string's
  // declared length is checked first, so the bytes need not be there.
  EXPECT_TRUE(refused(Payload(0, std::string("\xc3\x02\x80\x08\x00\x00\x00"
                                             "ab",
                                             9)),
                      kDumpTooLarge));  // 128 MiB declared
  std::string bomb("\x00x", 2);
  for (int i = 0; i < 8; ++i) bomb += std::string("\xe0\xff\x00", 3);
  const std::uint64_t plain = 1 + 8 * 264;
  std::string twice = std::string(1, 2);
  for (int k = 0; k < 2; ++k) {
    twice += "\xc3" + std::string(1, static_cast<char>(bomb.size())) + "\x80" +
             std::string{static_cast<char>(plain >> 24), static_cast<char>(plain >> 16),
                         static_cast<char>(plain >> 8), static_cast<char>(plain)} +
             bomb;
  }
  auto small = DecodeDumpPayload(Payload(1, twice));  // two of 2 113 bytes: fine
  ASSERT_TRUE(small.ok()) << small.status().message();
  EXPECT_EQ(DecodeList(small->value),
            (ListElements{std::string(plain, 'x'), std::string(plain, 'x')}));
  // The bound is on all of a payload's strings together: four of 20 MiB
  // (each from 240 KB) are refused, three pass.
  std::string twenty("\x00x", 2);
  const std::uint64_t refs = (20u << 20) / 264;
  for (std::uint64_t i = 0; i < refs; ++i) twenty += std::string("\xe0\xff\x00", 3);
  const std::uint64_t twenty_plain = 1 + refs * 264;
  auto lzf_list = [&](int n) {
    std::string list(1, static_cast<char>(n));
    for (int k = 0; k < n; ++k) {
      list += "\xc3\x80" + std::string{static_cast<char>(twenty.size() >> 24),
                                       static_cast<char>(twenty.size() >> 16),
                                       static_cast<char>(twenty.size() >> 8),
                                       static_cast<char>(twenty.size())};
      list += "\x80" + std::string{static_cast<char>(twenty_plain >> 24),
                                   static_cast<char>(twenty_plain >> 16),
                                   static_cast<char>(twenty_plain >> 8),
                                   static_cast<char>(twenty_plain)};
      list += twenty;
    }
    return Payload(1, list);
  };
  EXPECT_TRUE(DecodeDumpPayload(lzf_list(3)).ok());
  EXPECT_TRUE(refused(lzf_list(4), kDumpTooLarge));
  // An LZF string whose back reference points before the start.
  EXPECT_TRUE(refused(Payload(0, "\xc3\x02\x05\x20\x10\x00"), kDumpBadFormat));
}

TEST(DumpPayload, LogValidationRefusesAMalformedRestore) {
  auto valid = [](Op op) {
    LogEntry e;
    e.ops.push_back(std::move(op));
    return Decode(Encode(e)).ok();
  };
  EXPECT_TRUE(valid(Op{OpCode::kRestore, 0, 0, kTypeHash, {"k", EncodeHash({{"f", "v"}})}}));
  EXPECT_TRUE(
      valid(Op{OpCode::kRestore, kRestoreError | kRestoreReplace, 0, kRestoreErrBadFormat, {"k"}}));
  EXPECT_FALSE(valid(Op{OpCode::kRestore, 0, 0, kTypeHash, {"k", "\x05garbage"}}));
  EXPECT_FALSE(valid(Op{OpCode::kRestore, 0, 0, kTypeStream, {"k", ""}}));
  EXPECT_FALSE(valid(Op{OpCode::kRestore, 0, -1, kTypeString, {"k", "v"}}));
  EXPECT_FALSE(valid(Op{OpCode::kRestore, kRestoreError, 0, 9, {"k"}}));
  EXPECT_FALSE(valid(Op{OpCode::kRestore, 8, 0, kTypeString, {"k", "v"}}));
}

}  // namespace
}  // namespace cairn::kv
