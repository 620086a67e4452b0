// SLOWLOG: the entries' shape, order and bounds, and the subcommands' errors.
#include "server/slowlog.h"

#include <gtest/gtest.h>

namespace cairn::server {
namespace {

using resp::Value;

TEST(SlowLog, KeepsTheNewestFirstWithinItsLength) {
  SlowLog log;
  log.set_max_len(2);
  log.Add(kv::Op{kv::OpCode::kGet, 0, 0, 0, {"a"}}, 15000, 100);
  log.Add(kv::Op{kv::OpCode::kLPush, kv::kListLeft, 0, 0, {"l", "x"}}, 20000, 101);
  log.Add(kv::Op{kv::OpCode::kKeys, 0, 0, 0, {"*"}}, 30000, 102);
  EXPECT_EQ(log.Command({"slowlog", "len"}), Value::Int(2));
  const Value all = log.Command({"SLOWLOG", "GET", "-1"});
  ASSERT_EQ(all.elems.size(), 2u);
  EXPECT_EQ(all.elems[0], Value::Array({Value::Int(2), Value::Int(102), Value::Int(30000),
                                        Value::Array({Value::Bulk("keys"), Value::Bulk("*")}),
                                        Value::Bulk(""), Value::Bulk("")}));
  EXPECT_EQ(all.elems[1].elems[3],
            Value::Array({Value::Bulk("lpush"), Value::Bulk("l"), Value::Bulk("x")}));
  EXPECT_EQ(log.Command({"slowlog", "get", "1"}).elems.size(), 1u);
  EXPECT_EQ(log.Command({"slowlog", "get"}).elems.size(), 2u);
  EXPECT_EQ(log.Command({"slowlog", "reset"}), Value::Simple("OK"));
  EXPECT_EQ(log.Command({"slowlog", "len"}), Value::Int(0));
  log.set_max_len(0);
  log.Add(kv::Op{kv::OpCode::kGet, 0, 0, 0, {"a"}}, 1, 1);
  EXPECT_EQ(log.size(), 0u);
}

TEST(SlowLog, CutsArgumentsAsRedisDoes) {
  SlowLog log;
  kv::Op op{kv::OpCode::kDel, 0, 0, 0, {}};
  for (int i = 0; i < 40; ++i) op.args.push_back("k" + std::to_string(i));
  op.args[0] = std::string(200, 'x');
  log.Add(op, 1, 1);
  const Value argv = log.Command({"slowlog", "get"}).elems[0].elems[3];
  ASSERT_EQ(argv.elems.size(), 32u);  // del, 30 keys, and how many more
  std::string cut(128, 'x');
  cut.append("... (72 more bytes)");
  EXPECT_EQ(argv.elems[1].str, cut);
  EXPECT_EQ(argv.elems[31].str, "... (10 more arguments)");
}

TEST(SlowLog, RefusesMalformedSubcommands) {
  SlowLog log;
  EXPECT_EQ(log.Command({"slowlog", "get", "-2"}),
            Value::Error("ERR count should be greater than or equal to -1"));
  EXPECT_EQ(log.Command({"slowlog", "get", "x"}),
            Value::Error("ERR count should be greater than or equal to -1"));
  EXPECT_EQ(log.Command({"slowlog", "len", "x"}),
            Value::Error("ERR wrong number of arguments for 'slowlog|len' command"));
  EXPECT_EQ(log.Command({"slowlog", "nope"}),
            Value::Error("ERR unknown subcommand 'nope'. Try SLOWLOG HELP."));
  EXPECT_EQ(log.Command({"slowlog", "help"}).type, resp::Type::kArray);
}

}  // namespace
}  // namespace cairn::server
