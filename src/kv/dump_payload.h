#pragma once
// DUMP and RESTORE payloads in Redis's format, so that a value can move
// between Redis and Cairn with DUMP on one and RESTORE on the other.
//
// A payload is one value in the RDB file format, then a footer:
//   type byte | the value's RDB encoding | RDB version (2 bytes, little-endian)
//   | CRC-64 (Jones polynomial, reflected, as Redis's crc64) of all the bytes
//   before it (8 bytes, little-endian)
//
// Decoding reads what Redis 2.6 to 7.2 write for every type Cairn has:
// plain strings, integer and LZF-compressed strings, the plain list / set /
// zset / hash types, intsets, ziplists, listpacks, quicklists (both
// versions) and the three stream layouts (kv/rdb_codec.h,
// dump_stream.cc). It refuses, as "Bad data format": module values, zipmaps
// (Redis before 2.6), empty values, repeated members or fields, NaN scores,
// pending stream entries with no consumer or two, bytes left over, and
// anything truncated or malformed. Versions above 11 (Redis 7.2's) are
// refused as Redis refuses a newer payload.
//
// Encoding writes RDB version 10 (Redis 7.0's): the plain types for strings,
// lists, sets, sorted sets (version 2) and hashes, which every Redis from
// 7.0 reads and turns into its compact encodings itself, and streams as
// Redis 7.0 writes them (STREAM_LISTPACKS_2).
//
// Thread-safety: pure functions.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "kv/record.h"

namespace cairn::kv {

inline constexpr std::uint16_t kDumpRdbVersion = 10;     // what EncodeDumpPayload writes
inline constexpr std::uint16_t kDumpRdbVersionMax = 11;  // the newest DecodeDumpPayload reads

// Redis's reply texts for the two ways a payload can be refused.
inline constexpr std::string_view kDumpBadVersionOrChecksum =
    "ERR DUMP payload version or checksum are wrong";
inline constexpr std::string_view kDumpBadFormat = "ERR Bad data format";
// Cairn's own: its LZF-compressed strings would pass 64 MiB (kv/rdb_codec.h).
inline constexpr std::string_view kDumpTooLarge =
    "ERR DUMP payload too large: its compressed strings would pass 64 MiB";

// Redis's CRC-64: crc64(0, "123456789") == 0xe9c6d914c4b8d9ca.
std::uint64_t Crc64(std::uint64_t crc, std::string_view bytes);

// The value a payload holds, in Cairn's record layout (type and value set,
// version and expiry left 0). On error, an InvalidArgument whose message is
// one of the three texts above.
Result<Record> DecodeDumpPayload(std::string_view payload);

// The payload of a record's value; nullopt for a type it does not know.
std::optional<std::string> EncodeDumpPayload(const Record& record);

}  // namespace cairn::kv
