#pragma once
// The value of a hash record (Record::type == kTypeHash): its fields and
// values, in the order they were first set, as one byte string.
//
// Layout: varint field count, then per field PutBytes(field) PutBytes(value).
// Fields are distinct and the count is at least 1 (a hash whose last field is
// deleted is deleted with it, as in Redis). docs/formats/kv-command.md.
//
// A whole hash is one record, so a write rewrites it whole: HSET on a hash of
// n fields costs O(n). That suits the hashes Redis users keep per object (up
// to some thousands of fields); docs/commands.md says so.
//
// Thread-safety: pure functions; a HashView is a cursor owned by one caller.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace cairn::kv {

inline constexpr std::uint8_t kTypeHash = 1;

using HashFields = std::vector<std::pair<std::string, std::string>>;

std::string EncodeHash(const HashFields& fields);
// Corruption unless `bytes` is a well-formed hash value (count matches,
// fields distinct, nothing trailing). One pass, no allocation beyond a
// small set for the distinctness check.
Status ValidateHash(std::string_view bytes);
// The fields of a value ValidateHash accepted.
HashFields DecodeHash(std::string_view bytes);

// Walks a value ValidateHash accepted, field by field, without copying.
class HashView {
 public:
  explicit HashView(std::string_view bytes);
  std::uint64_t size() const { return size_; }
  // The next field and its value; false after the last.
  bool Next(std::string_view* field, std::string_view* value);
  // The value of `field` from the start (the cursor moves), or false.
  bool Find(std::string_view field, std::string_view* value);

 private:
  std::string_view all_;
  std::string_view rest_;
  std::uint64_t size_ = 0;
};

}  // namespace cairn::kv
