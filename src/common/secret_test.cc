#include "common/secret.h"

#include <gtest/gtest.h>

#include <string>

namespace cairn {
namespace {

TEST(SecretTest, MatchesOnlyTheSameBytes) {
  EXPECT_TRUE(SecretMatches("hunter2", "hunter2"));
  EXPECT_TRUE(SecretMatches("", ""));
  EXPECT_FALSE(SecretMatches("hunter3", "hunter2"));
  EXPECT_FALSE(SecretMatches("hunter", "hunter2"));    // a prefix
  EXPECT_FALSE(SecretMatches("hunter22", "hunter2"));  // longer
  EXPECT_FALSE(SecretMatches("", "hunter2"));
  EXPECT_FALSE(SecretMatches("x", ""));
  // Bytes past the first difference still count, and NUL is a byte.
  EXPECT_FALSE(SecretMatches(std::string("a\0c", 3), std::string("a\0b", 3)));
  EXPECT_TRUE(SecretMatches(std::string("a\0b", 3), std::string("a\0b", 3)));
  // A given secret made of the expected one's first byte, repeated, is not
  // taken for it (positions past the end compare against that byte).
  EXPECT_FALSE(SecretMatches("hhhhhhhh", "h"));
}

}  // namespace
}  // namespace cairn
