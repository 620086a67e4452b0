#include "sim/network.h"

#include <gtest/gtest.h>

#include <vector>

namespace cairn::sim {
namespace {

raft::Message Msg(raft::NodeId from, raft::NodeId to, raft::Index index = 0) {
  raft::Message m;
  m.type = raft::MessageType::kHeartbeat;
  m.from = from;
  m.to = to;
  m.term = 1;
  m.index = index;
  return m;
}

std::vector<raft::Message> Drain(SimNetwork& net, std::uint64_t until_ms) {
  std::vector<raft::Message> out;
  raft::Message m;
  for (std::uint64_t t = 0; t <= until_ms; ++t) {
    while (net.PopDue(t, &m)) out.push_back(m);
  }
  return out;
}

TEST(SimNetwork, DeliversWithinTheDelayBoundsAndNeverInTheSameTick) {
  Xoshiro256 rng(1);
  SimNetwork net(rng, 3, NetworkOptions{2, 5, 0, 0});
  net.Send(10, Msg(1, 2));
  raft::Message m;
  EXPECT_FALSE(net.PopDue(11, &m));
  bool got = false;
  for (std::uint64_t t = 12; t <= 15 && !got; ++t) got = net.PopDue(t, &m);
  EXPECT_TRUE(got);
  EXPECT_EQ(m.to, 2u);
}

TEST(SimNetwork, RandomDelaysReorderMessages) {
  Xoshiro256 rng(7);
  SimNetwork net(rng, 2, NetworkOptions{1, 20, 0, 0});
  for (raft::Index i = 0; i < 50; ++i) net.Send(0, Msg(1, 2, i));
  auto got = Drain(net, 30);
  ASSERT_EQ(got.size(), 50u);
  bool reordered = false;
  for (std::size_t k = 1; k < got.size(); ++k) reordered |= got[k].index < got[k - 1].index;
  EXPECT_TRUE(reordered);
}

TEST(SimNetwork, DropsAndDuplicatesAtTheConfiguredRates) {
  Xoshiro256 rng(3);
  SimNetwork net(rng, 2, NetworkOptions{1, 1, 0.3, 0.2});
  for (int i = 0; i < 2000; ++i) net.Send(0, Msg(1, 2));
  auto got = Drain(net, 5);
  EXPECT_GT(net.stats().dropped, 450u);
  EXPECT_LT(net.stats().dropped, 750u);
  EXPECT_GT(net.stats().duplicated, 180u);
  EXPECT_EQ(got.size(), 2000u - net.stats().dropped + net.stats().duplicated);
}

TEST(SimNetwork, OneWayPartitionCutsOnlyOneDirection) {
  Xoshiro256 rng(1);
  SimNetwork net(rng, 3);
  net.Block(1, 2);
  net.Send(0, Msg(1, 2));
  net.Send(0, Msg(2, 1));
  net.Send(0, Msg(1, 3));
  auto got = Drain(net, 20);
  ASSERT_EQ(got.size(), 2u);
  for (const auto& m : got) EXPECT_FALSE(m.from == 1 && m.to == 2);
  EXPECT_EQ(net.stats().cut, 1u);
}

TEST(SimNetwork, PartitionSwallowsMessagesInFlightAndHealRestoresLinks) {
  Xoshiro256 rng(1);
  SimNetwork net(rng, 3, NetworkOptions{5, 5, 0, 0});
  net.Send(0, Msg(1, 3));
  net.Partition({1}, {2, 3});
  EXPECT_TRUE(net.blocked(3, 1));
  EXPECT_FALSE(net.blocked(2, 3));
  EXPECT_TRUE(Drain(net, 10).empty());
  net.HealAll();
  EXPECT_FALSE(net.any_blocked());
  net.Send(20, Msg(1, 3));
  raft::Message m;
  EXPECT_TRUE(net.PopDue(25, &m));
}

TEST(SimNetwork, LossBurstEndsOnTime) {
  Xoshiro256 rng(5);
  SimNetwork net(rng, 2, NetworkOptions{1, 1, 0, 0});
  net.LossBurst(1.0, 100);
  for (int i = 0; i < 10; ++i) net.Send(50, Msg(1, 2));
  EXPECT_EQ(net.stats().dropped, 10u);
  net.Send(100, Msg(1, 2));
  EXPECT_EQ(net.stats().dropped, 10u);
}

TEST(SimNetwork, SameSeedSameOrder) {
  auto run = [](std::uint64_t seed) {
    Xoshiro256 rng(seed);
    SimNetwork net(rng, 3, NetworkOptions{1, 30, 0.1, 0.1});
    for (raft::Index i = 0; i < 100; ++i) net.Send(i / 10, Msg(1 + i % 3, 1 + (i + 1) % 3, i));
    std::vector<raft::Index> order;
    for (const auto& m : Drain(net, 100)) order.push_back(m.index);
    return order;
  };
  EXPECT_EQ(run(9), run(9));
  EXPECT_NE(run(9), run(10));
}

}  // namespace
}  // namespace cairn::sim
