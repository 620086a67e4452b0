#pragma once
// Entry points shared by the libFuzzer targets and the corpus-replay gtest.
// Each feeds one input through a parser twice — whole, and split at a point
// derived from the input — and checks that both runs agree, and that every
// parsed reply survives an encode/parse/encode round trip byte for byte.
// Returns how many commands/replies the input held.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/assert.h"
#include "resp/reply_parser.h"
#include "resp/request_parser.h"
#include "resp/writer.h"

namespace cairn::resp::fuzz {

inline std::size_t SplitPoint(std::string_view input) {
  return input.empty() ? 0 : static_cast<unsigned char>(input[0]) % (input.size() + 1);
}

inline std::vector<std::vector<std::string>> RunRequests(std::string_view input, std::size_t split,
                                                         bool* failed) {
  RequestLimits limits;
  limits.bulk_bytes_max = 1 << 16;
  limits.array_elements_max = 1 << 10;
  limits.inline_bytes_max = 1 << 12;
  RequestParser parser(limits);
  std::vector<std::vector<std::string>> out;
  *failed = false;
  for (std::string_view part : {input.substr(0, split), input.substr(split)}) {
    parser.Feed(part);
    std::vector<std::string> args;
    while (true) {
      Result<bool> r = parser.Next(&args);
      if (!r.ok()) {
        *failed = true;
        return out;
      }
      if (!*r) break;
      CAIRN_CHECK(!args.empty(), "a parsed command has at least one argument");
      out.push_back(args);
    }
  }
  CAIRN_CHECK(parser.buffered_bytes() <= input.size());
  return out;
}

inline std::size_t FuzzRequestParser(std::string_view input) {
  bool failed_whole = false;
  bool failed_split = false;
  auto whole = RunRequests(input, input.size(), &failed_whole);
  auto split = RunRequests(input, SplitPoint(input), &failed_split);
  CAIRN_CHECK(failed_whole == failed_split, "chunking changed the outcome");
  CAIRN_CHECK(whole == split, "chunking changed the commands");
  return whole.size();
}

inline std::vector<std::string> RunReplies(std::string_view input, std::size_t split) {
  ReplyLimits limits;
  limits.bulk_bytes_max = 1 << 16;
  limits.aggregate_elements_max = 1 << 10;
  ReplyParser parser(limits);
  std::vector<std::string> encoded;
  for (std::string_view part : {input.substr(0, split), input.substr(split)}) {
    parser.Feed(part);
    Value v;
    while (true) {
      Result<bool> r = parser.Next(&v);
      if (!r.ok()) {
        encoded.push_back("<error>");
        return encoded;
      }
      if (!*r) break;
      std::string once;
      Writer(&once, Protocol::kResp3).Write(v);
      ReplyParser again;
      again.Feed(once);
      Value back;
      Result<bool> r2 = again.Next(&back);
      CAIRN_CHECK(r2.ok(), "re-encoded reply does not parse");
      CAIRN_CHECK(*r2, "re-encoded reply is incomplete");
      std::string twice;
      Writer(&twice, Protocol::kResp3).Write(back);
      CAIRN_CHECK(once == twice, "round trip changed the reply");
      std::string resp2;
      Writer(&resp2, Protocol::kResp2).Write(v);  // must not crash either
      encoded.push_back(std::move(once));
    }
  }
  return encoded;
}

inline std::size_t FuzzReplyParser(std::string_view input) {
  auto whole = RunReplies(input, input.size());
  auto split = RunReplies(input, SplitPoint(input));
  CAIRN_CHECK(whole == split, "chunking changed the replies");
  std::size_t n = whole.size();
  if (n > 0 && whole.back() == "<error>") --n;
  return n;
}

}  // namespace cairn::resp::fuzz
