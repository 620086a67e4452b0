#pragma once
// The value of a set record (Record::type == kTypeSet): its members, in the
// order they were added, as one byte string.
//
// Layout: a list value (kv/list.h): varint member count (>= 1), then
// PutBytes(member) per member.
// Members are distinct; a set whose last member is removed is deleted with
// it, as in Redis. docs/formats/kv-command.md. As with hashes (kv/hash.h), a
// whole set is one record: a write rewrites it, O(members).
//
// Thread-safety: pure functions.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace cairn::kv {

inline constexpr std::uint8_t kTypeSet = 2;

using SetMembers = std::vector<std::string>;

std::string EncodeSet(const SetMembers& members);
// Corruption unless `bytes` is a well-formed set value (count matches,
// members distinct, nothing trailing).
Status ValidateSet(std::string_view bytes);
// The members of a value ValidateSet accepted.
SetMembers DecodeSet(std::string_view bytes);

}  // namespace cairn::kv
