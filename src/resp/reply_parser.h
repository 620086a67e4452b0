#pragma once
// resp::ReplyParser: incremental parser for server replies (RESP2 and RESP3),
// used by the client SDK and by tests that talk to real servers.
//
// Every RESP3 type is understood: simple/blob strings and errors, integers,
// nulls, doubles, booleans, verbatim strings, big numbers, arrays, maps, sets,
// pushes, and attributes (attached to the value that follows them). Streamed
// (chunked "?") aggregates are rejected as unsupported.
//
// Feed() bytes, then call Next() until it returns false. A partial reply is
// re-parsed from its start when more bytes arrive (simple and allocation-light
// for the usual small replies; a multi-megabyte reply fed in tiny chunks costs
// quadratic time, which the client avoids by reading in large chunks).
//
// Limits: nesting depth, bulk length and aggregate length are capped; a
// reply over a limit, or malformed, yields a sticky InvalidArgument error.
//
// Thread-safety: none; one parser per connection.

#include <cstddef>
#include <string>
#include <string_view>

#include "common/status.h"
#include "resp/value.h"

namespace cairn::resp {

struct ReplyLimits {
  std::size_t depth_max = 64;
  std::size_t bulk_bytes_max = 512u << 20;
  std::size_t aggregate_elements_max = 1u << 24;
  std::size_t line_bytes_max = 64u << 10;  // simple strings, errors, numbers
};

class ReplyParser {
 public:
  explicit ReplyParser(ReplyLimits limits = {}) : limits_(limits) {}

  void Feed(std::string_view bytes);

  // Stores the next complete reply in *out and returns true; false when more
  // bytes are needed; the sticky error when the stream is malformed.
  Result<bool> Next(Value* out);

  std::size_t buffered_bytes() const { return buf_.size() - pos_; }

  // Keep each RESP3 double's text as sent (Value::DoubleText), so that
  // writing the reply again gives the same digits: for a node relaying
  // another node's reply (GEOPOS's 17 decimals). Off: dbl only.
  void set_keep_double_text(bool on) { keep_double_text_ = on; }

 private:
  enum class Step : std::uint8_t { kDone, kMore, kError };

  Step Parse(std::size_t* p, std::size_t depth, Value* out);
  Step ParseAggregate(std::size_t* p, std::size_t depth, char prefix, std::int64_t n, Value* out);
  Step Line(std::size_t* p, std::string_view* line);
  Step Error(const char* message);

  ReplyLimits limits_;
  bool keep_double_text_ = false;
  std::string buf_;
  std::size_t pos_ = 0;
  Status error_;
};

}  // namespace cairn::resp
