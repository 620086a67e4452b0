// A tour of libcairn: blocking calls, pipelined async calls, consistency and
// session tokens, and the multi-level cache with server-pushed invalidations.
//
//   cairn dev &                                   # or three `cairn server`s
//   build/release/examples/client/cairn_client_example 127.0.0.1:6379 [more seeds...]
//
// Works against a plain redis-server too (Cairn-only parts are skipped).
#include <cstdio>
#include <future>

#include "client/client.h"
#include "client/errors.h"
#include "client/multi_level_cache.h"

using namespace cairn;
using namespace std::chrono_literals;

int main(int argc, char** argv) {
  client::ClientOptions options;
  for (int i = 1; i < argc; ++i) options.seeds.push_back(argv[i]);
  if (options.seeds.empty()) options.seeds = {"127.0.0.1:6379"};
  auto connected = client::Client::Connect(options);
  if (!connected.ok()) {
    std::fprintf(stderr, "connect: %s\n", connected.status().ToString().c_str());
    return 1;
  }
  client::Client& c = **connected;
  for (const auto& n : c.Nodes()) {
    std::printf("node %s id=%llu%s\n", n.address.c_str(), static_cast<unsigned long long>(n.id),
                n.leader ? " (leader)" : "");
  }

  // 1. Blocking calls: errors are Status values.
  if (Status s = c.Set("greeting", "hello"); !s.ok()) {
    // kDeadlineExceeded means the write may or may not have applied.
    std::fprintf(stderr, "set: %s%s\n", s.ToString().c_str(),
                 client::IsOutcomeUnknown(s) ? " (outcome unknown)" : "");
    return 1;
  }
  auto v = c.Get("greeting");
  std::printf("GET greeting -> %s\n", v.ok() && *v ? (*v)->c_str() : "(nil)");

  // 2. Pipelined: 1000 INCRs in flight on one connection.
  std::promise<void> all;
  std::atomic<int> left{1000};
  for (int i = 0; i < 1000; ++i) {
    c.CommandAsync({"INCR", "counter"}, [&](client::Reply r) {
      if (!r.status.ok()) std::fprintf(stderr, "incr: %s\n", r.status.ToString().c_str());
      if (--left == 0) all.set_value();
    });
  }
  all.get_future().wait();
  auto counter = c.Command({"GET", "counter"});
  std::printf("counter -> %s\n", counter.ok() ? counter->str.c_str() : "?");

  // 3. Session consistency: reads may go to followers yet see our writes.
  if (c.is_cairn()) {
    c.SetConsistency(client::Consistency::kSession);
    (void)c.Set("mine", "written");
    auto mine = c.Get("mine");
    std::printf("session read -> %s (token %llu)\n", mine.ok() && *mine ? (*mine)->c_str() : "?",
                static_cast<unsigned long long>(c.session_token()));
    c.SetConsistency(client::Consistency::kStrong);
  }

  // 4. The multi-level cache: L1 here, L2 the cluster, L3 a loader.
  client::Backend backend;
  backend.load = [](const std::string& key) -> Result<std::optional<std::string>> {
    return std::optional<std::string>("loaded:" + key);  // the system of record
  };
  client::MultiLevelCache cache(c, {.write_mode = client::WriteMode::kStrong}, backend);
  (void)cache.Get("profile:1");  // L3 -> L2
  (void)cache.Get("profile:1");  // L2 -> L1 (tracked)
  // The invalidation of our own L2 write may arrive while that fill is in
  // flight; the cache then declines to keep the fill (it cannot tell the
  // push's age), so one more read fills L1 for sure.
  (void)cache.Get("profile:1");
  (void)cache.ProbeNow();
  auto hit = cache.Get("profile:1");  // L1
  std::printf("cache -> %s\n", hit.ok() && *hit ? (*hit)->c_str() : "?");
  (void)cache.Put("profile:1", "updated");
  auto after = cache.Get("profile:1");
  std::printf("after put -> %s\n", after.ok() && *after ? (*after)->c_str() : "?");
  auto st = cache.stats();
  std::printf("stats: l1_hits=%llu l2_hits=%llu l3_loads=%llu invalidations=%llu\n",
              static_cast<unsigned long long>(st.l1_hits),
              static_cast<unsigned long long>(st.l2_hits),
              static_cast<unsigned long long>(st.l3_loads),
              static_cast<unsigned long long>(st.invalidations));
  return 0;
}
