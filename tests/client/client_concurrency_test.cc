// Many threads on one Client and one MultiLevelCache while another client
// writes the same keys (so invalidation pushes arrive concurrently with
// fills and hits). Against a real redis-server; run under TSan.
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

#include "client/client.h"
#include "client/multi_level_cache.h"
#include "process.h"

namespace cairn::client {
namespace {

using namespace std::chrono_literals;

TEST(ClientConcurrency, ThreadsShareOneClientAndCacheUnderInvalidations) {
  testing::RedisServer redis;
  std::unique_ptr<Client> c, writer;
  ASSERT_TRUE(testing::WaitUntil([&] {
    auto a = Client::Connect({.seeds = {redis.address()}});
    auto b = Client::Connect({.seeds = {redis.address()}});
    if (!a.ok() || !b.ok()) return false;
    c = std::move(*a);
    writer = std::move(*b);
    return true;
  }));
  MultiLevelCacheOptions o;
  o.fence = 200ms;
  MultiLevelCache cache(*c, o);
  constexpr int kThreads = 4, kOps = 400, kKeys = 16;
  std::atomic<int> failures{0};
  std::atomic<bool> done{false};
  // Readers check every call succeeds while pushes race with fills; the end
  // state is checked below.
  std::thread w([&] {
    for (int i = 0; i < 2000 && !done; ++i) {
      if (!writer->Set("c" + std::to_string(i % kKeys), std::to_string(i)).ok()) ++failures;
    }
  });
  std::vector<std::thread> ts;
  for (int t = 0; t < kThreads; ++t) {
    ts.emplace_back([&, t] {
      for (int i = 0; i < kOps; ++i) {
        std::string key = "c" + std::to_string((i * 7 + t) % kKeys);
        switch (i % 4) {
          case 0: if (!cache.Get(key).ok()) ++failures; break;
          case 1: if (!c->Get(key).ok()) ++failures; break;
          case 2: {
            std::promise<void> p;
            c->CommandAsync({"EXISTS", key}, [&](Reply r) {
              if (!r.status.ok()) ++failures;
              p.set_value();
            });
            p.get_future().wait();
            break;
          }
          case 3: (void)cache.PeekL1(key); (void)cache.stats(); break;
        }
      }
    });
  }
  for (auto& t : ts) t.join();
  done = true;
  w.join();
  EXPECT_EQ(failures.load(), 0);
  auto st = cache.stats();
  EXPECT_GT(st.l1_hits + st.l2_hits, 0u);
  // After the writes stop, a probe and a fresh read agree with the writer.
  ASSERT_TRUE(cache.ProbeNow().ok());
  for (int k = 0; k < kKeys; ++k) {
    std::string key = "c" + std::to_string(k);
    auto truth = writer->Get(key);
    ASSERT_TRUE(truth.ok());
    ASSERT_TRUE(testing::WaitUntil([&] {
      auto v = cache.Get(key);
      return v.ok() && *v == *truth;
    }, 1000ms)) << key;
  }
}

}  // namespace
}  // namespace cairn::client
