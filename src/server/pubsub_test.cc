// PubSubTable: who receives a message, and the table's own bookkeeping.
#include "server/pubsub.h"

#include <gtest/gtest.h>

namespace cairn::server {
namespace {

std::vector<std::pair<std::uint64_t, std::string>> Who(const PubSubTable& t, std::string_view ch) {
  std::vector<std::pair<std::uint64_t, std::string>> out;
  for (const auto& r : t.Receivers(ch)) out.emplace_back(r.conn, r.pattern ? *r.pattern : "");
  return out;
}

TEST(PubSubTableTest, ChannelsThenPatternsEachSubscriptionOnce) {
  PubSubTable t;
  EXPECT_FALSE(t.active());
  EXPECT_TRUE(t.Subscribe(1, "news"));
  EXPECT_FALSE(t.Subscribe(1, "news"));  // already
  EXPECT_TRUE(t.Subscribe(2, "news"));
  EXPECT_TRUE(t.PSubscribe(2, "n*"));
  EXPECT_TRUE(t.PSubscribe(3, "*s"));
  EXPECT_TRUE(t.PSubscribe(3, "x?"));
  using V = std::vector<std::pair<std::uint64_t, std::string>>;
  // (patterns in byte order)
  EXPECT_EQ(Who(t, "news"), (V{{1, ""}, {2, ""}, {3, "*s"}, {2, "n*"}}));
  EXPECT_EQ(t.Count("news"), 4u);
  EXPECT_EQ(Who(t, "xy"), (V{{3, "x?"}}));
  EXPECT_EQ(t.Count("nothing-here"), 1u);  // n*
  EXPECT_EQ(t.SubscriptionsOf(2), 2u);
  EXPECT_EQ(t.NumSub("news"), 2u);
  EXPECT_EQ(t.NumPat(), 3u);
  const std::string pattern = "n*";
  EXPECT_EQ(t.Channels(&pattern), std::vector<std::string>{"news"});
  EXPECT_EQ(t.Channels(nullptr), std::vector<std::string>{"news"});
}

TEST(PubSubTableTest, LeavingAndDroppingForgetEverything) {
  PubSubTable t;
  t.Subscribe(1, "a");
  t.Subscribe(1, "b");
  t.PSubscribe(1, "*");
  t.Subscribe(2, "a");
  EXPECT_FALSE(t.Unsubscribe(1, "zzz"));
  EXPECT_FALSE(t.PUnsubscribe(3, "*"));
  EXPECT_TRUE(t.Unsubscribe(1, "b"));
  EXPECT_EQ(t.Channels(nullptr), (std::vector<std::string>{"a"}));  // b had only 1
  t.Drop(1);
  EXPECT_EQ(t.SubscriptionsOf(1), 0u);
  EXPECT_EQ(t.NumPat(), 0u);
  EXPECT_EQ(t.Count("a"), 1u);
  EXPECT_TRUE(t.Unsubscribe(2, "a"));
  EXPECT_FALSE(t.active());  // nothing left of either connection
  EXPECT_TRUE(t.Channels(nullptr).empty());
  t.Drop(2);  // harmless
}

TEST(PubSubTableTest, ShardChannelsAreANamespaceOfTheirOwn) {
  PubSubTable t;
  EXPECT_TRUE(t.SSubscribe(1, "orders"));
  EXPECT_FALSE(t.SSubscribe(1, "orders"));
  EXPECT_TRUE(t.SSubscribe(2, "orders"));
  EXPECT_TRUE(t.Subscribe(3, "orders"));
  EXPECT_TRUE(t.PSubscribe(3, "*"));
  // SPUBLISH reaches shard subscribers only; PUBLISH never reaches them.
  EXPECT_EQ(t.ShardReceivers("orders"), (std::vector<std::uint64_t>{1, 2}));
  EXPECT_EQ(t.ShardCount("orders"), 2u);
  EXPECT_EQ(t.Count("orders"), 2u);  // conn 3's channel and pattern
  EXPECT_EQ(Who(t, "orders").size(), 2u);
  EXPECT_EQ(t.ShardSubscriptionsOf(1), 1u);
  EXPECT_EQ(t.SubscriptionsOf(1), 0u);
  EXPECT_TRUE(t.Subscribed(1));
  EXPECT_EQ(t.ShardChannels(nullptr), std::vector<std::string>{"orders"});
  EXPECT_EQ(t.ShardNumSub("orders"), 2u);
  EXPECT_EQ(t.NumShardChannels(), 1u);
  EXPECT_EQ(t.Channels(nullptr), std::vector<std::string>{"orders"});  // conn 3's
  EXPECT_TRUE(t.SUnsubscribe(1, "orders"));
  EXPECT_FALSE(t.SUnsubscribe(1, "orders"));
  EXPECT_FALSE(t.Subscribed(1));
  t.Drop(2);
  EXPECT_EQ(t.ShardCount("orders"), 0u);
  EXPECT_EQ(t.NumShardChannels(), 0u);
  t.Drop(3);
  EXPECT_FALSE(t.active());
}

}  // namespace
}  // namespace cairn::server
