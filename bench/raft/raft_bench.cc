// Entries committed per second by a 3-node Raft group driven in-process with
// no I/O: messages are handed straight to the receiving core and every Ready
// is "persisted" by dropping it. Measures the cost of the consensus core
// itself (log bookkeeping, Append construction, acknowledgements, commit),
// on one thread: all three nodes share the one core.
//
// Run: build/release/bench/raft/raft_bench --benchmark_counters_tabular=true

#include <benchmark/benchmark.h>

#include <deque>
#include <memory>
#include <vector>

#include "common/random.h"
#include "raft/raw_node.h"

namespace cairn::raft {
namespace {

class Group {
 public:
  explicit Group(int nodes) {
    std::vector<NodeId> ids;
    for (int i = 1; i <= nodes; ++i) ids.push_back(static_cast<NodeId>(i));
    for (NodeId id : ids) {
      Config c;
      c.id = id;
      c.voters = ids;
      c.append_entries_max = 4096;
      c.inflight_appends_max = 256;
      rngs_.push_back(std::make_unique<Xoshiro256>(id));
      nodes_.push_back(std::make_unique<RawNode>(c, *rngs_.back()));
    }
    // Nodes refuse votes for one election timeout after they start (see
    // docs/raft.md, leases), so let time pass until someone has won.
    for (int tick = 0; tick < 1000 && leader_ == nullptr; ++tick) {
      for (auto& n : nodes_) n->Tick();
      Pump();
      for (auto& n : nodes_) {
        if (n->role() == Role::kLeader) leader_ = n.get();
      }
    }
  }

  RawNode& leader() { return *leader_; }
  std::uint64_t applied() const { return applied_; }
  std::uint64_t reads() const { return reads_; }

  // Runs Ready batches and deliveries until quiet.
  void Pump() {
    bool moved = true;
    while (moved) {
      moved = false;
      for (auto& n : nodes_) {
        if (!n->HasReady()) continue;
        moved = true;
        Ready rd = n->GetReady();
        for (auto& m : rd.messages) queue_.push_back(std::move(m));
        for (auto& m : rd.messages_after_persist) queue_.push_back(std::move(m));
        if (n.get() == leader_) {
          applied_ += rd.committed_entries.size();
          reads_ += rd.read_states.size();
        }
        n->Advance(rd);
      }
      while (!queue_.empty()) {
        moved = true;
        Message m = std::move(queue_.front());
        queue_.pop_front();
        (void)nodes_[m.to - 1]->Step(m);
      }
    }
  }

 private:
  std::vector<std::unique_ptr<Xoshiro256>> rngs_;
  std::vector<std::unique_ptr<RawNode>> nodes_;
  std::deque<Message> queue_;
  RawNode* leader_ = nullptr;
  std::uint64_t applied_ = 0;
  std::uint64_t reads_ = 0;
};

void BM_CommitBatched(benchmark::State& state) {
  const auto batch = static_cast<std::size_t>(state.range(0));
  Group g(3);
  const std::string payload(64, 'p');
  std::uint64_t start_applied = g.applied();
  for (auto _ : state) {
    std::vector<std::string> cmds(batch, payload);
    auto r = g.leader().ProposeBatch(std::move(cmds));
    if (!r.ok()) state.SkipWithError("propose failed");
    g.Pump();
  }
  const auto committed = g.applied() - start_applied;
  state.counters["entries/s"] = benchmark::Counter(static_cast<double>(committed),
                                                   benchmark::Counter::kIsRate);
  state.SetItemsProcessed(static_cast<std::int64_t>(committed));
}
BENCHMARK(BM_CommitBatched)->Arg(1)->Arg(16)->Arg(64)->Arg(256)->Arg(1024)->Unit(benchmark::kMicrosecond);

// Linearizable reads confirmed per second: N concurrent ReadIndex requests
// share one heartbeat round (two messages out, two back).
void BM_ReadIndexBatched(benchmark::State& state) {
  const auto batch = static_cast<std::uint64_t>(state.range(0));
  Group g(3);
  std::uint64_t id = 0;
  const std::uint64_t start = g.reads();
  for (auto _ : state) {
    for (std::uint64_t i = 0; i < batch; ++i) {
      if (!g.leader().ReadIndex(++id).ok()) state.SkipWithError("read failed");
    }
    g.Pump();
  }
  const auto reads = g.reads() - start;
  if (reads != id) state.SkipWithError("a read was not confirmed");
  state.counters["reads/s"] = benchmark::Counter(static_cast<double>(reads), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ReadIndexBatched)->Arg(1)->Arg(16)->Arg(256)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace cairn::raft

BENCHMARK_MAIN();
