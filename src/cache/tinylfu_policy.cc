#include "cache/tinylfu_policy.h"

#include <algorithm>
#include <cmath>

#include "common/assert.h"

namespace cairn::cache {
namespace {
constexpr double kStepInitial = 0.0625;    // share of the capacity moved per period at first
constexpr double kStepDecay = 0.98;        // steps shrink while the hit ratio is stable
constexpr double kRestartThreshold = 0.03; // a big hit-ratio jump restarts the search
constexpr int kWarmFrequency = 5;          // candidates above this may win ties at random
}  // namespace

void TinyLfuPolicy::List::PushMru(PolicyNode* n) {
  n->prev = head.prev;
  n->next = &head;
  head.prev->next = n;
  head.prev = n;
  ++count;
  bytes += n->weight_bytes;
}

void TinyLfuPolicy::List::Unlink(PolicyNode* n) {
  n->prev->next = n->next;
  n->next->prev = n->prev;
  n->prev = n->next = nullptr;
  --count;
  bytes -= n->weight_bytes;
}

TinyLfuPolicy::TinyLfuPolicy(const PolicyConfig& config)
    : config_(config),
      sketch_(config.max_entries),
      window_fraction_(config.window_fraction),
      step_(kStepInitial) {
  CAIRN_CHECK(config.max_entries > 0, "a cache needs room for one entry");
  CAIRN_CHECK(config.window_fraction >= 0 && config.window_fraction <= 1);
}

TinyLfuPolicy::List& TinyLfuPolicy::ListOf(Queue q) {
  switch (q) {
    case Queue::kWindow: return window_;
    case Queue::kProbation: return probation_;
    case Queue::kProtected: return protected_;
    case Queue::kNone: break;
  }
  CAIRN_CHECK(false, "node is not linked");
  return window_;
}

void TinyLfuPolicy::MoveTo(PolicyNode* node, Queue q) {
  ListOf(node->queue).Unlink(node);
  node->queue = q;
  ListOf(q).PushMru(node);
}

bool TinyLfuPolicy::WindowOver() const {
  const double entries_cap = std::max(1.0, window_fraction_ * config_.max_entries);
  if (static_cast<double>(window_.count) > entries_cap) return true;
  return config_.max_bytes > 0 &&
         static_cast<double>(window_.bytes) > window_fraction_ * config_.max_bytes;
}

bool TinyLfuPolicy::ProtectedOver() const {
  const double main_share = config_.protected_fraction * (1.0 - window_fraction_);
  if (static_cast<double>(protected_.count) > main_share * config_.max_entries) return true;
  return config_.max_bytes > 0 &&
         static_cast<double>(protected_.bytes) > main_share * config_.max_bytes;
}

bool TinyLfuPolicy::TotalOver() const {
  if (entries_ > config_.max_entries) return true;
  return config_.max_bytes > 0 && bytes_ > config_.max_bytes;
}

void TinyLfuPolicy::RecordAccess(PolicyNode* node) {
  CAIRN_DCHECK(node->queue != Queue::kNone);
  sketch_.Increment(node->key_hash);
  if (config_.adaptive) Climb(/*hit=*/true);
  switch (node->queue) {
    case Queue::kWindow:
    case Queue::kProtected: {
      List& list = ListOf(node->queue);
      if (node->next != &list.head) {  // already the MRU entry: nothing to move
        list.Unlink(node);
        list.PushMru(node);
      }
      break;
    }
    case Queue::kProbation:
      MoveTo(node, Queue::kProtected);
      // Keep protected within its share: its LRU goes back on probation.
      while (ProtectedOver() && protected_.count > 1) MoveTo(protected_.Lru(), Queue::kProbation);
      break;
    case Queue::kNone:
      break;
  }
}

void TinyLfuPolicy::RecordAccesses(PolicyNode* const* nodes, std::size_t count) {
  // Software pipeline: node i + kAhead's sketch block and queue neighbours are
  // requested while node i is processed (a few misses in flight, not dozens
  // that would overflow the CPU's miss buffers and be dropped).
  constexpr std::size_t kAhead = 6;
  auto prefetch = [&](std::size_t i) {
    sketch_.Prefetch(nodes[i]->key_hash);
    __builtin_prefetch(nodes[i]->prev, 1);
    __builtin_prefetch(nodes[i]->next, 1);
  };
  for (std::size_t i = 0; i < std::min(count, kAhead); ++i) prefetch(i);
  for (std::size_t i = 0; i < count; ++i) {
    if (i + kAhead < count) prefetch(i + kAhead);
    RecordAccess(nodes[i]);
  }
}

void TinyLfuPolicy::Add(PolicyNode* node, std::vector<PolicyNode*>* evicted) {
  CAIRN_CHECK(node->queue == Queue::kNone, "node added twice");
  sketch_.Increment(node->key_hash);
  if (config_.adaptive) Climb(/*hit=*/false);
  node->queue = Queue::kWindow;
  window_.PushMru(node);
  ++entries_;
  bytes_ += node->weight_bytes;
  Evict(evicted);
}

void TinyLfuPolicy::UpdateWeight(PolicyNode* node, std::uint64_t weight_bytes,
                                 std::vector<PolicyNode*>* evicted) {
  List& list = ListOf(node->queue);
  list.bytes = list.bytes - node->weight_bytes + weight_bytes;
  bytes_ = bytes_ - node->weight_bytes + weight_bytes;
  node->weight_bytes = weight_bytes;
  Evict(evicted);
}

void TinyLfuPolicy::Remove(PolicyNode* node) {
  ListOf(node->queue).Unlink(node);
  node->queue = Queue::kNone;
  --entries_;
  bytes_ -= node->weight_bytes;
}

void TinyLfuPolicy::EvictNode(PolicyNode* node, std::vector<PolicyNode*>* evicted) {
  Remove(node);
  evicted->push_back(node);
}

bool TinyLfuPolicy::Admit(const PolicyNode* candidate, const PolicyNode* victim) {
  const int candidate_freq = sketch_.Estimate(candidate->key_hash);
  const int victim_freq = sketch_.Estimate(victim->key_hash);
  if (candidate_freq > victim_freq) return true;
  if (candidate_freq <= kWarmFrequency) return false;
  rng_state_ ^= rng_state_ << 13;
  rng_state_ ^= rng_state_ >> 7;
  rng_state_ ^= rng_state_ << 17;
  return (rng_state_ & 127) == 0;
}

void TinyLfuPolicy::Evict(std::vector<PolicyNode*>* evicted) {
  // 1. Window overflow moves to the MRU end of probation; those are the candidates.
  PolicyNode* candidate = nullptr;
  while (WindowOver() && window_.count > 0) {
    PolicyNode* n = window_.Lru();
    MoveTo(n, Queue::kProbation);
    if (candidate == nullptr) candidate = n;
  }
  // 2. While over the bound, each candidate duels the probation LRU victim.
  while (TotalOver()) {
    PolicyNode* victim = probation_.Lru();
    if (victim == nullptr) victim = protected_.Lru();
    if (victim == nullptr) victim = window_.Lru();
    CAIRN_CHECK(victim != nullptr, "over the bound with no entries");
    if (candidate == nullptr || victim == candidate) {
      if (victim == candidate) candidate = probation_.NextTowardsMru(candidate);
      EvictNode(victim, evicted);
      continue;
    }
    PolicyNode* next = probation_.NextTowardsMru(candidate);
    EvictNode(Admit(candidate, victim) ? victim : candidate, evicted);
    candidate = next;
  }
}

void TinyLfuPolicy::Climb(bool hit) {
  (hit ? sample_hits_ : sample_misses_)++;
  const std::size_t period = std::max<std::size_t>(10 * config_.max_entries, 100);
  if (sample_hits_ + sample_misses_ < period) return;
  const double hit_ratio = static_cast<double>(sample_hits_) / (sample_hits_ + sample_misses_);
  const double change = hit_ratio - previous_hit_ratio_;
  // Keep going the same way while the hit ratio does not drop; turn round when it does.
  const double amount = change >= 0 ? step_ : -step_;
  step_ = std::abs(change) >= kRestartThreshold ? std::copysign(kStepInitial, amount)
                                                : amount * kStepDecay;
  window_fraction_ = std::clamp(window_fraction_ + amount, 0.0, config_.window_fraction_max);
  previous_hit_ratio_ = hit_ratio;
  sample_hits_ = sample_misses_ = 0;
}

void TinyLfuPolicy::CheckInvariants() const {
  std::size_t count = 0;
  std::uint64_t bytes = 0;
  for (const List* list : {&window_, &probation_, &protected_}) {
    std::size_t n = 0;
    std::uint64_t b = 0;
    for (const PolicyNode* p = list->head.next; p != &list->head; p = p->next) {
      CAIRN_CHECK(p->next->prev == p, "broken back link");
      ++n;
      b += p->weight_bytes;
    }
    CAIRN_CHECK(n == list->count, "queue count drifted");
    CAIRN_CHECK(b == list->bytes, "queue bytes drifted");
    count += n;
    bytes += b;
  }
  CAIRN_CHECK(count == entries_, "entry count drifted");
  CAIRN_CHECK(bytes == bytes_, "byte count drifted");
  CAIRN_CHECK(!TotalOver(), "policy over its bound");
}

}  // namespace cairn::cache
