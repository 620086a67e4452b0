#include "cache/tinylfu_policy.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <memory>
#include <unordered_map>

namespace cairn::cache {
namespace {

// Keyed harness around the policy, as the trace replay uses it.
class Harness {
 public:
  explicit Harness(PolicyConfig config) : policy_(config) {}
  // Returns true on a hit.
  bool Access(std::uint64_t key, std::uint64_t weight = 1) {
    auto it = nodes_.find(key);
    if (it != nodes_.end()) {
      policy_.RecordAccess(it->second.get());
      return true;
    }
    auto node = std::make_unique<PolicyNode>();
    node->key_hash = key;
    node->weight_bytes = weight;
    PolicyNode* raw = node.get();
    nodes_.emplace(key, std::move(node));
    evicted_.clear();
    policy_.Add(raw, &evicted_);
    for (PolicyNode* n : evicted_) nodes_.erase(n->key_hash);
    return false;
  }
  bool Contains(std::uint64_t key) const { return nodes_.count(key) > 0; }
  std::size_t size() const { return nodes_.size(); }
  TinyLfuPolicy& policy() { return policy_; }

 private:
  TinyLfuPolicy policy_;
  std::unordered_map<std::uint64_t, std::unique_ptr<PolicyNode>> nodes_;
  std::vector<PolicyNode*> evicted_;
};

RC_GTEST_PROP(TinyLfuPolicy, StaysWithinBoundsAndConsistent, ()) {
  const auto max_entries = *rc::gen::inRange<std::size_t>(1, 200);
  const auto max_bytes = *rc::gen::element<std::size_t>(0, 500, 5000);
  const auto ops = *rc::gen::inRange<std::size_t>(0, 3000);
  const auto keys = *rc::gen::container<std::vector<std::uint64_t>>(
      ops, rc::gen::inRange<std::uint64_t>(0, 400));
  PolicyConfig config{.max_entries = max_entries, .max_bytes = max_bytes};
  Harness h(config);
  for (std::uint64_t k : keys) {
    h.Access(k, 1 + k % 37);
    RC_ASSERT(h.size() <= max_entries);
    RC_ASSERT(h.size() == h.policy().entries());
  }
  h.policy().CheckInvariants();
  if (max_bytes > 0) RC_ASSERT(h.policy().bytes() <= max_bytes);
}

TEST(TinyLfuPolicy, FrequentKeysSurviveAScan) {
  Harness h(PolicyConfig{.max_entries = 100, .adaptive = false});
  for (int round = 0; round < 20; ++round)
    for (std::uint64_t k = 0; k < 50; ++k) h.Access(k);
  for (std::uint64_t k = 1000; k < 11000; ++k) h.Access(k);  // one-hit wonders
  int survivors = 0;
  for (std::uint64_t k = 0; k < 50; ++k) survivors += h.Contains(k);
  EXPECT_GE(survivors, 45) << "a scan flushed the hot set (LRU behaviour)";
}

TEST(TinyLfuPolicy, HotSetGetsHitsUnderZipfLikeMix) {
  Harness h(PolicyConfig{.max_entries = 100});
  int hits = 0;
  for (int i = 0; i < 20000; ++i) {
    const std::uint64_t key = (i % 3 != 0) ? (i % 80) : 100000 + i;  // 2/3 hot, 1/3 cold
    hits += h.Access(key);
  }
  EXPECT_GT(hits, 12000);
}

TEST(TinyLfuPolicy, AdaptiveWindowGrowsOnARecencyTrace) {
  // Keys are reused a few times within a short burst and never again: only
  // recency helps, so the climber should move the window above its 1% start.
  Harness h(PolicyConfig{.max_entries = 200, .adaptive = true});
  for (int i = 0; i < 200000; ++i) {
    const std::uint64_t burst = static_cast<std::uint64_t>(i / 8);
    h.Access(burst * 1000 + static_cast<std::uint64_t>(i % 8) % 3 + (i / 3) % 97 * 7);
  }
  EXPECT_GT(h.policy().window_fraction(), 0.05);
}

TEST(TinyLfuPolicy, OversizedEntryIsEvictedAtOnce) {
  Harness h(PolicyConfig{.max_entries = 10, .max_bytes = 100});
  h.Access(1, 10);
  h.Access(2, 500);
  EXPECT_FALSE(h.Contains(2));
  EXPECT_TRUE(h.Contains(1));
  h.policy().CheckInvariants();
}

TEST(TinyLfuPolicyDeathTest, InvariantCheckCatchesCorruptedWeight) {
  Harness h(PolicyConfig{.max_entries = 10});
  h.Access(1);
  h.Access(2);
  EXPECT_DEATH(
      {
        // Corrupt a node behind the policy's back: the byte count must disagree.
        auto* node = new PolicyNode();
        node->key_hash = 3;
        std::vector<PolicyNode*> ev;
        h.policy().Add(node, &ev);
        node->weight_bytes = 99;
        h.policy().CheckInvariants();
      },
      "drifted");
}

}  // namespace
}  // namespace cairn::cache
