#include "client/errors.h"

#include <gtest/gtest.h>

namespace cairn::client {
namespace {

TEST(ErrorReplyToStatus, MapsEachFamilyToWhatTheCallerShouldDo) {
  EXPECT_EQ(ErrorReplyToStatus("TRYAGAIN no leader elected yet, retry").code(),
            StatusCode::kUnavailable);
  Status t = ErrorReplyToStatus("TIMEOUT the write may or may not have been applied");
  EXPECT_EQ(t.code(), StatusCode::kDeadlineExceeded);
  EXPECT_TRUE(IsOutcomeUnknown(t));
  EXPECT_NE(t.message().find("outcome unknown"), std::string_view::npos);
  EXPECT_EQ(ErrorReplyToStatus("LOADING dataset").code(), StatusCode::kUnavailable);
  EXPECT_EQ(ErrorReplyToStatus("ERR max number of clients reached").code(),
            StatusCode::kResourceExhausted);
  EXPECT_EQ(ErrorReplyToStatus("WRONGTYPE Operation against a key").code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(ErrorReplyToStatus("ERR syntax error").code(), StatusCode::kInvalidArgument);
  // A prefix match only: "TIMEOUTS" inside an ERR text is not a timeout.
  EXPECT_EQ(ErrorReplyToStatus("ERR TIMEOUT is not a command").code(),
            StatusCode::kInvalidArgument);
}

TEST(InfoField, FindsWholeKeysOnly) {
  std::string info = "# Replication\r\nrole:master\r\nleader_id:2\r\nleader_id_x:9\r\n";
  EXPECT_EQ(InfoField(info, "role"), "master");
  EXPECT_EQ(InfoField(info, "leader_id"), "2");
  EXPECT_EQ(InfoField(info, "leader"), "");
  EXPECT_EQ(InfoField(info, "node_id"), "");
  EXPECT_EQ(InfoField("a:1\nb:2", "b"), "2");  // bare LF and no trailing newline
}

}  // namespace
}  // namespace cairn::client
