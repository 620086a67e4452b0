#include "kv/coding.h"

namespace cairn::kv {

void PutVarint(std::string* out, std::uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

void PutFixed64BE(std::string* out, std::uint64_t v) {
  char buf[8];
  for (int i = 0; i < 8; ++i) buf[i] = static_cast<char>(v >> (56 - 8 * i));
  out->append(buf, sizeof buf);  // one append, not eight (every key read builds one)
}

std::uint64_t GetFixed64BE(std::string_view s) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<std::uint8_t>(s[i]);
  return v;
}

bool Decoder::Varint(std::uint64_t* v) {
  std::uint64_t result = 0;
  for (int shift = 0; shift <= 63; shift += 7) {
    if (in_.empty()) return false;
    auto b = static_cast<std::uint8_t>(in_[0]);
    in_.remove_prefix(1);
    if (shift == 63 && b > 1) return false;  // would overflow 64 bits
    result |= static_cast<std::uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) {
      *v = result;
      return true;
    }
  }
  return false;
}

bool Decoder::Bytes(std::string_view* s) {
  std::uint64_t n = 0;
  if (!Varint(&n) || n > in_.size()) return false;
  *s = in_.substr(0, n);
  in_.remove_prefix(n);
  return true;
}

}  // namespace cairn::kv
