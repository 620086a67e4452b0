#pragma once
// How fresh a node's applied state is, for `CONSISTENCY bounded <ms>`.
//
// The node asks for a confirmed read index (a follower through the forward
// channel, the leader of itself; the ReadIndex round also confirms the
// leader still leads), noting its own monotonic clock when it asked. Every
// write acknowledged before that moment is at or below the index the leader
// answers. So once the node has applied that index, its state is fresh as of
// the moment it asked, measured on its own clock alone: no bound on message
// delays or on drift between nodes is assumed (a clock that runs slow
// stretches the bound by as much).
//
// Hearing from the leader is not enough: a follower that is catching up
// (after a pause, a restart, a slow disk) hears heartbeats, and old messages
// the transport held for it, while its state is far behind.
//
// Invariant: `pending_` holds answers not yet covered by the applied index,
// oldest first, with strictly increasing indexes; an answer is dropped once a
// later-asked one with an equal or lower index arrives (that one is covered
// no later, and is fresher).
//
// Thread-safety: none; the node's loop thread owns it.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <utility>

namespace cairn::server {

class Freshness {
 public:
  // The leader answered `read_index` to a request this node sent at
  // `asked_ms` (monotonic); `applied` is this node's applied index. Answers
  // must be recorded in the order they were asked.
  void OnReadIndex(std::int64_t asked_ms, std::uint64_t read_index, std::uint64_t applied) {
    Drain(applied);
    if (read_index <= applied) {
      fresh_ms_ = asked_ms;
      pending_.clear();  // all asked earlier
      return;
    }
    while (!pending_.empty() && pending_.back().second >= read_index) pending_.pop_back();
    pending_.emplace_back(asked_ms, read_index);
    // Bounded memory; dropping the oldest only makes the answer older.
    if (pending_.size() > kMaxPending) pending_.pop_front();
  }

  // The latest moment (monotonic ms) as of which the applied state is known
  // to hold every acknowledged write; nullopt if none.
  std::optional<std::int64_t> FreshAsOf(std::uint64_t applied) {
    Drain(applied);
    return fresh_ms_;
  }

 private:
  static constexpr std::size_t kMaxPending = 1024;

  void Drain(std::uint64_t applied) {
    while (!pending_.empty() && pending_.front().second <= applied) {
      fresh_ms_ = pending_.front().first;
      pending_.pop_front();
    }
  }

  std::deque<std::pair<std::int64_t, std::uint64_t>> pending_;  // (asked, index)
  std::optional<std::int64_t> fresh_ms_;
};

}  // namespace cairn::server
