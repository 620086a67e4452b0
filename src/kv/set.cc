#include "kv/set.h"

#include <unordered_set>

#include "kv/coding.h"
#include "kv/list.h"

namespace cairn::kv {

// A set value is a list value whose elements are distinct (kv/list.h): the
// same bytes, one more check.
std::string EncodeSet(const SetMembers& members) { return EncodeList(members); }

Status ValidateSet(std::string_view bytes) {
  if (!ValidateList(bytes).ok()) return Status::Corruption("kv: malformed set");
  Decoder d(bytes);
  std::uint64_t n = 0;
  d.Varint(&n);
  std::unordered_set<std::string_view> seen;
  seen.reserve(n);
  std::string_view member;
  while (d.Bytes(&member)) {
    if (!seen.insert(member).second) return Status::Corruption("kv: repeated set member");
  }
  return Status::Ok();
}

SetMembers DecodeSet(std::string_view bytes) { return DecodeList(bytes); }

}  // namespace cairn::kv
