#include "common/crc32c.h"

#include <gtest/gtest.h>

#include <string>

namespace cairn {
namespace {

// Known-answer values from RFC 3720 (iSCSI), section B.4.
TEST(Crc32cTest, Rfc3720Vectors) {
  std::string zeros(32, '\0');
  EXPECT_EQ(crc32c::Value(zeros), 0x8a9136aau);
  std::string ones(32, '\xff');
  EXPECT_EQ(crc32c::Value(ones), 0x62a8ab43u);
  std::string inc(32, '\0');
  for (int i = 0; i < 32; ++i) inc[i] = static_cast<char>(i);
  EXPECT_EQ(crc32c::Value(inc), 0x46dd794eu);
  EXPECT_EQ(crc32c::Value(std::string_view("123456789")), 0xe3069283u);
}

TEST(Crc32cTest, ExtendEqualsWhole) {
  std::string data = "hello, world of write-ahead logs and checksums";
  for (std::size_t cut = 0; cut <= data.size(); ++cut) {
    std::uint32_t a = crc32c::Value(data.data(), cut);
    EXPECT_EQ(crc32c::Extend(a, data.data() + cut, data.size() - cut), crc32c::Value(data));
  }
}

TEST(Crc32cTest, MaskRoundTripsAndDiffers) {
  std::uint32_t c = crc32c::Value(std::string_view("foo"));
  EXPECT_NE(crc32c::Mask(c), c);
  EXPECT_EQ(crc32c::Unmask(crc32c::Mask(c)), c);
}

}  // namespace
}  // namespace cairn
