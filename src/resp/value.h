#pragma once
// resp::Value: one decoded (or to-be-encoded) RESP reply of any RESP2/RESP3 type.
//
// A tree of plain values: aggregates own their children. Used by the reply
// parser (client SDK, tests) and by the key-value state machine to hand
// replies to the server, which writes them with resp::Writer.
//
// Thread-safety: a value type; no shared state.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cairn::resp {

enum class Type : std::uint8_t {
  kSimpleString,  // +OK
  kError,         // -ERR ...      (str holds the text without '-')
  kInteger,       // :42
  kBulkString,    // $3 foo
  kNull,          // RESP3 '_' ; RESP2 "$-1" (null bulk)
  kNullArray,     // RESP2 "*-1" (aborted EXEC); RESP3 writes '_'
  kArray,         // *n
  kMap,           // %n  elems = k1, v1, k2, v2 ... ; RESP2 writes a flat array
  kSet,           // ~n  ; RESP2 writes an array
  kDouble,        // ,3.14 ; RESP2 writes a bulk string
  kBoolean,       // #t ; RESP2 writes :1 / :0
  kVerbatim,      // =15 txt:...  (str holds the 3-letter format, ':' and text)
  kBigNumber,     // (1234...  (str holds the digits)
  kPush,          // >n ; RESP2 writes an array
};

std::string_view TypeName(Type type);

struct Value {
  Type type = Type::kNull;
  std::int64_t integer = 0;  // kInteger; kBoolean (0/1)
  double dbl = 0;            // kDouble (unless str holds its text)
  std::string str;           // strings, errors, verbatim, big numbers
  std::vector<Value> elems;  // aggregates (map: keys and values interleaved)
  // RESP3 attributes ('|') that preceded this value, interleaved key/value.
  std::vector<Value> attributes;
  // Of a kArray whose elements are 2-element arrays (ZRANGE ... WITHSCORES,
  // ZPOPMIN with a count): RESP2 writes their items as one flat array, as
  // Redis does; RESP3 writes the pairs. The reply parser never sets it.
  bool flat_in_resp2 = false;
  // Of a kMap (XREAD's reply): RESP2 writes it as an array of [key, value]
  // arrays, as Redis does, instead of one flat array. The parser never sets it.
  bool pairs_in_resp2 = false;

  static Value Simple(std::string_view s) { return Str(Type::kSimpleString, s); }
  static Value Error(std::string_view s) { return Str(Type::kError, s); }
  static Value Bulk(std::string_view s) { return Str(Type::kBulkString, s); }
  // Takes the string instead of copying it.
  static Value BulkOwned(std::string s) {
    Value v;
    v.type = Type::kBulkString;
    v.str = std::move(s);
    return v;
  }
  static Value Int(std::int64_t i) {
    Value v;
    v.type = Type::kInteger;
    v.integer = i;
    return v;
  }
  static Value Null() { return Value(); }
  static Value NullArray() {
    Value v;
    v.type = Type::kNullArray;
    return v;
  }
  static Value Double(double d) {
    Value v;
    v.type = Type::kDouble;
    v.dbl = d;
    return v;
  }
  // A double whose text is given (RESP3 ",text", RESP2 a bulk string of it):
  // for replies Redis prints in its own way (GEOPOS's long-double digits).
  static Value DoubleText(std::string text) {
    Value v;
    v.type = Type::kDouble;
    v.str = std::move(text);
    return v;
  }
  static Value Boolean(bool b) {
    Value v;
    v.type = Type::kBoolean;
    v.integer = b ? 1 : 0;
    return v;
  }
  static Value Array(std::vector<Value> elems = {}) { return Agg(Type::kArray, std::move(elems)); }
  static Value Map(std::vector<Value> kv = {}) { return Agg(Type::kMap, std::move(kv)); }
  static Value Set(std::vector<Value> elems = {}) { return Agg(Type::kSet, std::move(elems)); }
  static Value Push(std::vector<Value> elems = {}) { return Agg(Type::kPush, std::move(elems)); }
  // An array of pairs, flat in RESP2 (flat_in_resp2): `items` holds them
  // interleaved (a1, b1, a2, b2 ...) and must be of even length.
  static Value Pairs(std::vector<Value> items);

  bool is_error() const { return type == Type::kError; }
  bool is_null() const { return type == Type::kNull || type == Type::kNullArray; }

  friend bool operator==(const Value& a, const Value& b) = default;

 private:
  static Value Str(Type t, std::string_view s) {
    Value v;
    v.type = t;
    v.str = s;
    return v;
  }
  static Value Agg(Type t, std::vector<Value> elems) {
    Value v;
    v.type = t;
    v.elems = std::move(elems);
    return v;
  }
};

// A readable one-line rendering for tests and logs, in redis-cli's spirit:
// "OK", "(error) ERR x", "(integer) 3", "\"bulk\"", "(nil)", "[a, b]", "{k: v}".
std::string ToDebugString(const Value& value);

}  // namespace cairn::resp
