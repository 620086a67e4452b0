#include "kv/hash.h"

#include <unordered_set>

#include "common/assert.h"
#include "kv/coding.h"

namespace cairn::kv {

std::string EncodeHash(const HashFields& fields) {
  std::size_t bytes = 10;
  for (const auto& [f, v] : fields) bytes += f.size() + v.size() + 10;
  std::string out;
  out.reserve(bytes);
  PutVarint(&out, fields.size());
  for (const auto& [f, v] : fields) {
    PutBytes(&out, f);
    PutBytes(&out, v);
  }
  return out;
}

Status ValidateHash(std::string_view bytes) {
  Decoder d(bytes);
  std::uint64_t n = 0;
  if (!d.Varint(&n)) return Status::Corruption("kv: truncated hash");
  // Each field takes at least two length bytes.
  if (n == 0 || n > d.rest().size() / 2) return Status::Corruption("kv: bad hash field count");
  std::unordered_set<std::string_view> seen;
  seen.reserve(n);
  for (std::uint64_t i = 0; i < n; ++i) {
    std::string_view field;
    std::string_view value;
    if (!d.Bytes(&field) || !d.Bytes(&value)) return Status::Corruption("kv: truncated hash field");
    if (!seen.insert(field).second) return Status::Corruption("kv: repeated hash field");
  }
  if (!d.done()) return Status::Corruption("kv: trailing bytes after a hash");
  return Status::Ok();
}

HashFields DecodeHash(std::string_view bytes) {
  HashView view(bytes);
  HashFields out;
  out.reserve(view.size());
  std::string_view f;
  std::string_view v;
  while (view.Next(&f, &v)) out.emplace_back(f, v);
  return out;
}

HashView::HashView(std::string_view bytes) : all_(bytes) {
  Decoder d(bytes);
  CAIRN_CHECK(d.Varint(&size_), "a hash value that was not validated");
  all_ = d.rest();
  rest_ = all_;
}

bool HashView::Next(std::string_view* field, std::string_view* value) {
  if (rest_.empty()) return false;
  Decoder d(rest_);
  CAIRN_CHECK(d.Bytes(field) && d.Bytes(value), "a hash value that was not validated");
  rest_ = d.rest();
  return true;
}

bool HashView::Find(std::string_view field, std::string_view* value) {
  rest_ = all_;
  std::string_view f;
  while (Next(&f, value)) {
    if (f == field) return true;
  }
  return false;
}

}  // namespace cairn::kv
