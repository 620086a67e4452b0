#include "resp/writer.h"

#include <charconv>
#include <cmath>

namespace cairn::resp {
namespace {

// Writes `d` into buf (>= 32 bytes) as RESP3 spells it; returns the length.
std::size_t FormatDouble(double d, char* buf) {
  if (std::isnan(d)) return std::string_view("nan").copy(buf, 3);
  if (std::isinf(d)) return d > 0 ? std::string_view("inf").copy(buf, 3)
                                  : std::string_view("-inf").copy(buf, 4);
  auto r = std::to_chars(buf, buf + 32, d);
  return static_cast<std::size_t>(r.ptr - buf);
}

}  // namespace

void Writer::AppendInt(std::int64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out_->append(buf, r.ptr);
}

void Writer::Header(char prefix, std::size_t n) {
  out_->push_back(prefix);
  AppendInt(static_cast<std::int64_t>(n));
  out_->append("\r\n");
}

void Writer::Line(char prefix, std::string_view s) {
  out_->push_back(prefix);
  std::size_t start = out_->size();
  out_->append(s);
  for (std::size_t i = start; i < out_->size(); ++i) {
    if ((*out_)[i] == '\r' || (*out_)[i] == '\n') (*out_)[i] = ' ';
  }
  out_->append("\r\n");
}

void Writer::SimpleString(std::string_view s) { Line('+', s); }

void Writer::Error(std::string_view message) { Line('-', message); }

void Writer::Integer(std::int64_t value) {
  out_->push_back(':');
  AppendInt(value);
  out_->append("\r\n");
}

void Writer::Bulk(std::string_view s) {
  Header('$', s.size());
  out_->append(s);
  out_->append("\r\n");
}

void Writer::Null() { out_->append(protocol_ == Protocol::kResp3 ? "_\r\n" : "$-1\r\n"); }

void Writer::NullArray() { out_->append(protocol_ == Protocol::kResp3 ? "_\r\n" : "*-1\r\n"); }

void Writer::Boolean(bool b) {
  if (protocol_ == Protocol::kResp3) {
    out_->append(b ? "#t\r\n" : "#f\r\n");
  } else {
    out_->append(b ? ":1\r\n" : ":0\r\n");
  }
}

void Writer::Double(double d) {
  char buf[32];
  std::string_view text(buf, FormatDouble(d, buf));
  if (protocol_ == Protocol::kResp2) return Bulk(text);
  out_->push_back(',');
  out_->append(text);
  out_->append("\r\n");
}

void Writer::DoubleText(std::string_view text) {
  if (protocol_ == Protocol::kResp2) return Bulk(text);
  out_->push_back(',');
  out_->append(text);
  out_->append("\r\n");
}

void Writer::Verbatim(std::string_view format3, std::string_view text) {
  if (protocol_ == Protocol::kResp2) {
    Bulk(text);
    return;
  }
  Header('=', format3.size() + 1 + text.size());
  out_->append(format3);
  out_->push_back(':');
  out_->append(text);
  out_->append("\r\n");
}

void Writer::BigNumber(std::string_view digits) {
  if (protocol_ == Protocol::kResp2) {
    Bulk(digits);
    return;
  }
  out_->push_back('(');
  out_->append(digits);
  out_->append("\r\n");
}

void Writer::ArrayHeader(std::size_t n) { Header('*', n); }

void Writer::MapHeader(std::size_t pairs) {
  if (protocol_ == Protocol::kResp3) {
    Header('%', pairs);
  } else {
    Header('*', pairs * 2);
  }
}

void Writer::SetHeader(std::size_t n) { Header(protocol_ == Protocol::kResp3 ? '~' : '*', n); }

void Writer::PushHeader(std::size_t n) { Header(protocol_ == Protocol::kResp3 ? '>' : '*', n); }

void Writer::Write(const Value& v) {
  if (protocol_ == Protocol::kResp3 && !v.attributes.empty()) {
    Header('|', v.attributes.size() / 2);
    for (const Value& a : v.attributes) Write(a);
  }
  switch (v.type) {
    case Type::kSimpleString: return SimpleString(v.str);
    case Type::kError: return Error(v.str);
    case Type::kInteger: return Integer(v.integer);
    case Type::kBulkString: return Bulk(v.str);
    case Type::kNull: return Null();
    case Type::kNullArray: return NullArray();
    case Type::kDouble: return v.str.empty() ? Double(v.dbl) : DoubleText(v.str);
    case Type::kBoolean: return Boolean(v.integer != 0);
    case Type::kBigNumber: return BigNumber(v.str);
    case Type::kVerbatim: {
      std::string_view s = v.str;
      if (s.size() >= 4 && s[3] == ':') return Verbatim(s.substr(0, 3), s.substr(4));
      return Verbatim("txt", s);
    }
    case Type::kArray:
      if (v.flat_in_resp2 && protocol_ == Protocol::kResp2) {
        std::size_t n = 0;
        for (const Value& pair : v.elems) n += pair.elems.size();
        ArrayHeader(n);
        for (const Value& pair : v.elems) {
          for (const Value& e : pair.elems) Write(e);
        }
        return;
      }
      ArrayHeader(v.elems.size());
      break;
    case Type::kMap:
      if (v.pairs_in_resp2 && protocol_ == Protocol::kResp2) {
        ArrayHeader(v.elems.size() / 2);
        for (std::size_t i = 0; i + 1 < v.elems.size(); i += 2) {
          ArrayHeader(2);
          Write(v.elems[i]);
          Write(v.elems[i + 1]);
        }
        return;
      }
      MapHeader(v.elems.size() / 2);
      break;
    case Type::kSet: SetHeader(v.elems.size()); break;
    case Type::kPush: PushHeader(v.elems.size()); break;
  }
  for (const Value& e : v.elems) Write(e);
}

}  // namespace cairn::resp
