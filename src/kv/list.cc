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

namespace {

std::size_t VarintBytes(std::uint64_t v) {
  std::size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

// The header's length, and the count it holds.
std::size_t Header(std::string_view bytes, std::uint64_t* count) {
  Decoder d(bytes);
  CAIRN_CHECK(d.Varint(count), "a list value that was not validated");
  return bytes.size() - d.rest().size();
}

// Replaces the header (old_len bytes) with one holding `count`.
void SetCount(std::string* bytes, std::size_t old_len, std::uint64_t count) {
  std::string header;
  PutVarint(&header, count);
  bytes->replace(0, old_len, header);  // in place when the length is unchanged
}

}  // namespace

std::uint64_t ListLength(std::string_view bytes) {
  std::uint64_t count = 0;
  Header(bytes, &count);
  return count;
}

std::size_t ListPushBytes(const std::string* elements, std::size_t n) {
  std::size_t bytes = 0;
  for (std::size_t i = 0; i < n; ++i) bytes += VarintBytes(elements[i].size()) + elements[i].size();
  return bytes + 10;  // and at most a longer header
}

void ListPush(std::string* bytes, const std::string* elements, std::size_t n, bool head) {
  if (bytes->empty()) PutVarint(bytes, 0);
  std::uint64_t count = 0;
  const std::size_t header = Header(*bytes, &count);
  if (head) {
    std::string front;
    for (std::size_t i = n; i > 0; --i) PutBytes(&front, elements[i - 1]);
    bytes->insert(header, front);
  } else {
    for (std::size_t i = 0; i < n; ++i) PutBytes(bytes, elements[i]);
  }
  SetCount(bytes, header, count + n);
}

std::string ListPop(std::string* bytes, bool head) {
  std::uint64_t count = 0;
  const std::size_t header = Header(*bytes, &count);
  CAIRN_CHECK(count > 0, "a pop from an empty list value");
  Decoder d(std::string_view(*bytes).substr(header));
  std::string_view element;
  std::size_t at = header;  // where the popped element's bytes start
  for (std::uint64_t i = 0; i < (head ? 1 : count); ++i) {
    at = bytes->size() - d.rest().size();
    CAIRN_CHECK(d.Bytes(&element), "a list value that was not validated");
  }
  std::string out(element);
  const std::size_t end = bytes->size() - d.rest().size();
  bytes->erase(at, end - at);
  if (count == 1) {
    bytes->clear();
  } else {
    SetCount(bytes, header, count - 1);
  }
  return out;
}

}  // namespace cairn::kv
