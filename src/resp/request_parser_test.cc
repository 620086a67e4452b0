#include "resp/request_parser.h"

#include <gtest/gtest.h>

namespace cairn::resp {
namespace {

using Args = std::vector<std::string>;

// Feeds `input` in chunks of `chunk` bytes and collects every command.
Result<std::vector<Args>> ParseAll(std::string_view input, std::size_t chunk,
                                   RequestLimits limits = {}) {
  RequestParser parser(limits);
  std::vector<Args> commands;
  for (std::size_t i = 0; i < input.size(); i += chunk) {
    parser.Feed(input.substr(i, chunk));
    Args args;
    while (true) {
      CAIRN_ASSIGN_OR_RETURN(bool got, parser.Next(&args));
      if (!got) break;
      commands.push_back(args);
    }
  }
  return commands;
}

TEST(RequestParserTest, PipelinedMultibulkInEveryChunking) {
  std::string input = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nv\r\nxy\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n";
  for (std::size_t chunk = 1; chunk <= input.size(); ++chunk) {
    auto r = ParseAll(input, chunk);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->size(), 2u) << "chunk " << chunk;
    EXPECT_EQ((*r)[0], (Args{"SET", "k", "v\r\nxy"}));
    EXPECT_EQ((*r)[1], (Args{"GET", "k"}));
  }
}

TEST(RequestParserTest, InlineCommandsWithQuotes) {
  auto r = ParseAll("PING\r\n\r\nset k \"a b\\x41\\n\"\nget 'it\\'s'\r\n", 3);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0], (Args{"PING"}));
  EXPECT_EQ((*r)[1], (Args{"set", "k", "a bA\n"}));
  EXPECT_EQ((*r)[2], (Args{"get", "it's"}));
}

TEST(RequestParserTest, InlineThenMultibulkMixed) {
  auto r = ParseAll("PING\r\n*1\r\n$4\r\nPING\r\nECHO hi\r\n", 1);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[2], (Args{"ECHO", "hi"}));
}

TEST(RequestParserTest, EmptyMultibulkIsSkipped) {
  auto r = ParseAll("*0\r\n*-1\r\n*1\r\n$4\r\nPING\r\n", 2);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1u);
}

TEST(RequestParserTest, EmptyBulkArgument) {
  auto r = ParseAll("*2\r\n$3\r\nGET\r\n$0\r\n\r\n", 4);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0], (Args{"GET", ""}));
}

void ExpectError(std::string_view input, std::string_view message, RequestLimits limits = {}) {
  auto r = ParseAll(input, input.size(), limits);
  ASSERT_FALSE(r.ok()) << input;
  EXPECT_EQ(r.status().message(), message) << input;
}

TEST(RequestParserTest, RedisStyleProtocolErrors) {
  ExpectError("*x\r\n", "ERR Protocol error: invalid multibulk length");
  ExpectError("*2\r\n:1\r\n", "ERR Protocol error: expected '$', got ':'");
  ExpectError("*1\r\n$-5\r\n", "ERR Protocol error: invalid bulk length");
  ExpectError("*1\r\n$abc\r\n", "ERR Protocol error: invalid bulk length");
  ExpectError("*1\r\n$1\r\nab\r\n", "ERR Protocol error: expected CRLF after bulk data");
  ExpectError("set k \"abc\r\n", "ERR Protocol error: unbalanced quotes in request");
  ExpectError("set k \"a\"b\r\n", "ERR Protocol error: unbalanced quotes in request");
}

TEST(RequestParserTest, LimitsBoundMemory) {
  RequestLimits small;
  small.bulk_bytes_max = 10;
  small.array_elements_max = 3;
  small.inline_bytes_max = 16;
  small.request_bytes_max = 15;
  ExpectError("*1\r\n$11\r\n", "ERR Protocol error: invalid bulk length", small);
  ExpectError("*4\r\n", "ERR Protocol error: invalid multibulk length", small);
  ExpectError(std::string(40, 'a'), "ERR Protocol error: too big inline request", small);
  ExpectError("*" + std::string(40, '1'), "ERR Protocol error: too big mbulk count string", small);
  ExpectError("*2\r\n$10\r\n0123456789\r\n$10\r\n", "ERR Protocol error: request too large", small);
  // A header claiming many elements allocates nothing up front.
  RequestParser parser;
  parser.Feed("*1000000\r\n");
  Args args;
  EXPECT_FALSE(*parser.Next(&args));
  EXPECT_EQ(parser.buffered_bytes(), 0u);
}

TEST(RequestParserTest, ErrorIsSticky) {
  RequestParser parser;
  parser.Feed("*1\r\n$-2\r\n");
  Args args;
  EXPECT_FALSE(parser.Next(&args).ok());
  parser.Feed("*1\r\n$4\r\nPING\r\n");
  EXPECT_FALSE(parser.Next(&args).ok());
}

TEST(RequestParserTest, BufferIsCompactedAsCommandsComplete) {
  RequestParser parser;
  std::string cmd = "*2\r\n$3\r\nGET\r\n$100\r\n" + std::string(100, 'k') + "\r\n";
  Args args;
  for (int i = 0; i < 1000; ++i) {
    parser.Feed(cmd);
    ASSERT_TRUE(*parser.Next(&args));
    ASSERT_FALSE(*parser.Next(&args));
  }
  EXPECT_EQ(parser.buffered_bytes(), 0u);
}

}  // namespace
}  // namespace cairn::resp
