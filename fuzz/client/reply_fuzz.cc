// Arbitrary bytes as server replies: every decoded value goes through the
// client's own interpretation (error mapping, INFO fields) without crashing.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "client/errors.h"
#include "resp/reply_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  // Raw text as an INFO reply and as an error line.
  (void)cairn::client::InfoField(bytes, "role");
  (void)cairn::client::InfoField(bytes, "node_id");
  (void)cairn::client::ErrorReplyToStatus(bytes);
  cairn::resp::ReplyParser parser;
  parser.Feed(bytes);
  cairn::resp::Value v;
  for (int i = 0; i < 1000; ++i) {
    auto next = parser.Next(&v);
    if (!next.ok() || !*next) break;
    if (v.is_error()) (void)cairn::client::ErrorReplyToStatus(v.str);
    if (v.type == cairn::resp::Type::kBulkString || v.type == cairn::resp::Type::kVerbatim) {
      (void)cairn::client::InfoField(v.str, "role");
    }
  }
  return 0;
}
