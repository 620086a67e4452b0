// Property tests: random commands and reply trees survive encode -> parse in
// arbitrary chunkings.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cmath>

#include "resp/reply_parser.h"
#include "resp/request_parser.h"
#include "resp/writer.h"

namespace cairn::resp {
namespace {

RC_GTEST_PROP(RespProperty, PipelinedCommandsParseBackInAnyChunking,
              (std::vector<std::vector<std::string>> commands, std::vector<std::size_t> cuts)) {
  std::string wire;
  Writer w(&wire, Protocol::kResp2);
  std::vector<std::vector<std::string>> expected;
  for (const auto& cmd : commands) {
    if (cmd.empty()) continue;  // "*0" is skipped by design
    w.ArrayHeader(cmd.size());
    for (const auto& a : cmd) w.Bulk(a);
    expected.push_back(cmd);
  }
  RequestParser parser;
  std::vector<std::vector<std::string>> got;
  std::vector<std::string> args;
  std::size_t pos = 0;
  auto drain = [&] {
    while (true) {
      Result<bool> r = parser.Next(&args);
      RC_ASSERT(r.ok());
      if (!*r) break;
      got.push_back(args);
    }
  };
  for (std::size_t cut : cuts) {
    std::size_t n = wire.empty() ? 0 : cut % (wire.size() - pos + 1);
    parser.Feed(std::string_view(wire).substr(pos, n));
    pos += n;
    drain();
  }
  parser.Feed(std::string_view(wire).substr(pos));
  drain();
  RC_ASSERT(got == expected);
  RC_ASSERT(parser.buffered_bytes() == 0u);
}

Value RandomValue(int depth) {
  int kinds = depth > 2 ? 8 : 13;
  switch (*rc::gen::inRange(0, kinds)) {
    case 0: return Value::Simple(*rc::gen::container<std::string>(rc::gen::inRange('a', 'z')));
    case 1: return Value::Error("ERR " + *rc::gen::container<std::string>(rc::gen::inRange('a', 'z')));
    case 2: return Value::Int(*rc::gen::arbitrary<std::int64_t>());
    case 3: return Value::Bulk(*rc::gen::arbitrary<std::string>());
    case 4: return Value::Null();
    case 5: return Value::Boolean(*rc::gen::arbitrary<bool>());
    case 6: {
      double d = *rc::gen::arbitrary<double>();
      return Value::Double(std::isnan(d) ? 0.0 : d);
    }
    case 7: return Value::Int(0);
    default: {
      std::size_t n = *rc::gen::inRange<std::size_t>(0, 4);
      std::vector<Value> elems;
      for (std::size_t i = 0; i < n; ++i) elems.push_back(RandomValue(depth + 1));
      int agg = *rc::gen::inRange(0, 4);
      if (agg == 1 && n % 2 == 1) elems.pop_back();
      return agg == 0 ? Value::Array(elems) : agg == 1 ? Value::Map(elems)
           : agg == 2 ? Value::Set(elems) : Value::Push(elems);
    }
  }
}

RC_GTEST_PROP(RespProperty, Resp3RepliesRoundTrip, (std::size_t cut)) {
  Value v = RandomValue(0);
  std::string wire;
  Writer(&wire, Protocol::kResp3).Write(v);
  ReplyParser parser;
  std::size_t n = cut % (wire.size() + 1);
  parser.Feed(std::string_view(wire).substr(0, n));
  Value got;
  Result<bool> first = parser.Next(&got);
  RC_ASSERT(first.ok());
  if (!*first) {
    parser.Feed(std::string_view(wire).substr(n));
    Result<bool> second = parser.Next(&got);
    RC_ASSERT(second.ok());
    RC_ASSERT(*second);
  }
  RC_ASSERT(got == v);
}

}  // namespace
}  // namespace cairn::resp
