// libcairn against a scripted server: the error model (what is retried and
// what is surfaced as "outcome unknown") and the L1 race with pushes.
#include <gtest/gtest.h>

#include "client/client.h"
#include "client/errors.h"
#include "client/fake_server.h"
#include "client/multi_level_cache.h"

namespace cairn::client {
namespace {

using testing::FakeServer;
using testing::kClose;

std::unique_ptr<Client> Connect(const FakeServer& s) {
  ClientOptions o;
  o.seeds = {s.address()};
  o.resilience.retry.backoff.initial = std::chrono::milliseconds(1);
  o.resilience.retry.backoff.max = std::chrono::milliseconds(5);
  auto c = Client::Connect(o);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return std::move(*c);
}

TEST(FakeServerTest, TryAgainIsRetriedUntilItSucceeds) {
  std::atomic<int> sets{0};
  FakeServer s([&](const std::vector<std::string>& a, int) -> std::string {
    if (a[0] == "SET") return ++sets < 3 ? "-TRYAGAIN no leader elected yet, retry\r\n" : "+OK\r\n";
    return "";
  });
  auto c = Connect(s);
  EXPECT_TRUE(c->Set("k", "v").ok());
  EXPECT_EQ(s.count("SET"), 3);
}

TEST(FakeServerTest, TimeoutIsSurfacedAsUnknownOutcomeAndNeverRetried) {
  FakeServer s([](const std::vector<std::string>& a, int) -> std::string {
    if (a[0] == "SET") return "-TIMEOUT the write may or may not have been applied\r\n";
    return "";
  });
  auto c = Connect(s);
  Status st = c->Set("k", "v");
  EXPECT_TRUE(IsOutcomeUnknown(st)) << st.ToString();
  EXPECT_EQ(s.count("SET"), 1);
}

TEST(FakeServerTest, ConnectionLostAfterAWriteIsUnknownOutcomeButAReadIsRetried) {
  std::atomic<int> gets{0};
  FakeServer s([&](const std::vector<std::string>& a, int) -> std::string {
    // Every write and the first read lose their connection before a reply.
    if (a[0] == "SET") return kClose;
    if (a[0] == "GET") return ++gets == 1 ? kClose : "$1\r\nx\r\n";
    return "";
  });
  auto c = Connect(s);
  Status st = c->Set("k", "v");
  EXPECT_TRUE(IsOutcomeUnknown(st)) << st.ToString();
  EXPECT_EQ(s.count("SET"), 1);  // never silently re-sent
  auto v = c->Get("k");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(**v, "x");
  EXPECT_GE(s.count("GET"), 2);
}

TEST(FakeServerTest, ASilentSeedDoesNotHoldDiscoveryForARequestTimeout) {
  FakeServer leader([](const std::vector<std::string>&, int) -> std::string { return ""; });
  FakeServer silent([](const std::vector<std::string>& a, int) -> std::string {
    return a[0] == "INFO" ? testing::kNoReply : "";
  });
  ClientOptions o;
  o.seeds = {silent.address(), leader.address()};
  o.connect_timeout_ms = 200;
  o.request_timeout_ms = 60'000;
  auto start = std::chrono::steady_clock::now();
  auto c = Client::Connect(o);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_TRUE((*c)->Set("k", "v").ok());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  auto nodes = (*c)->Nodes();
  ASSERT_EQ(nodes.size(), 2u);
  EXPECT_FALSE(nodes[0].leader);
  EXPECT_TRUE(nodes[1].leader);
  EXPECT_EQ(leader.count("SET"), 1);
}

TEST(FakeServerTest, ErrorRepliesAreNotRetried) {
  FakeServer s([](const std::vector<std::string>& a, int) -> std::string {
    if (a[0] == "INCR") return "-ERR value is not an integer or out of range\r\n";
    return "";
  });
  auto c = Connect(s);
  EXPECT_EQ(c->Command({"INCR", "k"}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.count("INCR"), 1);
}

// A push for k that overtakes the GET reply carrying k's old value: the fill
// must not be cached. The same script without the push shows the value is
// cached otherwise, so the check can fail.
void FillWithPush(bool push_first, bool expect_cached) {
  FakeServer s([push_first](const std::vector<std::string>& a, int) -> std::string {
    if (a[0] == "GET") {
      std::string push = ">2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nk\r\n";
      return (push_first ? push : "") + "$3\r\nold\r\n";
    }
    if (a[0] == "PTTL") return ":-1\r\n";
    if (a[0] == "EXISTS") return ":0\r\n";
    return "";
  });
  auto c = Connect(s);
  MultiLevelCacheOptions o;
  o.probe = false;
  MultiLevelCache cache(*c, o);
  auto v = cache.Get("k");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(**v, "old");
  ASSERT_TRUE(cache.ProbeNow().ok());
  EXPECT_EQ(cache.PeekL1("k").has_value(), expect_cached);
  EXPECT_EQ(cache.stats().poisoned_fills, expect_cached ? 0u : 1u);
}

TEST(FakeServerTest, InvalidationOvertakingAFillPoisonsIt) { FillWithPush(true, false); }
TEST(FakeServerTest, FillWithoutARacingInvalidationIsCached) { FillWithPush(false, true); }

// The fence: with no answered probe for longer than `fence`, L1 serves nothing.
TEST(FakeServerTest, FenceClosesWhenProbesStopBeingAnswered) {
  ManualClock clock(std::chrono::seconds(100));
  FakeServer s([](const std::vector<std::string>& a, int) -> std::string {
    if (a[0] == "GET") return "$1\r\nv\r\n";
    if (a[0] == "PTTL") return ":-1\r\n";
    if (a[0] == "EXISTS") return ":0\r\n";
    return "";
  });
  auto c = Connect(s);
  MultiLevelCacheOptions o;
  o.probe = false;
  o.fence = std::chrono::milliseconds(1000);
  o.clock = &clock;
  MultiLevelCache cache(*c, o);
  ASSERT_TRUE(cache.Get("k").ok());
  EXPECT_FALSE(cache.PeekL1("k").has_value());  // no probe answered yet
  ASSERT_TRUE(cache.ProbeNow().ok());
  EXPECT_EQ(cache.PeekL1("k"), std::optional<std::string>("v"));
  clock.Advance(std::chrono::milliseconds(1000));
  EXPECT_TRUE(cache.PeekL1("k").has_value());  // exactly at the bound
  clock.Advance(std::chrono::milliseconds(1));
  EXPECT_FALSE(cache.PeekL1("k").has_value());  // past it
  auto v = cache.Get("k");  // a fenced hit goes to L2
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(cache.stats().fenced_hits, 1u);
  EXPECT_EQ(s.count("GET"), 2);
}

}  // namespace
}  // namespace cairn::client
