#include "net/cluster_record.h"

#include <gtest/gtest.h>

namespace cairn::net {
namespace {

ClusterRecord Sample() {
  ClusterRecord r;
  r.membership.voters = {1, 2, 4};
  r.membership.learners = {5};
  r.addresses[1] = {"127.0.0.1:7001", "127.0.0.1:8081"};
  r.addresses[4] = {"[::1]:7004", ""};
  r.addresses[5] = {"10.0.0.5:7001", "10.0.0.5:8080"};
  return r;
}

TEST(ClusterRecordTest, RoundTrips) {
  const ClusterRecord r = Sample();
  const std::string bytes = EncodeClusterRecord(r);
  auto back = DecodeClusterRecord(bytes);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, r);
  EXPECT_EQ(EncodeClusterRecord(*back), bytes);
}

TEST(ClusterRecordTest, EveryTruncationIsRejected) {
  const std::string bytes = EncodeClusterRecord(Sample());
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_FALSE(DecodeClusterRecord(bytes.substr(0, n)).ok()) << "prefix of " << n << " bytes";
  }
  EXPECT_FALSE(DecodeClusterRecord(bytes + "x").ok()) << "trailing byte";
}

TEST(ClusterRecordTest, RejectsAnInvalidMembership) {
  ClusterRecord no_voters;
  EXPECT_FALSE(DecodeClusterRecord(EncodeClusterRecord(no_voters)).ok());
  ClusterRecord both = Sample();
  both.membership.learners = {2};  // a voter and a learner at once
  EXPECT_FALSE(DecodeClusterRecord(EncodeClusterRecord(both)).ok());
  ClusterRecord unsorted = Sample();
  unsorted.membership.voters = {4, 1, 2};
  EXPECT_FALSE(DecodeClusterRecord(EncodeClusterRecord(unsorted)).ok());
}

TEST(ClusterRecordTest, RejectsBadAddressesAndUnknownVersions) {
  ClusterRecord bad = Sample();
  bad.addresses[2] = {"no-port", ""};
  auto r = DecodeClusterRecord(EncodeClusterRecord(bad));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("raft address"), std::string::npos) << r.status().ToString();
  std::string bytes = EncodeClusterRecord(Sample());
  bytes[0] = 2;
  EXPECT_FALSE(DecodeClusterRecord(bytes).ok());
}

}  // namespace
}  // namespace cairn::net
