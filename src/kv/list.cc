#include "kv/list.h"

#include "common/assert.h"
#include "kv/coding.h"

namespace cairn::kv {

std::string EncodeList(const ListElements& elements) {
  std::size_t bytes = 10;
  for (const std::string& e : elements) bytes += e.size() + 5;
  std::string out;
  out.reserve(bytes);
  PutVarint(&out, elements.size());
  for (const std::string& e : elements) PutBytes(&out, e);
  return out;
}

Status ValidateList(std::string_view bytes) {
  Decoder d(bytes);
  std::uint64_t n = 0;
  if (!d.Varint(&n)) return Status::Corruption("kv: truncated list");
  // Each element takes at least one length byte.
  if (n == 0 || n > d.rest().size()) return Status::Corruption("kv: bad list length");
  for (std::uint64_t i = 0; i < n; ++i) {
    std::string_view element;
    if (!d.Bytes(&element)) return Status::Corruption("kv: truncated list element");
  }
  if (!d.done()) return Status::Corruption("kv: trailing bytes after a list");
  return Status::Ok();
}

ListElements DecodeList(std::string_view bytes) {
  Decoder d(bytes);
  std::uint64_t n = 0;
  CAIRN_CHECK(d.Varint(&n), "a list value that was not validated");
  ListElements out;
  out.reserve(n);
  for (std::uint64_t i = 0; i < n; ++i) {
    std::string_view element;
    CAIRN_CHECK(d.Bytes(&element), "a list value that was not validated");
    out.emplace_back(element);
  }
  return out;
}

}  // namespace cairn::kv
