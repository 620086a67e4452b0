// ACL: the one user's description, with and without a requirepass, the
// categories, DRYRUN, GENPASS's length and bounds, and the refusals.
#include "server/acl_command.h"

#include <gtest/gtest.h>

namespace cairn::server {
namespace {

using resp::Value;

TEST(AclCommand, DescribesTheDefaultUser) {
  EXPECT_EQ(AclCommand({"acl", "whoami"}, false), Value::Bulk("default"));
  EXPECT_EQ(AclCommand({"ACL", "USERS"}, true), Value::Array({Value::Bulk("default")}));
  EXPECT_EQ(AclCommand({"acl", "list"}, false),
            Value::Array({Value::Bulk("user default on nopass ~* &* +@all")}));
  EXPECT_EQ(AclCommand({"acl", "list"}, true),
            Value::Array({Value::Bulk("user default on ~* &* +@all")}));
  const Value user = AclCommand({"acl", "getuser", "default"}, false);
  ASSERT_EQ(user.elems.size(), 12u);
  EXPECT_EQ(user.elems[1], Value::Set({Value::Bulk("on"), Value::Bulk("nopass")}));
  EXPECT_EQ(AclCommand({"acl", "getuser", "default"}, true).elems[1],
            Value::Set({Value::Bulk("on")}));
  EXPECT_EQ(AclCommand({"acl", "getuser", "bob"}, false), Value::Null());
  EXPECT_EQ(AclCommand({"acl", "log"}, false), Value::Array());
  EXPECT_EQ(AclCommand({"acl", "log", "reset"}, false), Value::Simple("OK"));
}

TEST(AclCommand, CategoriesDryRunAndGenPass) {
  EXPECT_EQ(AclCommand({"acl", "cat"}, false).elems.size(), 21u);
  const Value geo = AclCommand({"acl", "cat", "GEO"}, false);
  EXPECT_EQ(geo.elems.size(), 10u);  // Redis 7.0 lists the same ten
  const Value write = AclCommand({"acl", "cat", "write"}, false);
  bool has_set = false, has_get = false;
  for (const Value& v : write.elems) {
    has_set |= v.str == "set";
    has_get |= v.str == "get";
  }
  EXPECT_TRUE(has_set);
  EXPECT_FALSE(has_get);
  EXPECT_EQ(AclCommand({"acl", "cat", "bogus"}, false),
            Value::Error("ERR Unknown category 'bogus'"));
  EXPECT_EQ(AclCommand({"acl", "dryrun", "default", "get", "x"}, false), Value::Simple("OK"));
  EXPECT_EQ(AclCommand({"acl", "dryrun", "default", "nosuch"}, false),
            Value::Error("ERR Command 'nosuch' not found"));
  EXPECT_EQ(AclCommand({"acl", "dryrun", "bob", "get"}, false),
            Value::Error("ERR User 'bob' not found"));
  EXPECT_EQ(AclCommand({"acl", "genpass"}, false).str.size(), 64u);
  EXPECT_EQ(AclCommand({"acl", "genpass", "10"}, false).str.size(), 3u);
  EXPECT_NE(AclCommand({"acl", "genpass"}, false), AclCommand({"acl", "genpass"}, false));
  EXPECT_EQ(AclCommand({"acl", "genpass", "4097"}, false).type, resp::Type::kError);
}

TEST(AclCommand, RefusesWhatOneUserCannotDo) {
  for (const char* sub : {"setuser", "deluser", "load", "save"}) {
    const Value v = AclCommand({"acl", sub, "bob"}, false);
    EXPECT_EQ(v.type, resp::Type::kError) << sub;
    EXPECT_NE(v.str.find("not supported"), std::string::npos) << sub;
  }
  EXPECT_EQ(AclCommand({"acl", "bogus"}, false),
            Value::Error("ERR unknown subcommand 'bogus'. Try ACL HELP."));
  EXPECT_EQ(AclCommand({"acl", "whoami", "x"}, false),
            Value::Error("ERR wrong number of arguments for 'acl|whoami' command"));
  EXPECT_EQ(AclCommand({"acl"}, false).type, resp::Type::kError);
}

}  // namespace
}  // namespace cairn::server
