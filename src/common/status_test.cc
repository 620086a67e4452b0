#include "common/status.h"

#include <gtest/gtest.h>

namespace cairn {
namespace {

Result<int> ParsePositive(int x) {
  if (x <= 0) return Status::InvalidArgument("not positive");
  return x;
}

Result<int> Doubled(int x) {
  CAIRN_ASSIGN_OR_RETURN(int v, ParsePositive(x));
  return v * 2;
}

Status Check(int x) {
  CAIRN_RETURN_IF_ERROR(ParsePositive(x).status());
  return Status::Ok();
}

TEST(StatusTest, OkHasNoMessage) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "OK");
}

TEST(StatusTest, CodeAndMessageSurviveCopies) {
  Status s = Status::Unavailable("no leader");
  Status copy = s;
  EXPECT_FALSE(copy.ok());
  EXPECT_EQ(copy.code(), StatusCode::kUnavailable);
  EXPECT_EQ(copy.ToString(), "Unavailable: no leader");
  EXPECT_EQ(s, copy);
}

TEST(StatusTest, LiteralAndContext) {
  Status s = Status::Literal(StatusCode::kAborted, "conflict");
  EXPECT_EQ(s.message(), "conflict");
  Status c = s.WithContext("txn 7");
  EXPECT_EQ(c.code(), StatusCode::kAborted);
  EXPECT_EQ(c.message(), "txn 7: conflict");
}

TEST(ResultTest, ValueAndErrorPropagate) {
  EXPECT_EQ(*Doubled(4), 8);
  Result<int> bad = Doubled(-1);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Check(3).ok());
  EXPECT_EQ(Check(0).code(), StatusCode::kInvalidArgument);
}

TEST(ResultDeathTest, ValueOfErrorAborts) {
  Result<int> bad = Status::Internal("x");
  EXPECT_DEATH((void)bad.value(), "invariant broken");
}

}  // namespace
}  // namespace cairn
