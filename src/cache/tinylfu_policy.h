#pragma once
// TinyLfuPolicy: the W-TinyLFU admission and eviction policy, independent of
// any key or value type so the concurrent cache and the offline trace replay
// run the very same code.
//
//   new entry -> [window LRU] --overflow--> candidate --admit?--> [probation] --hit--> [protected]
//                                              \-- rejected: evicted          <--demote--/
//
// A candidate leaving the window competes with the probation LRU victim: the
// one with the higher sketch frequency stays (ties keep the incumbent; a warm
// candidate wins a tie with probability 1/128, so an attacker cannot pin a
// victim with colliding hashes). With `adaptive` on, a hill climber moves the
// window size every sample period towards the better hit ratio (recency-heavy
// traces want a large window, frequency-heavy ones a small one).
//
// Bounds: by entries and, if max_bytes > 0, by the sum of node weights.
// Thread-safety: none; the owner serialises every call (the cache's shard lock).
// Nodes are owned by the caller; the policy only links them.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "cache/frequency_sketch.h"

namespace cairn::cache {

enum class Queue : std::uint8_t { kNone, kWindow, kProbation, kProtected };

// Embed one of these in each cached entry. Fields belong to the policy.
struct PolicyNode {
  PolicyNode* prev = nullptr;
  PolicyNode* next = nullptr;
  std::uint64_t key_hash = 0;
  std::uint64_t weight_bytes = 1;
  Queue queue = Queue::kNone;
};

struct PolicyConfig {
  std::size_t max_entries = 1024;   // > 0
  std::size_t max_bytes = 0;        // 0 = no byte bound
  double window_fraction = 0.01;    // initial window share of the capacity
  double protected_fraction = 0.8;  // protected share of the main space
  bool adaptive = true;             // hill-climb the window size
  double window_fraction_max = 1.0; // climber's ceiling; 1.0 lets it degrade to plain LRU
};

class TinyLfuPolicy {
 public:
  explicit TinyLfuPolicy(const PolicyConfig& config);
  TinyLfuPolicy(const TinyLfuPolicy&) = delete;
  TinyLfuPolicy& operator=(const TinyLfuPolicy&) = delete;

  // A hit on a resident node: counts it and moves it up its queue.
  void RecordAccess(PolicyNode* node);
  // RecordAccess for a batch (a read-buffer drain): prefetches every node's
  // sketch block and queue neighbours first, so their cache misses overlap.
  void RecordAccesses(PolicyNode* const* nodes, std::size_t count);
  // Links a new node (key_hash and weight_bytes set) and evicts until within
  // bounds. Evicted nodes (possibly `node` itself) are appended to `evicted`
  // and are unlinked; the caller frees them.
  void Add(PolicyNode* node, std::vector<PolicyNode*>* evicted);
  // Changes a resident node's weight, then evicts as Add does.
  void UpdateWeight(PolicyNode* node, std::uint64_t weight_bytes,
                    std::vector<PolicyNode*>* evicted);
  // Unlinks a resident node (explicit invalidation or expiry).
  void Remove(PolicyNode* node);

  std::size_t entries() const { return entries_; }
  std::uint64_t bytes() const { return bytes_; }
  double window_fraction() const { return window_fraction_; }
  std::size_t window_entries() const { return window_.count; }
  std::size_t protected_entries() const { return protected_.count; }
  const FrequencySketch& sketch() const { return sketch_; }
  // Checks the queue links and counters; CAIRN_CHECKs on a broken invariant.
  void CheckInvariants() const;

 private:
  struct List {
    PolicyNode head;  // sentinel: head.next = LRU end, head.prev = MRU end
    std::size_t count = 0;
    std::uint64_t bytes = 0;
    List() { head.prev = head.next = &head; }
    PolicyNode* Lru() { return head.next == &head ? nullptr : head.next; }
    PolicyNode* NextTowardsMru(PolicyNode* n) { return n->next == &head ? nullptr : n->next; }
    void PushMru(PolicyNode* n);
    void Unlink(PolicyNode* n);
  };

  List& ListOf(Queue q);
  void MoveTo(PolicyNode* node, Queue q);
  void Evict(std::vector<PolicyNode*>* evicted);
  void EvictNode(PolicyNode* node, std::vector<PolicyNode*>* evicted);
  bool Admit(const PolicyNode* candidate, const PolicyNode* victim);
  bool WindowOver() const;
  bool ProtectedOver() const;
  bool TotalOver() const;
  void Climb(bool hit);

  const PolicyConfig config_;
  FrequencySketch sketch_;
  List window_, probation_, protected_;
  std::size_t entries_ = 0;
  std::uint64_t bytes_ = 0;
  std::uint64_t rng_state_ = 0x2545f4914f6cdd1dULL;  // tie-break admission only

  // Hill climber state: window share moves by step_ each sample period.
  double window_fraction_;
  double step_;
  double previous_hit_ratio_ = 0;
  std::size_t sample_hits_ = 0;
  std::size_t sample_misses_ = 0;
};

}  // namespace cairn::cache
