#include "kv/command_table.h"

#include <gtest/gtest.h>

namespace cairn::kv {
namespace {

TEST(CommandTableTest, LookupIsCaseInsensitive) {
  const CommandSpec* spec = FindCommand("GeT");
  ASSERT_NE(spec, nullptr);
  EXPECT_EQ(spec->name, "get");
  EXPECT_EQ(spec->arity, 2);
  EXPECT_TRUE(spec->flags & kCmdReadonly);
  EXPECT_EQ(FindCommand("nosuch"), nullptr);
  EXPECT_EQ(FindCommand(std::string(100, 'a')), nullptr);
}

TEST(CommandTableTest, ArityConvention) {
  const CommandSpec& set = *FindCommand("set");
  EXPECT_FALSE(ArityOk(set, 2));
  EXPECT_TRUE(ArityOk(set, 3));
  EXPECT_TRUE(ArityOk(set, 9));
  const CommandSpec& get = *FindCommand("get");
  EXPECT_FALSE(ArityOk(get, 3));
}

TEST(CommandTableTest, EveryWriteCommandParsesToAWriteOp) {
  for (const CommandSpec& spec : AllCommands()) {
    // XGROUP is a container whose subcommands are the writes; Redis flags
    // only them, and COMMAND INFO xgroup shows neither flag. PUBLISH goes
    // through the log but touches no key, and EVAL's writes are its
    // script's: Redis flags them neither.
    if (spec.parse == nullptr || spec.name == "xgroup" || spec.name == "xinfo" ||
        spec.name == "object" || spec.name == "publish" || spec.name == "spublish" ||
        spec.name == "eval") {
      continue;
    }
    EXPECT_NE(static_cast<bool>(spec.flags & kCmdWrite), static_cast<bool>(spec.flags & kCmdReadonly))
        << spec.name;
  }
}

TEST(CommandTableTest, CommandReplies) {
  resp::Value count = CommandCommand({"COMMAND", "COUNT"});
  EXPECT_EQ(count, resp::Value::Int(static_cast<std::int64_t>(AllCommands().size())));
  resp::Value all = CommandCommand({"COMMAND"});
  EXPECT_EQ(all.elems.size(), AllCommands().size());
  resp::Value info = CommandCommand({"COMMAND", "INFO", "mset", "nosuch"});
  ASSERT_EQ(info.elems.size(), 2u);
  const resp::Value& mset = info.elems[0];
  ASSERT_EQ(mset.elems.size(), 10u);
  EXPECT_EQ(mset.elems[0], resp::Value::Bulk("mset"));
  EXPECT_EQ(mset.elems[1], resp::Value::Int(-3));
  EXPECT_EQ(mset.elems[3], resp::Value::Int(1));
  EXPECT_EQ(mset.elems[4], resp::Value::Int(-1));
  EXPECT_EQ(mset.elems[5], resp::Value::Int(2));
  EXPECT_TRUE(info.elems[1].is_null());
  resp::Value docs = CommandCommand({"COMMAND", "DOCS", "get"});
  ASSERT_EQ(docs.type, resp::Type::kMap);
  ASSERT_EQ(docs.elems.size(), 2u);
  EXPECT_EQ(docs.elems[0], resp::Value::Bulk("get"));
  EXPECT_TRUE(CommandCommand({"COMMAND", "BOGUS"}).is_error());
  EXPECT_TRUE(CommandCommand({"COMMAND", "COUNT", "x"}).is_error());
}

}  // namespace
}  // namespace cairn::kv
