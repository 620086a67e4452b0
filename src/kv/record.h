#pragma once
// How the state machine lays out keys and values in the Engine.
//
// Engine key = 8-byte big-endian KeyHash(user key) ++ user key. Ordering the
// store by hash makes a SCAN cursor a plain 64-bit number (resume at the
// first engine key whose hash is >= cursor) that stays valid across inserts,
// deletes, restarts and replicas, with Redis's guarantee: a key present for
// the whole iteration is returned at least once.
//
// Engine value = Record: type byte (0 string, 1 hash, 2 set, 3 list, 4 sorted
// set), varint
// version (log index of the key's last change, for WATCH), zigzag
// expire_at_ms (0 = none), then the value bytes (kv/hash.h's, kv/set.h's and
// kv/list.h's and kv/zset.h's layouts).
// docs/formats/kv-command.md has the byte layouts.
//
// Thread-safety: pure functions.

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "kv/hash.h"
#include "kv/list.h"
#include "kv/set.h"
#include "kv/stream.h"
#include "kv/zset.h"

namespace cairn::kv {

// FNV-1a 64 finished with the splitmix64 mixer; never 0 (0 is the cursor
// that starts and ends a SCAN). Part of the on-disk format: never change it.
std::uint64_t KeyHash(std::string_view user_key);
std::string EngineKey(std::string_view user_key);
// The same into `out` (replacing its contents), reusing its capacity.
void EngineKeyInto(std::string_view user_key, std::string* out);
// The user key inside an engine key (engine keys shorter than 8 bytes are
// Corruption, reported by DecodeEngineKey).
Result<std::string_view> DecodeEngineKey(std::string_view engine_key);

inline constexpr std::uint8_t kTypeString = 0;  // kTypeHash, kTypeSet, kTypeList: their headers

struct Record {
  std::uint64_t version = 0;
  std::int64_t expire_at_ms = 0;  // 0 = no expiry
  std::string value;
  std::uint8_t type = kTypeString;

  bool is_string() const { return type == kTypeString; }
  bool LiveAt(std::int64_t time_ms) const { return expire_at_ms == 0 || expire_at_ms > time_ms; }
  friend bool operator==(const Record&, const Record&) = default;
};

std::string EncodeRecord(const Record& record);
// Corruption for a truncated header, an unknown type or a malformed hash
// value: a Record that decodes is whole.
Result<Record> DecodeRecord(std::string_view bytes);
// The same, reusing the buffer for the value (no second allocation).
Result<Record> DecodeRecord(std::string&& bytes);

}  // namespace cairn::kv
