// Goal: counter and set histories produced by a real counter / set under
// random concurrency (with timeouts that may or may not have taken effect)
// are always accepted, and one corrupted read is always rejected.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <set>

#include "check/workloads.h"
#include "common/random.h"

namespace cairn::check {
namespace {

enum class Kind { kCounter, kSet };

// Each op takes effect at one instant between invocation and completion on a
// real object; some adds time out (info), applied or not.
History Generate(Kind kind, std::uint64_t seed, int clients, int ops_total) {
  Xoshiro256 rng(seed);
  struct Client {
    int phase = 0;  // 0 idle, 1 invoked, 2 applied
    Op op;
    bool dropped = false;
  };
  std::vector<Client> cs(static_cast<std::size_t>(clients));
  std::int64_t counter = 0;
  std::set<std::int64_t> set;
  std::int64_t next_element = 1;
  std::vector<Op> done;
  int started = 0;
  for (std::int64_t now = 1; static_cast<int>(done.size()) < ops_total; ++now) {
    Client& c = cs[rng.Uniform(cs.size())];
    if (c.phase == 0) {
      if (started == ops_total) continue;
      ++started;
      c.op = Op{};
      c.op.process = static_cast<std::int64_t>(&c - cs.data());
      c.op.key = "k";
      c.op.invoke_ns = now;
      c.op.f = rng.Chance(0.5) ? Fn::kRead : Fn::kAdd;
      if (c.op.f == Fn::kAdd) c.op.value = kind == Kind::kCounter ? static_cast<std::int64_t>(rng.Range(1, 5)) : next_element++;
      c.phase = 1;
    } else if (c.phase == 1) {
      c.dropped = c.op.f == Fn::kAdd && rng.OneIn(20);
      if (!c.dropped && c.op.f == Fn::kAdd) {
        if (kind == Kind::kCounter) counter += *c.op.value;
        if (kind == Kind::kSet) set.insert(*c.op.value);
      } else if (c.op.f == Fn::kRead) {
        if (kind == Kind::kCounter) c.op.value = counter;
        if (kind == Kind::kSet) {
          c.op.has_elements = true;
          c.op.elements.assign(set.begin(), set.end());
        }
      }
      c.phase = 2;
    } else {
      c.op.outcome = c.dropped || (c.op.f == Fn::kAdd && rng.OneIn(20)) ? Outcome::kInfo : Outcome::kOk;
      c.op.observed_ns = now;
      c.op.complete_ns = c.op.outcome == Outcome::kInfo ? kNeverNs : now;
      done.push_back(c.op);
      c = Client{};
    }
  }
  History h;
  h.ops = std::move(done);
  std::sort(h.ops.begin(), h.ops.end(), [](const Op& a, const Op& b) { return a.invoke_ns < b.invoke_ns; });
  for (std::size_t i = 0; i < h.ops.size(); ++i) h.ops[i].id = static_cast<int>(i);
  return h;
}

Op* LastRead(History& h) {
  for (auto it = h.ops.rbegin(); it != h.ops.rend(); ++it) {
    if (it->f == Fn::kRead && it->ok()) return &*it;
  }
  return nullptr;
}

RC_GTEST_PROP(WorkloadProperty, CounterHistoriesAcceptedAndCorruptionCaught, ()) {
  auto seed = *rc::gen::arbitrary<std::uint64_t>();
  History h = Generate(Kind::kCounter, seed, *rc::gen::inRange(1, 8), *rc::gen::inRange(1, 200));
  RC_ASSERT(CheckCounter(h).valid());
  Op* read = LastRead(h);
  bool has_read = read != nullptr;  // rapidcheck cannot print a nullptr
  RC_PRE(has_read);
  read->value = -1;  // increments are positive: a negative count is impossible
  RC_ASSERT(CheckCounter(h).invalid());
}

RC_GTEST_PROP(WorkloadProperty, SetHistoriesAcceptedAndCorruptionCaught, ()) {
  auto seed = *rc::gen::arbitrary<std::uint64_t>();
  History h = Generate(Kind::kSet, seed, *rc::gen::inRange(1, 8), *rc::gen::inRange(1, 200));
  RC_ASSERT(CheckSet(h).valid());
  RC_ASSERT(CheckLost(h).validity != Validity::kInvalid);
  Op* read = LastRead(h);
  bool has_read = read != nullptr;  // rapidcheck cannot print a nullptr
  RC_PRE(has_read);
  read->elements.push_back(1'000'000);  // never added
  RC_ASSERT(CheckSet(h).invalid());
}

}  // namespace
}  // namespace cairn::check
