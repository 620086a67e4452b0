// The apply cost of a group entry that writes to one large value: what a
// leader applies on its event loop when 50 clients pipeline 16 writes each
// into one key (800 writes in one log entry). Each iteration starts from a
// fresh value of 10 000 members (1000 entries for a stream, kept there by
// MAXLEN) and applies 800 writes through the whole path (parse, log entry
// codec, state machine, in-memory engine): adds, each naming a new member
// (BM_GroupOfAdds), or removals and increments of members spread over the
// value (BM_GroupOfChanges; SMOVE takes them to a second set, SPOP draws
// one member each; for a stream,
// XACKs or XCLAIMs of 800 of its 1000 pending entries).
//
// Run: build/release/bench/kv/kv_apply_bench
// Results: bench/results/kv_apply.md

#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <memory>
#include <string>
#include <vector>

#include "kv/test_driver.h"

namespace cairn::kv {
namespace {

using Args = std::vector<std::string>;
constexpr std::int64_t kT = 1'700'000'000'000;
constexpr int kGroup = 800;

// The command that adds members `ms` to key "k", of each type (a stream
// takes one entry per command). A sorted-set member's score is the number
// in its name, so the new members ("new:i", scored 12 i mod 10000) land
// all over the existing ones ("member:i", scored i), not at one end.
Args Add(const std::string& type, const std::vector<std::string>& ms) {
  if (type == "xadd") return {"xadd", "k", "MAXLEN", "~", "1000", "*", "f", ms.at(0)};
  Args a = {type, "k"};
  for (const std::string& m : ms) {
    if (type == "zadd") {
      const long n = std::stol(m.substr(m.find(':') + 1));
      a.push_back(std::to_string(m[0] == 'n' ? n * 12 % 10000 : n));
    }
    a.push_back(m);
    if (type == "hset") a.push_back("v");
  }
  return a;
}

// Times RunGroup(group) on a fresh driver that fill() prepares (untimed),
// with the items per second and the process's peak RSS.
template <typename Fill>
void RunGroups(benchmark::State& state, const std::vector<Args>& group, std::int64_t time,
               Fill fill) {
  const std::vector<std::int64_t> times(group.size(), time);
  for (auto _ : state) {
    state.PauseTiming();
    auto d = std::make_unique<testing::Driver>();
    fill(d.get());
    state.ResumeTiming();
    benchmark::DoNotOptimize(d->RunGroup(group, times));
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(group.size()));
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  state.counters["peak_rss_MB"] = static_cast<double>(usage.ru_maxrss) / 1024.0;
}

void BM_GroupOfAdds(benchmark::State& state, const std::string& type) {
  const int size = type == "xadd" ? 1000 : 10000;
  std::vector<Args> group;
  for (int i = 0; i < kGroup; ++i) group.push_back(Add(type, {"new:" + std::to_string(i)}));
  std::vector<std::string> members;
  for (int i = 0; i < size; ++i) members.push_back("member:" + std::to_string(i));
  RunGroups(state, group, kT + size, [&](testing::Driver* d) {
    if (type == "xadd") {
      for (int i = 0; i < size; ++i) d->Run(Add(type, {members[i]}), kT + i);
    } else {
      d->Run(Add(type, members), kT);  // the whole value in one command
    }
  });
}

// The value of BM_GroupOfChanges: `size` members in one command (a
// stream: its entries one by one, then a group that has them all pending).
void Fill(testing::Driver* d, const std::string& type, int size) {
  std::vector<std::string> members;
  for (int i = 0; i < size; ++i) members.push_back("member:" + std::to_string(i));
  if (type == "xack" || type == "xclaim") {
    for (int i = 0; i < size; ++i) d->Run(Add("xadd", {members[i]}), kT + i);
    d->Run({"xgroup", "create", "k", "g", "0"}, kT + size);
    d->Run({"xreadgroup", "group", "g", "c", "streams", "k", ">"}, kT + size);
    return;
  }
  const std::string add = type == "hdel" || type == "hincrby"                   ? "hset"
                          : type == "srem" || type == "smove" || type == "spop" ? "sadd"
                                                                                : "zadd";
  d->Run(Add(add, members), kT);
}

// The i-th change of the group, on a member spread over the value.
Args Change(const std::string& type, int i) {
  const std::string m = std::to_string(i * 12 % 10000);
  if (type == "xack") return {"xack", "k", "g", std::to_string(kT + i * 12 % 1000) + "-0"};
  if (type == "xclaim") {  // to another consumer
    return {"xclaim", "k", "g", "d", "0", std::to_string(kT + i * 12 % 1000) + "-0", "justid"};
  }
  if (type == "hincrby") return {"hincrby", "k", "count:" + m, "1"};
  if (type == "smove") return {"smove", "k", "other", "member:" + m};  // to a growing set
  if (type == "spop") return {"spop", "k"};                            // one drawn member
  return {type, "k", "member:" + m};
}

void BM_GroupOfChanges(benchmark::State& state, const std::string& type) {
  const int size = type == "xack" || type == "xclaim" ? 1000 : 10000;
  std::vector<Args> group;
  for (int i = 0; i < kGroup; ++i) group.push_back(Change(type, i));
  RunGroups(state, group, kT + size, [&](testing::Driver* d) { Fill(d, type, size); });
}

BENCHMARK_CAPTURE(BM_GroupOfAdds, sadd, std::string("sadd"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_GroupOfAdds, hset, std::string("hset"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_GroupOfAdds, zadd, std::string("zadd"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_GroupOfAdds, rpush, std::string("rpush"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_GroupOfAdds, xadd, std::string("xadd"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_GroupOfChanges, hdel, std::string("hdel"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_GroupOfChanges, hincrby, std::string("hincrby"))
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_GroupOfChanges, srem, std::string("srem"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_GroupOfChanges, smove, std::string("smove"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_GroupOfChanges, spop, std::string("spop"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_GroupOfChanges, zrem, std::string("zrem"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_GroupOfChanges, xack, std::string("xack"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_GroupOfChanges, xclaim, std::string("xclaim"))->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace cairn::kv

BENCHMARK_MAIN();
