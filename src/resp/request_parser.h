#pragma once
// resp::RequestParser: incremental parser for client requests, as a server
// reads them from a socket.
//
// Accepts both request forms Redis accepts:
//   - multibulk: "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n" (every client library), and
//   - inline:    "PING\r\n" or "set k \"a b\"\n" (telnet, redis-cli's fallbacks),
// pipelined: Feed() any byte chunks as they arrive, then call Next() until it
// returns false. Empty inline lines and "*0"/"*-1" headers are skipped, as
// Redis does.
//
// Memory is bounded by the limits as long as the caller drains Next() after
// every Feed(): a header line may be at most inline_bytes_max long, a bulk at
// most bulk_bytes_max, a command at most request_bytes_max in total.
//
// Errors: a malformed or over-limit request yields InvalidArgument whose
// message is the Redis reply text ("ERR Protocol error: invalid bulk length").
// The error is sticky: like Redis, the server should send it and close the
// connection, since the byte stream can no longer be framed.
//
// Thread-safety: none; one parser per connection.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace cairn::resp {

struct RequestLimits {
  std::size_t bulk_bytes_max = 512u << 20;       // Redis proto-max-bulk-len
  std::size_t array_elements_max = 1u << 20;     // arguments per command
  std::size_t inline_bytes_max = 64u << 10;      // Redis PROTO_INLINE_MAX_SIZE
  std::size_t request_bytes_max = 1024u << 20;   // sum of argument bytes
};

class RequestParser {
 public:
  explicit RequestParser(RequestLimits limits = {}) : limits_(limits) {}

  // Appends bytes received from the connection.
  void Feed(std::string_view bytes);

  // Moves the next complete command into *args (replacing its contents; the
  // strings' capacity is reused) and returns true; returns false when more
  // bytes are needed; returns the (sticky) protocol error otherwise.
  Result<bool> Next(std::vector<std::string>* args);

  // Bytes fed but not yet consumed by a complete command.
  std::size_t buffered_bytes() const { return buf_.size() - pos_; }

 private:
  enum class State : std::uint8_t { kStart, kBulkHeader, kBulkData };

  Result<bool> ParseInline(std::vector<std::string>* args);
  Result<bool> ParseMultibulkHeader();
  Result<bool> ParseBulkHeader();
  Result<bool> ParseBulkData();
  // Finds "\n" from pos_; sets *line to the text before "\r\n". False if the
  // line is incomplete (and then checks it is not over the limit).
  Result<bool> ReadLine(std::string_view* line, const char* too_big_error);
  Status Fail(Status s);

  RequestLimits limits_;
  std::string buf_;
  std::size_t pos_ = 0;  // first unconsumed byte of buf_
  State state_ = State::kStart;
  std::size_t args_total_ = 0;  // arguments of the command being read
  std::size_t args_done_ = 0;
  std::size_t bulk_len_ = 0;
  std::size_t request_bytes_ = 0;
  std::vector<std::string> args_;
  Status error_;
};

// Splits an inline request line the way redis-cli and Redis do: whitespace
// separated, "double quotes" with \n \r \t \b \a \\ \" \xHH escapes, 'single
// quotes' with \' only. Returns false on unbalanced quotes.
bool SplitInlineArgs(std::string_view line, std::vector<std::string>* args);

}  // namespace cairn::resp
