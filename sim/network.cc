#include "sim/network.h"

#include <algorithm>

#include "common/assert.h"

namespace cairn::sim {

SimNetwork::SimNetwork(Random& random, std::size_t node_count, NetworkOptions options)
    : random_(random), node_count_(node_count), options_(options),
      blocked_(node_count * node_count, false) {}

std::size_t SimNetwork::LinkIndex(raft::NodeId from, raft::NodeId to) const {
  CAIRN_CHECK(from >= 1 && from <= node_count_, "unknown sender");
  CAIRN_CHECK(to >= 1 && to <= node_count_, "unknown recipient");
  return (from - 1) * node_count_ + (to - 1);
}

bool SimNetwork::Lost(std::uint64_t now_ms) {
  double rate = options_.drop_rate;
  if (now_ms < burst_until_ms_) rate = std::max(rate, burst_rate_);
  return rate > 0 && random_.Chance(rate);
}

void SimNetwork::Enqueue(std::uint64_t now_ms, raft::Message m, std::uint64_t extra_delay_ms,
                         Attachment a) {
  std::uint64_t delay = random_.Range(options_.delay_ms_min, options_.delay_ms_max);
  if (options_.long_delay_rate > 0 && random_.Chance(options_.long_delay_rate)) {
    delay = random_.Range(options_.long_delay_ms_min, options_.long_delay_ms_max);
  }
  queue_.push(InFlight{now_ms + extra_delay_ms + std::max<std::uint64_t>(delay, 1), next_seq_++, std::move(m),
                   std::move(a)});
}

void SimNetwork::Send(std::uint64_t now_ms, raft::Message m, std::uint64_t extra_delay_ms,
                      Attachment attachment) {
  ++stats_.sent;
  ++stats_.sent_by_type[static_cast<std::size_t>(m.type)];
  if (m.type == raft::MessageType::kAppendResponse && m.reject) ++stats_.append_rejects;
  if (blocked(m.from, m.to)) {
    ++stats_.cut;
    return;
  }
  if (Lost(now_ms)) {
    ++stats_.dropped;
    return;
  }
  if (options_.duplicate_rate > 0 && random_.Chance(options_.duplicate_rate)) {
    ++stats_.duplicated;
    Enqueue(now_ms, m, extra_delay_ms, attachment);
  }
  Enqueue(now_ms, std::move(m), extra_delay_ms, std::move(attachment));
}

bool SimNetwork::PopDue(std::uint64_t now_ms, raft::Message* out, Attachment* attachment) {
  while (!queue_.empty() && queue_.top().deliver_at_ms <= now_ms) {
    // priority_queue::top is const; the message is copied out once.
    raft::Message m = queue_.top().message;
    Attachment a = queue_.top().attachment;
    queue_.pop();
    if (blocked(m.from, m.to)) {
      ++stats_.cut;
      continue;
    }
    ++stats_.delivered;
    *out = std::move(m);
    if (attachment != nullptr) *attachment = std::move(a);
    return true;
  }
  return false;
}

void SimNetwork::Block(raft::NodeId from, raft::NodeId to) { blocked_[LinkIndex(from, to)] = true; }

void SimNetwork::Isolate(raft::NodeId n) {
  for (raft::NodeId other = 1; other <= node_count_; ++other) {
    if (other == n) continue;
    Block(n, other);
    Block(other, n);
  }
}

void SimNetwork::Partition(const std::vector<raft::NodeId>& a, const std::vector<raft::NodeId>& b) {
  for (raft::NodeId x : a) {
    for (raft::NodeId y : b) {
      Block(x, y);
      Block(y, x);
    }
  }
}

void SimNetwork::HealAll() { std::fill(blocked_.begin(), blocked_.end(), false); }

bool SimNetwork::blocked(raft::NodeId from, raft::NodeId to) const {
  return blocked_[LinkIndex(from, to)];
}

bool SimNetwork::any_blocked() const {
  return std::find(blocked_.begin(), blocked_.end(), true) != blocked_.end();
}

void SimNetwork::LossBurst(double rate, std::uint64_t until_ms) {
  burst_rate_ = rate;
  burst_until_ms_ = until_ms;
}

}  // namespace cairn::sim
