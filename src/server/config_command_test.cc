// CONFIG: what GET answers, what SET changes and what it refuses.
#include "server/config_command.h"

#include <gtest/gtest.h>

#include "kv/keyspace_events.h"

namespace cairn::server {
namespace {

using resp::Value;

TEST(ConfigCommand, GetMatchesNamesByGlobWithTheNodesValues) {
  NodeOptions opt;
  opt.resp_port = 7001;
  RuntimeSettings events;
  EXPECT_EQ(ConfigCommand({"config", "get", "save", "appendonly"}, opt, &events),
            Value::Map({Value::Bulk("save"), Value::Bulk(""), Value::Bulk("appendonly"),
                        Value::Bulk("no")}));
  EXPECT_EQ(ConfigCommand({"CONFIG", "GET", "PORT"}, opt, &events),
            Value::Map({Value::Bulk("port"), Value::Bulk("7001")}));
  const Value maxmem = ConfigCommand({"config", "get", "maxmemory*"}, opt, &events);
  EXPECT_EQ(maxmem.elems.size(), 4u);  // maxmemory, maxmemory-policy
  EXPECT_EQ(ConfigCommand({"config", "get", "nosuch"}, opt, &events), Value::Map());
  EXPECT_GT(ConfigCommand({"config", "get", "*"}, opt, &events).elems.size(), 20u);
  EXPECT_EQ(ConfigCommand({"config", "get"}, opt, &events),
            Value::Error("ERR wrong number of arguments for 'config|get' command"));
}

TEST(ConfigCommand, SetChangesKeyspaceEventsAndRefusesTheRest) {
  NodeOptions opt;
  RuntimeSettings events;
  EXPECT_EQ(ConfigCommand({"config", "set", "notify-keyspace-events", "KEA"}, opt, &events),
            Value::Simple("OK"));
  EXPECT_EQ(events.keyspace_events, *kv::ParseKeyspaceEventFlags("KEA"));
  EXPECT_EQ(ConfigCommand({"config", "get", "notify-*"}, opt, &events),
            Value::Map({Value::Bulk("notify-keyspace-events"), Value::Bulk("AKE")}));
  // Every pair is checked first: one bad pair changes nothing.
  EXPECT_EQ(ConfigCommand({"config", "set", "notify-keyspace-events", "", "maxmemory", "1mb"}, opt,
                          &events),
            Value::Error("ERR CONFIG SET failed (possibly related to argument 'maxmemory') - "
                         "Cairn does not change this setting while the node runs"));
  EXPECT_EQ(events.keyspace_events, *kv::ParseKeyspaceEventFlags("KEA"));
  EXPECT_EQ(ConfigCommand({"config", "set", "notify-keyspace-events", "xyz"}, opt, &events),
            Value::Error("ERR CONFIG SET failed (possibly related to argument "
                         "'notify-keyspace-events') - Invalid event class character. Use "
                         "'Ag$lshzxeKEtmdn'."));
  // A setting set to the value it has is accepted (and changes nothing).
  EXPECT_EQ(
      ConfigCommand({"config", "set", "save", "", "appendonly", "NO", "notify-keyspace-events", ""},
                    opt, &events),
      Value::Simple("OK"));
  EXPECT_EQ(events.keyspace_events, 0u);
  EXPECT_EQ(ConfigCommand({"config", "set", "slowlog-log-slower-than", "0", "slowlog-max-len", "5"},
                          opt, &events),
            Value::Simple("OK"));
  EXPECT_EQ(events.slowlog_slower_than_us, 0);
  EXPECT_EQ(events.slowlog_max_len, 5);
  EXPECT_EQ(ConfigCommand({"config", "set", "slowlog-log-slower-than", "-2"}, opt, &events),
            Value::Error("ERR CONFIG SET failed (possibly related to argument "
                         "'slowlog-log-slower-than') - argument must be between -1 and "
                         "9223372036854775807 inclusive"));
  EXPECT_EQ(ConfigCommand({"config", "set", "slowlog-max-len", "x"}, opt, &events),
            Value::Error("ERR CONFIG SET failed (possibly related to argument "
                         "'slowlog-max-len') - argument couldn't be parsed into an integer"));
  EXPECT_EQ(ConfigCommand({"config", "set", "bogus", "1"}, opt, &events),
            Value::Error("ERR Unknown option or number of arguments for CONFIG SET - 'bogus'"));
  EXPECT_EQ(ConfigCommand({"config", "set", "save"}, opt, &events),
            Value::Error("ERR wrong number of arguments for 'config|set' command"));
  EXPECT_TRUE(ConfigCommand({"config", "rewrite"}, opt, &events).is_error());
  EXPECT_TRUE(ConfigCommand({"config", "resetstat"}, opt, &events).is_error());
  EXPECT_EQ(ConfigCommand({"config", "nope"}, opt, &events),
            Value::Error("ERR unknown subcommand 'nope'. Try CONFIG HELP."));
  EXPECT_EQ(ConfigCommand({"config", "help"}, opt, &events).type, resp::Type::kArray);
}

}  // namespace
}  // namespace cairn::server
