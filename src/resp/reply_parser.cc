#include "resp/reply_parser.h"

#include <charconv>
#include <cmath>
#include <limits>

namespace cairn::resp {
namespace {

bool ParseInt(std::string_view s, std::int64_t* out) {
  if (s.empty()) return false;
  auto r = std::from_chars(s.data(), s.data() + s.size(), *out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

bool ParseDouble(std::string_view s, double* out) {
  if (s == "inf" || s == "+inf") {
    *out = std::numeric_limits<double>::infinity();
    return true;
  }
  if (s == "-inf") {
    *out = -std::numeric_limits<double>::infinity();
    return true;
  }
  if (s == "nan" || s == "-nan") {
    *out = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  if (s.empty()) return false;
  auto r = std::from_chars(s.data(), s.data() + s.size(), *out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

bool IsBigNumber(std::string_view s) {
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

void ReplyParser::Feed(std::string_view bytes) {
  if (pos_ == buf_.size()) {
    buf_.clear();
    pos_ = 0;
  } else if (pos_ > 4096 && pos_ * 2 > buf_.size()) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  buf_.append(bytes);
}

Result<bool> ReplyParser::Next(Value* out) {
  if (!error_.ok()) return error_;
  std::size_t p = pos_;
  Value v;
  switch (Parse(&p, 0, &v)) {
    case Step::kMore: return false;
    case Step::kError: return error_;
    case Step::kDone: break;
  }
  pos_ = p;
  *out = std::move(v);
  return true;
}

ReplyParser::Step ReplyParser::Error(const char* message) {
  error_ = Status::InvalidArgument(message);
  return Step::kError;
}

ReplyParser::Step ReplyParser::Line(std::size_t* p, std::string_view* line) {
  std::size_t nl = buf_.find("\r\n", *p);
  if (nl == std::string::npos) {
    if (buf_.size() - *p > limits_.line_bytes_max) return Error("resp: reply line too long");
    return Step::kMore;
  }
  if (nl - *p > limits_.line_bytes_max) return Error("resp: reply line too long");
  *line = std::string_view(buf_).substr(*p, nl - *p);
  *p = nl + 2;
  return Step::kDone;
}

ReplyParser::Step ReplyParser::Parse(std::size_t* p, std::size_t depth, Value* out) {
  if (depth > limits_.depth_max) return Error("resp: reply nested too deeply");
  if (*p >= buf_.size()) return Step::kMore;
  char prefix = buf_[*p];
  ++*p;
  std::string_view line;
  Step s = Line(p, &line);
  if (s != Step::kDone) return s;
  std::int64_t n = 0;
  switch (prefix) {
    case '+': *out = Value::Simple(line); return Step::kDone;
    case '-': *out = Value::Error(line); return Step::kDone;
    case ':':
      if (!ParseInt(line, &n)) return Error("resp: invalid integer");
      *out = Value::Int(n);
      return Step::kDone;
    case '_':
      if (!line.empty()) return Error("resp: invalid null");
      *out = Value::Null();
      return Step::kDone;
    case '#':
      if (line != "t" && line != "f") return Error("resp: invalid boolean");
      *out = Value::Boolean(line == "t");
      return Step::kDone;
    case ',': {
      double d = 0;
      if (!ParseDouble(line, &d)) return Error("resp: invalid double");
      *out = Value::Double(d);
      if (keep_double_text_) out->str = line;
      return Step::kDone;
    }
    case '(':
      if (!IsBigNumber(line)) return Error("resp: invalid big number");
      out->type = Type::kBigNumber;
      out->str = line;
      return Step::kDone;
    case '$': case '!': case '=': {
      if (!ParseInt(line, &n) || n < -1) return Error("resp: invalid bulk length");
      if (n == -1) {
        if (prefix != '$') return Error("resp: invalid bulk length");
        *out = Value::Null();
        return Step::kDone;
      }
      if (static_cast<std::uint64_t>(n) > limits_.bulk_bytes_max) return Error("resp: bulk too long");
      std::size_t len = static_cast<std::size_t>(n);
      if (buf_.size() - *p < len + 2) return Step::kMore;
      if (buf_[*p + len] != '\r' || buf_[*p + len + 1] != '\n') return Error("resp: bulk missing CRLF");
      std::string_view data = std::string_view(buf_).substr(*p, len);
      *p += len + 2;
      if (prefix == '=' && (len < 4 || data[3] != ':')) return Error("resp: invalid verbatim string");
      out->type = prefix == '$' ? Type::kBulkString : prefix == '!' ? Type::kError : Type::kVerbatim;
      out->str = data;
      return Step::kDone;
    }
    case '*': case '%': case '~': case '>': case '|':
      if (line == "?") return Error("resp: streamed aggregates are not supported");
      if (!ParseInt(line, &n) || n < -1) return Error("resp: invalid aggregate length");
      if (n == -1) {
        if (prefix != '*') return Error("resp: invalid aggregate length");
        *out = Value::NullArray();
        return Step::kDone;
      }
      return ParseAggregate(p, depth, prefix, n, out);
    default:
      return Error("resp: unknown reply type byte");
  }
}

ReplyParser::Step ReplyParser::ParseAggregate(std::size_t* p, std::size_t depth, char prefix,
                                              std::int64_t n, Value* out) {
  bool pairs = prefix == '%' || prefix == '|';
  if (static_cast<std::uint64_t>(n) > limits_.aggregate_elements_max ||
      static_cast<std::uint64_t>(n) * (pairs ? 2 : 1) > limits_.aggregate_elements_max) {
    return Error("resp: aggregate too long");
  }
  std::size_t count = static_cast<std::size_t>(n) * (pairs ? 2 : 1);
  std::vector<Value> elems;
  elems.reserve(count < 1024 ? count : 1024);
  for (std::size_t i = 0; i < count; ++i) {
    Value e;
    Step s = Parse(p, depth + 1, &e);
    if (s != Step::kDone) return s;
    elems.push_back(std::move(e));
  }
  if (prefix == '|') {
    // Attributes describe the value that follows them.
    Step s = Parse(p, depth + 1, out);
    if (s != Step::kDone) return s;
    out->attributes = std::move(elems);
    return Step::kDone;
  }
  out->type = prefix == '*' ? Type::kArray : prefix == '%' ? Type::kMap
            : prefix == '~' ? Type::kSet : Type::kPush;
  out->elems = std::move(elems);
  return Step::kDone;
}

}  // namespace cairn::resp
