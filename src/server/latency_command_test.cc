// LATENCY: HISTOGRAM's shape and filter from the node's histograms, and the
// answers of the subcommands that have no events to show.
#include "server/latency_command.h"

#include <gtest/gtest.h>

namespace cairn::server {
namespace {

using resp::Value;

TEST(LatencyCommand, HistogramIsCumulativeWhereTheCountGrows) {
  Metrics m;
  m.latency_by_command["set"].Observe(0.00005);  // 50 us
  m.latency_by_command["set"].Observe(0.0003);   // 300 us
  m.latency_by_command["set"].Observe(0.0004);
  m.latency_by_command["set"].Observe(9.0);  // past the last bound: in calls only
  m.latency_by_command["get"].Observe(0.002);
  m.latency_by_command["unknown"].Observe(0.001);
  m.latency_by_command["del"];  // never called: not shown
  const Value set =
      Value::Map({Value::Bulk("calls"), Value::Int(4), Value::Bulk("histogram_usec"),
                  Value::Map({Value::Int(100), Value::Int(1), Value::Int(500), Value::Int(3)})});
  const Value get = Value::Map({Value::Bulk("calls"), Value::Int(1), Value::Bulk("histogram_usec"),
                                Value::Map({Value::Int(2500), Value::Int(1)})});
  EXPECT_EQ(LatencyCommand({"latency", "histogram"}, m),
            Value::Map({Value::Bulk("get"), get, Value::Bulk("set"), set}));
  EXPECT_EQ(LatencyCommand({"LATENCY", "HISTOGRAM", "SET", "nosuch", "set", "del"}, m),
            Value::Map({Value::Bulk("set"), set}));
}

TEST(LatencyCommand, EventSubcommandsAnswerEmptyAndCheckTheirArity) {
  Metrics m;
  EXPECT_EQ(LatencyCommand({"latency", "latest"}, m), Value::Array());
  EXPECT_EQ(LatencyCommand({"latency", "history", "command"}, m), Value::Array());
  EXPECT_EQ(LatencyCommand({"latency", "reset"}, m), Value::Int(0));
  EXPECT_EQ(LatencyCommand({"latency", "graph", "command"}, m),
            Value::Error("ERR No samples available for event 'command'"));
  EXPECT_EQ(LatencyCommand({"latency", "history"}, m),
            Value::Error("ERR wrong number of arguments for 'latency|history' command"));
  EXPECT_EQ(LatencyCommand({"latency", "bogus"}, m),
            Value::Error("ERR unknown subcommand 'bogus'. Try LATENCY HELP."));
  EXPECT_EQ(LatencyCommand({"latency"}, m).type, resp::Type::kError);
  EXPECT_EQ(LatencyCommand({"latency", "doctor"}, m).type, resp::Type::kBulkString);
  EXPECT_EQ(LatencyCommand({"latency", "help"}, m).type, resp::Type::kArray);
}

}  // namespace
}  // namespace cairn::server
