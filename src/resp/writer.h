#pragma once
// resp::Writer: encodes replies into a caller-owned buffer.
//
// Appends to `*out` and never allocates beyond the buffer's own growth, so a
// connection can keep one output buffer for its lifetime. Aggregates are
// written as a header (ArrayHeader(n) etc.) followed by exactly n elements
// (2n for maps); the writer does not check the count.
//
// Protocol: RESP2 writes RESP3-only types in their RESP2 form (null -> "$-1",
// map -> flat array of 2n, set/push -> array, double -> bulk string,
// boolean -> integer 1/0, verbatim -> bulk string, big number -> bulk string).
//
// Thread-safety: none; one writer per buffer.

#include <cstdint>
#include <string>
#include <string_view>

#include "resp/value.h"

namespace cairn::resp {

enum class Protocol : std::uint8_t { kResp2 = 2, kResp3 = 3 };

class Writer {
 public:
  Writer(std::string* out, Protocol protocol) : out_(out), protocol_(protocol) {}

  Protocol protocol() const { return protocol_; }

  // CR/LF inside `s` are replaced by spaces (they would break the framing).
  void SimpleString(std::string_view s);
  // `message` is the full error text, e.g. "ERR syntax error"; CR/LF as above.
  void Error(std::string_view message);
  void Integer(std::int64_t value);
  void Bulk(std::string_view s);
  void Null();       // RESP3 "_", RESP2 "$-1"
  void NullArray();  // RESP3 "_", RESP2 "*-1"
  void Boolean(bool b);
  void Double(double d);
  // A double spelled as `text` (which must be one RESP3 accepts).
  void DoubleText(std::string_view text);
  void Verbatim(std::string_view format3, std::string_view text);
  void BigNumber(std::string_view digits);
  void ArrayHeader(std::size_t n);
  void MapHeader(std::size_t pairs);
  void SetHeader(std::size_t n);
  void PushHeader(std::size_t n);

  // Writes a whole value tree (attributes are written in RESP3 only).
  void Write(const Value& value);

 private:
  void Header(char prefix, std::size_t n);
  void Line(char prefix, std::string_view s);
  void AppendInt(std::int64_t v);

  std::string* out_;
  Protocol protocol_;
};

}  // namespace cairn::resp
