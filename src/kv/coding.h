#pragma once
// Little helpers for kv's binary formats (log entries, value records,
// snapshots): LEB128 varints, zigzag for signed values, length-prefixed bytes.
// Decoding never reads past the input and reports truncation as false.
//
// Thread-safety: pure functions; a Decoder is a cursor owned by one caller.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace cairn::kv {

void PutVarint(std::string* out, std::uint64_t v);
// The bytes PutVarint writes for v.
inline std::size_t VarintSize(std::uint64_t v) {
  std::size_t n = 1;
  for (; v >= 0x80; v >>= 7) ++n;
  return n;
}
inline void PutZigzag(std::string* out, std::int64_t v) {
  PutVarint(out, (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63));
}
inline void PutBytes(std::string* out, std::string_view s) {
  PutVarint(out, s.size());
  out->append(s);
}
void PutFixed64BE(std::string* out, std::uint64_t v);
std::uint64_t GetFixed64BE(std::string_view s);  // s.size() >= 8

class Decoder {
 public:
  explicit Decoder(std::string_view in) : in_(in) {}
  bool Varint(std::uint64_t* v);
  bool Zigzag(std::int64_t* v) {
    std::uint64_t u = 0;
    if (!Varint(&u)) return false;
    *v = static_cast<std::int64_t>((u >> 1) ^ (~(u & 1) + 1));
    return true;
  }
  bool Byte(std::uint8_t* b) {
    if (in_.empty()) return false;
    *b = static_cast<std::uint8_t>(in_[0]);
    in_.remove_prefix(1);
    return true;
  }
  bool Bytes(std::string_view* s);
  bool Raw(std::size_t n, std::string_view* s) {
    if (in_.size() < n) return false;
    *s = in_.substr(0, n);
    in_.remove_prefix(n);
    return true;
  }
  std::string_view rest() const { return in_; }
  bool done() const { return in_.empty(); }

 private:
  std::string_view in_;
};

}  // namespace cairn::kv
