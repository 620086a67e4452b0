#include "kv/set.h"

#include <unordered_set>

#include "common/assert.h"
#include "kv/coding.h"

namespace cairn::kv {

std::string EncodeSet(const SetMembers& members) {
  std::size_t bytes = 10;
  for (const std::string& m : members) bytes += m.size() + 5;
  std::string out;
  out.reserve(bytes);
  PutVarint(&out, members.size());
  for (const std::string& m : members) PutBytes(&out, m);
  return out;
}

Status ValidateSet(std::string_view bytes) {
  Decoder d(bytes);
  std::uint64_t n = 0;
  if (!d.Varint(&n)) return Status::Corruption("kv: truncated set");
  // Each member takes at least one length byte.
  if (n == 0 || n > d.rest().size()) return Status::Corruption("kv: bad set member count");
  std::unordered_set<std::string_view> seen;
  seen.reserve(n);
  for (std::uint64_t i = 0; i < n; ++i) {
    std::string_view member;
    if (!d.Bytes(&member)) return Status::Corruption("kv: truncated set member");
    if (!seen.insert(member).second) return Status::Corruption("kv: repeated set member");
  }
  if (!d.done()) return Status::Corruption("kv: trailing bytes after a set");
  return Status::Ok();
}

SetMembers DecodeSet(std::string_view bytes) {
  Decoder d(bytes);
  std::uint64_t n = 0;
  CAIRN_CHECK(d.Varint(&n), "a set value that was not validated");
  SetMembers out;
  out.reserve(n);
  for (std::uint64_t i = 0; i < n; ++i) {
    std::string_view member;
    CAIRN_CHECK(d.Bytes(&member), "a set value that was not validated");
    out.emplace_back(member);
  }
  return out;
}

}  // namespace cairn::kv
