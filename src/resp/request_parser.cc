#include "resp/request_parser.h"

#include <charconv>

namespace cairn::resp {
namespace {

// Parses a non-negative or -1 length the way Redis's string2ll accepts it.
bool ParseLength(std::string_view s, std::int64_t* out) {
  if (s.empty() || s.size() > 20) return false;
  auto r = std::from_chars(s.data(), s.data() + s.size(), *out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

bool IsHexDigit(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

// Reads one quoted token starting after the opening quote at s[*i - 1].
bool ReadQuoted(std::string_view s, std::size_t* i, char quote, std::string* out) {
  while (*i < s.size()) {
    char c = s[*i];
    if (quote == '"' && c == '\\' && *i + 3 < s.size() && s[*i + 1] == 'x' &&
        IsHexDigit(s[*i + 2]) && IsHexDigit(s[*i + 3])) {
      out->push_back(static_cast<char>(HexValue(s[*i + 2]) * 16 + HexValue(s[*i + 3])));
      *i += 4;
    } else if (c == '\\' && *i + 1 < s.size() && (quote == '"' || s[*i + 1] == '\'')) {
      char e = s[*i + 1];
      if (quote == '"') {
        switch (e) {
          case 'n': e = '\n'; break;
          case 'r': e = '\r'; break;
          case 't': e = '\t'; break;
          case 'b': e = '\b'; break;
          case 'a': e = '\a'; break;
          default: break;
        }
      }
      out->push_back(e);
      *i += 2;
    } else if (c == quote) {
      ++*i;
      // The closing quote must end the token.
      return *i == s.size() || IsSpace(s[*i]);
    } else {
      out->push_back(c);
      ++*i;
    }
  }
  return false;  // no closing quote
}

}  // namespace

bool SplitInlineArgs(std::string_view s, std::vector<std::string>* args) {
  args->clear();
  std::size_t i = 0;
  while (true) {
    while (i < s.size() && IsSpace(s[i])) ++i;
    if (i == s.size()) return true;
    std::string token;
    while (i < s.size() && !IsSpace(s[i])) {
      char c = s[i++];
      if (c == '"' || c == '\'') {
        if (!ReadQuoted(s, &i, c, &token)) return false;
        break;
      }
      token.push_back(c);
    }
    args->push_back(std::move(token));
  }
}

void RequestParser::Feed(std::string_view bytes) {
  if (pos_ == buf_.size()) {
    buf_.clear();
    pos_ = 0;
  } else if (pos_ > 4096 && pos_ * 2 > buf_.size()) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  buf_.append(bytes);
}

Status RequestParser::Fail(Status s) {
  error_ = s;
  return s;
}

Result<bool> RequestParser::ReadLine(std::string_view* line, const char* too_big_error) {
  std::size_t nl = buf_.find('\n', pos_);
  if (nl == std::string::npos) {
    if (buf_.size() - pos_ > limits_.inline_bytes_max) {
      return Fail(Status::InvalidArgument(too_big_error));
    }
    return false;
  }
  if (nl - pos_ > limits_.inline_bytes_max) return Fail(Status::InvalidArgument(too_big_error));
  std::size_t end = nl;
  if (end > pos_ && buf_[end - 1] == '\r') --end;
  *line = std::string_view(buf_).substr(pos_, end - pos_);
  pos_ = nl + 1;
  return true;
}

Result<bool> RequestParser::Next(std::vector<std::string>* args) {
  if (!error_.ok()) return error_;
  while (true) {
    Result<bool> progressed = false;
    switch (state_) {
      case State::kStart:
        if (pos_ == buf_.size()) return false;
        if (buf_[pos_] != '*') return ParseInline(args);
        progressed = ParseMultibulkHeader();
        break;
      case State::kBulkHeader: progressed = ParseBulkHeader(); break;
      case State::kBulkData: progressed = ParseBulkData(); break;
    }
    if (!progressed.ok() || !*progressed) return progressed;
    if (state_ == State::kBulkHeader && args_done_ == args_total_ && args_total_ > 0) {
      state_ = State::kStart;
      args_.resize(args_total_);
      args->swap(args_);
      args_total_ = 0;
      return true;
    }
  }
}

Result<bool> RequestParser::ParseInline(std::vector<std::string>* args) {
  while (pos_ < buf_.size() && buf_[pos_] != '*') {
    std::string_view line;
    CAIRN_ASSIGN_OR_RETURN(bool complete,
                           ReadLine(&line, "ERR Protocol error: too big inline request"));
    if (!complete) return false;
    if (!SplitInlineArgs(line, args)) {
      return Fail(Status::InvalidArgument("ERR Protocol error: unbalanced quotes in request"));
    }
    if (!args->empty()) return true;  // empty lines are skipped, as in Redis
  }
  return Next(args);
}

Result<bool> RequestParser::ParseMultibulkHeader() {
  std::string_view line;
  CAIRN_ASSIGN_OR_RETURN(bool complete,
                         ReadLine(&line, "ERR Protocol error: too big mbulk count string"));
  if (!complete) return false;
  std::int64_t n = 0;
  if (!ParseLength(line.substr(1), &n) || n > static_cast<std::int64_t>(limits_.array_elements_max)) {
    return Fail(Status::InvalidArgument("ERR Protocol error: invalid multibulk length"));
  }
  if (n <= 0) return true;  // "*0" and "*-1" carry no command: skip
  args_total_ = static_cast<std::size_t>(n);
  args_done_ = 0;
  request_bytes_ = 0;
  // Reserve slowly: a header alone must not make us allocate n strings.
  if (args_.size() < args_total_ && args_total_ <= 1024) args_.resize(args_total_);
  state_ = State::kBulkHeader;
  return true;
}

Result<bool> RequestParser::ParseBulkHeader() {
  if (pos_ == buf_.size()) return false;
  if (buf_[pos_] != '$') {
    std::string msg = "ERR Protocol error: expected '$', got '";
    msg.push_back(buf_[pos_]);
    msg.push_back('\'');
    return Fail(Status::InvalidArgument(msg));
  }
  std::string_view line;
  CAIRN_ASSIGN_OR_RETURN(bool complete,
                         ReadLine(&line, "ERR Protocol error: too big bulk count string"));
  if (!complete) return false;
  std::int64_t n = 0;
  if (!ParseLength(line.substr(1), &n) || n < 0 ||
      static_cast<std::uint64_t>(n) > limits_.bulk_bytes_max) {
    return Fail(Status::InvalidArgument("ERR Protocol error: invalid bulk length"));
  }
  request_bytes_ += static_cast<std::size_t>(n);
  if (request_bytes_ > limits_.request_bytes_max) {
    return Fail(Status::InvalidArgument("ERR Protocol error: request too large"));
  }
  bulk_len_ = static_cast<std::size_t>(n);
  state_ = State::kBulkData;
  return true;
}

Result<bool> RequestParser::ParseBulkData() {
  if (buf_.size() - pos_ < bulk_len_ + 2) return false;
  if (buf_[pos_ + bulk_len_] != '\r' || buf_[pos_ + bulk_len_ + 1] != '\n') {
    return Fail(Status::InvalidArgument("ERR Protocol error: expected CRLF after bulk data"));
  }
  if (args_.size() <= args_done_) args_.resize(args_done_ + 1);
  args_[args_done_].assign(buf_, pos_, bulk_len_);
  ++args_done_;
  pos_ += bulk_len_ + 2;
  state_ = State::kBulkHeader;
  return true;
}

}  // namespace cairn::resp
