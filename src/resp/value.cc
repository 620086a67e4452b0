#include "resp/value.h"

#include <cstdio>

namespace cairn::resp {

Value Value::Pairs(std::vector<Value> items) {
  Value out = Array();
  out.flat_in_resp2 = true;
  out.elems.reserve(items.size() / 2);
  for (std::size_t i = 0; i + 1 < items.size(); i += 2) {
    out.elems.push_back(Array({std::move(items[i]), std::move(items[i + 1])}));
  }
  return out;
}

std::string_view TypeName(Type type) {
  switch (type) {
    case Type::kSimpleString: return "simple-string";
    case Type::kError: return "error";
    case Type::kInteger: return "integer";
    case Type::kBulkString: return "bulk-string";
    case Type::kNull: return "null";
    case Type::kNullArray: return "null-array";
    case Type::kArray: return "array";
    case Type::kMap: return "map";
    case Type::kSet: return "set";
    case Type::kDouble: return "double";
    case Type::kBoolean: return "boolean";
    case Type::kVerbatim: return "verbatim";
    case Type::kBigNumber: return "big-number";
    case Type::kPush: return "push";
  }
  return "unknown";
}

namespace {

void AppendQuoted(std::string_view s, std::string* out) {
  out->push_back('"');
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(static_cast<char>(c));
    } else if (c < 0x20 || c >= 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02x", c);
      out->append(buf);
    } else {
      out->push_back(static_cast<char>(c));
    }
  }
  out->push_back('"');
}

void Render(const Value& v, std::string* out) {
  switch (v.type) {
    case Type::kSimpleString: out->append(v.str); return;
    case Type::kError: out->append("(error) ").append(v.str); return;
    case Type::kInteger: out->append("(integer) ").append(std::to_string(v.integer)); return;
    case Type::kBulkString: case Type::kVerbatim: AppendQuoted(v.str, out); return;
    case Type::kBigNumber: out->append("(big) ").append(v.str); return;
    case Type::kNull: out->append("(nil)"); return;
    case Type::kNullArray: out->append("(nil-array)"); return;
    case Type::kDouble:
      out->append("(double) ").append(v.str.empty() ? std::to_string(v.dbl) : v.str);
      return;
    case Type::kBoolean: out->append(v.integer ? "(true)" : "(false)"); return;
    default: break;
  }
  bool map = v.type == Type::kMap;
  out->append(map ? "{" : v.type == Type::kSet ? "~[" : v.type == Type::kPush ? ">[" : "[");
  for (std::size_t i = 0; i < v.elems.size(); ++i) {
    if (i > 0) out->append(map && i % 2 == 1 ? ": " : ", ");
    Render(v.elems[i], out);
  }
  out->append(map ? "}" : "]");
}

}  // namespace

std::string ToDebugString(const Value& value) {
  std::string out;
  Render(value, &out);
  return out;
}

}  // namespace cairn::resp
