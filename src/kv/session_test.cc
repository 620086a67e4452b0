#include "kv/session.h"

#include <gtest/gtest.h>

#include "kv/test_driver.h"

namespace cairn::kv {
namespace {

using resp::Value;
constexpr std::int64_t kT = 1'700'000'000'000;

class SessionTest : public ::testing::Test {
 protected:
  Value Run(std::vector<std::string> args) { return d_.RunSession(args, kT); }
  testing::Driver d_;
};

TEST_F(SessionTest, MultiExecWithReadsAndErrors) {
  EXPECT_EQ(Run({"multi"}), Value::Simple("OK"));
  EXPECT_EQ(Run({"set", "k", "1"}), Value::Simple("QUEUED"));
  EXPECT_EQ(Run({"incr", "k"}), Value::Simple("QUEUED"));
  EXPECT_EQ(Run({"get", "k"}), Value::Simple("QUEUED"));
  EXPECT_EQ(Run({"set", "k", "v", "bogus"}), Value::Simple("QUEUED"));  // runtime error
  EXPECT_EQ(Run({"ping"}), Value::Simple("QUEUED"));
  EXPECT_EQ(Run({"exec"}),
            Value::Array({Value::Simple("OK"), Value::Int(2), Value::Bulk("2"),
                          Value::Error("ERR syntax error"), Value::Simple("PONG")}));
  EXPECT_FALSE(d_.session().in_multi());
}

TEST_F(SessionTest, ArityErrorAbortsExec) {
  Run({"multi"});
  EXPECT_EQ(Run({"set", "k"}), Value::Error("ERR wrong number of arguments for 'set' command"));
  EXPECT_EQ(Run({"set", "k", "v"}), Value::Simple("QUEUED"));
  EXPECT_EQ(Run({"exec"}),
            Value::Error("EXECABORT Transaction discarded because of previous errors."));
  EXPECT_EQ(Run({"get", "k"}), Value::Null());
}

TEST_F(SessionTest, StateErrors) {
  EXPECT_EQ(Run({"exec"}), Value::Error("ERR EXEC without MULTI"));
  EXPECT_EQ(Run({"discard"}), Value::Error("ERR DISCARD without MULTI"));
  Run({"multi"});
  EXPECT_EQ(Run({"multi"}), Value::Error("ERR MULTI calls can not be nested"));
  EXPECT_EQ(Run({"watch", "k"}), Value::Error("ERR WATCH inside MULTI is not allowed"));
  EXPECT_EQ(Run({"discard"}), Value::Simple("OK"));
  EXPECT_EQ(Run({"exec"}), Value::Error("ERR EXEC without MULTI"));
}

TEST_F(SessionTest, WatchAbortsOnChangeAndClearsAfterExec) {
  Run({"set", "w", "1"});
  EXPECT_EQ(Run({"watch", "w"}), Value::Simple("OK"));
  EXPECT_EQ(d_.session().watched_keys(), 1u);
  Run({"set", "w", "1"});  // same value, still a change
  Run({"multi"});
  Run({"set", "x", "1"});
  EXPECT_EQ(Run({"exec"}), Value::NullArray());
  EXPECT_EQ(Run({"get", "x"}), Value::Null());
  EXPECT_EQ(d_.session().watched_keys(), 0u);
  // Watch again; an unsuccessful conditional write does not count as a change.
  Run({"watch", "w"});
  Run({"set", "w", "2", "nx"});
  Run({"multi"});
  Run({"set", "x", "1"});
  EXPECT_EQ(Run({"exec"}), Value::Array({Value::Simple("OK")}));
  EXPECT_EQ(Run({"unwatch"}), Value::Simple("OK"));
}

TEST_F(SessionTest, PlainCommandsOutsideMulti) {
  EXPECT_EQ(Run({"set", "a", "1"}), Value::Simple("OK"));
  EXPECT_EQ(Run({"get", "a"}), Value::Bulk("1"));
  EXPECT_EQ(Run({"ping"}), Value::Error("ERR server command"));  // kServer placeholder
  EXPECT_EQ(Run({"nosuch"}), Value::Error("ERR unknown command 'nosuch', with args beginning with: "));
}

}  // namespace
}  // namespace cairn::kv
