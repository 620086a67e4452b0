// Goal: the member-address payload of configuration entries round-trips and
// every malformed input is refused with a message (never a crash).
#include "net/member_info.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

namespace cairn::net {
namespace {

TEST(MemberInfo, RoundTrips) {
  MemberInfo info{"127.0.0.1:7004", "127.0.0.1:8084"};
  auto back = DecodeMemberInfo(EncodeMemberInfo(info));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, info);
  MemberInfo no_http{"[::1]:7004", ""};
  back = DecodeMemberInfo(EncodeMemberInfo(no_http));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, no_http);
}

TEST(MemberInfo, RefusesMalformedPayloads) {
  std::string good = EncodeMemberInfo({"h:1", "h:2"});
  EXPECT_FALSE(DecodeMemberInfo("").ok());
  EXPECT_FALSE(DecodeMemberInfo(good + "x").ok()) << "trailing bytes";
  for (std::size_t n = 0; n < good.size(); ++n) {
    EXPECT_FALSE(DecodeMemberInfo(good.substr(0, n)).ok()) << "truncated at " << n;
  }
  std::string bad_version = good;
  bad_version[0] = 7;
  EXPECT_FALSE(DecodeMemberInfo(bad_version).ok());
  EXPECT_FALSE(DecodeMemberInfo(EncodeMemberInfo({"", ""})).ok()) << "raft address required";
  EXPECT_FALSE(DecodeMemberInfo(EncodeMemberInfo({"h:1", "nope"})).ok());
  // A length claiming more than the input holds.
  std::string huge = good;
  huge[1] = static_cast<char>(0xff);
  EXPECT_FALSE(DecodeMemberInfo(huge).ok());
}

TEST(MemberInfo, HostPortSyntax) {
  auto hp = ParseHostPort("10.0.0.1:7001");
  ASSERT_TRUE(hp.ok());
  EXPECT_EQ(hp->host, "10.0.0.1");
  EXPECT_EQ(hp->port, 7001);
  hp = ParseHostPort("[::1]:80");
  ASSERT_TRUE(hp.ok());
  EXPECT_EQ(hp->host, "::1");
  for (const char* bad : {"", "host", ":80", "host:", "host:0", "host:65536", "host:12a",
                          "host:123456", "a b:1", "::1:80", "[]:80", "h/x:1", "h:1\n"}) {
    EXPECT_FALSE(ParseHostPort(bad).ok()) << bad;
  }
  EXPECT_FALSE(ParseHostPort(std::string(300, 'a').append(":1")).ok());
}

RC_GTEST_PROP(MemberInfo, AnyBytesDecodeOrFailCleanly, (std::string bytes)) {
  auto r = DecodeMemberInfo(bytes);
  if (r.ok()) RC_ASSERT(EncodeMemberInfo(*r) == bytes);
}

}  // namespace
}  // namespace cairn::net
