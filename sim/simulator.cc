// The simulator's clock loop and the per-node driver that carries out Ready
// batches (faults.cc holds the fault schedule, workload.cc the clients).

#include "sim/simulator.h"

#include <algorithm>
#include <string>

#include "common/assert.h"
#include "sim/simulator_internal.h"

namespace cairn::sim {
namespace {

std::uint64_t Derive(std::uint64_t seed, std::uint64_t a, std::uint64_t b = 0) {
  std::uint64_t s = seed ^ (a * 0x9e3779b97f4a7c15ull) ^ (b * 0xc2b2ae3d27d4eb4full);
  return SplitMix64(s);
}

std::string Quote(const raft::Entry& e) {
  if (e.type == raft::EntryType::kConfChange) return "(conf change)";
  return QuoteCommand(e.data);
}

}  // namespace

SimOptions DefaultOptions(std::uint64_t seed, std::uint32_t nodes) {
  SimOptions o;
  o.seed = seed;
  o.nodes = nodes;
  return o;
}

Simulator::Simulator(SimOptions options)
    : options_(std::move(options)),
      random_(Derive(options_.seed, 1)),
      net_random_(Derive(options_.seed, 2)),
      network_(net_random_, options_.nodes, options_.network),
      trace_(options_.keep_trace) {
  CAIRN_CHECK(options_.nodes >= 1);
  CAIRN_CHECK(options_.raft_tick_ms >= 1);
  trace_.set_echo(options_.echo);
  for (raft::NodeId id = 1; id <= options_.nodes; ++id) {
    auto nd = std::make_unique<Node>();
    nd->id = id;
    nd->tick_phase_ms = static_cast<std::uint32_t>(random_.Uniform(options_.raft_tick_ms));
    nodes_.push_back(std::move(nd));
  }
  for (std::uint32_t c = 1; c <= options_.workload.clients; ++c) {
    auto cl = std::make_unique<Client>();
    cl->id = c;
    cl->target = 1 + random_.Uniform(options_.nodes);
    clients_.push_back(std::move(cl));
  }
  for (auto& nd : nodes_) Boot(*nd);
}

Simulator::~Simulator() = default;

Simulator::Node& Simulator::at(raft::NodeId n) {
  CAIRN_CHECK(n >= 1 && n <= nodes_.size(), "no such node");
  return *nodes_[n - 1];
}
const Simulator::Node& Simulator::at(raft::NodeId n) const {
  CAIRN_CHECK(n >= 1 && n <= nodes_.size(), "no such node");
  return *nodes_[n - 1];
}

void Simulator::Line(const std::string& text) { trace_.Event(now_ms_, text); }

void Simulator::Boot(Node& nd) {
  ++nd.incarnation;
  nd.random = std::make_unique<Xoshiro256>(Derive(options_.seed, 100 + nd.id, nd.incarnation));
  raft::Config config = options_.raft;
  config.id = nd.id;
  config.voters.clear();
  const std::uint32_t voters = options_.initial_voters ? options_.initial_voters : options_.nodes;
  for (raft::NodeId id = 1; id <= voters; ++id) config.voters.push_back(id);
  nd.raft = std::make_unique<raft::RawNode>(config, *nd.random, nd.disk.Restore());
  nd.up = true;
  nd.paused_until_ms = 0;
  nd.missed_ticks = 0;
  nd.inflight.clear();
  nd.applied.clear();
  nd.received.clear();
  nd.installing.reset();
  nd.transfer_seen = raft::kNoNode;
  nd.role = raft::Role::kFollower;
  nd.term = 0;
  nd.commit = 0;
  checkers_.set_now(now_ms_);
  checkers_.OnTerm(nd.id, nd.incarnation, nd.raft->term());
  nd.term = nd.raft->term();
  if (const SnapshotPtr& snap = nd.disk.snapshot()) {
    // The state machine restarts from the durable snapshot; the core hands
    // out the entries after it again.
    nd.applied = snap->state;
    checkers_.OnSnapshot(nd.id, nd.incarnation, Checkers::SnapshotEvent::kRestored, snap->meta.index,
                         snap->meta.term, snap->state);
  }
  Observe(nd);
}

bool Simulator::up(raft::NodeId n) const { return at(n).up; }

bool Simulator::awake(const Node& nd) const { return nd.up && now_ms_ >= nd.paused_until_ms; }

const raft::RawNode* Simulator::node(raft::NodeId n) const {
  const Node& nd = at(n);
  return nd.up ? nd.raft.get() : nullptr;
}

const std::vector<AppliedEntry>& Simulator::applied(raft::NodeId n) const { return at(n).applied; }

raft::NodeId Simulator::Leader() const {
  raft::NodeId best = raft::kNoNode;
  raft::Term best_term = 0;
  for (const auto& nd : nodes_) {
    if (nd->up && nd->raft->role() == raft::Role::kLeader && nd->raft->term() >= best_term) {
      best = nd->id;
      best_term = nd->raft->term();
    }
  }
  if (best == raft::kNoNode) return best;
  // No member of its configuration may have moved to a later term.
  const raft::Membership& m = at(best).raft->membership();
  for (const auto& nd : nodes_) {
    if (nd->up && m.Contains(nd->id) && nd->raft->term() > best_term) return raft::kNoNode;
  }
  return best;
}

bool Simulator::member(raft::NodeId n) const {
  const raft::NodeId l = Leader();
  if (l == raft::kNoNode) return true;
  return at(l).raft->membership().Contains(n);
}

void Simulator::Observe(Node& nd) {
  const raft::RawNode& r = *nd.raft;
  checkers_.set_now(now_ms_);
  if (r.term() != nd.term) {
    checkers_.OnTerm(nd.id, nd.incarnation, r.term());
    nd.term = r.term();
  }
  const raft::Index commit = r.log().committed();
  if (commit != nd.commit) {
    // One line per batch of entries this node is the first to see committed.
    const raft::Index first_new = std::max(nd.commit, committed_seen_) + 1;
    std::string shown;
    for (raft::Index i = nd.commit + 1; i <= commit; ++i) {
      // Below the log's snapshot (just installed): the checkers judge the
      // snapshot's content when it is installed.
      const bool in_log = i > r.log().snapshot_index();
      if (in_log) checkers_.OnCommitted(nd.id, r.term(), r.log().at(i));
      if (i < first_new) continue;
      ++stats_.committed;
      if (!in_log) {
        if (i == first_new) shown += " (in a snapshot)";
      } else if (i < first_new + 4) {
        shown += " " + Quote(r.log().at(i));
      } else if (i == first_new + 4) {
        shown += " ...";
      }
    }
    if (commit >= first_new) {
      committed_seen_ = commit;
      const std::string range = commit == first_new ? std::to_string(commit)
                                                    : std::to_string(first_new) + ".." + std::to_string(commit);
      Line("n" + std::to_string(nd.id) + " commit idx=" + range + " term=" +
           std::to_string(TermAt(nd, commit)) + shown);
    }
    checkers_.OnCommitIndex(nd.id, nd.incarnation, commit);
    nd.commit = commit;
  }
  if (r.role() != nd.role) {
    nd.role = r.role();
    if (nd.role == raft::Role::kCandidate) {
      Line("n" + std::to_string(nd.id) + " candidate term=" + std::to_string(r.term()));
    } else if (nd.role == raft::Role::kLeader) {
      std::vector<raft::Term> terms(r.log().last_index());
      for (raft::Index i = 1; i <= terms.size(); ++i) terms[i - 1] = TermAt(nd, i);
      checkers_.OnLeader(nd.id, r.term(), terms);
      if (leaders_seen_.emplace(r.term(), nd.id).second) ++stats_.elections;
      Line("n" + std::to_string(nd.id) + " leader term=" + std::to_string(r.term()) +
           " log=" + std::to_string(r.log().last_index()) + " commit=" + std::to_string(commit));
      OnElected(nd);
    }
  }
}

void Simulator::Step() {
  ++now_ms_;
  checkers_.set_now(now_ms_);
  RunPendingFaults();
  if (faults_on_) FaultStep();
  WakeFrozen();
  DeliverDue();
  TransfersStep();
  TickNodes();
  for (auto& nd : nodes_) {
    if (awake(*nd)) Drive(*nd);
  }
  CheckTransfers();
  SnapshotStep();
  if (workload_on_) {
    WorkloadStep();
    ConfChangeStep();
    TransferStep();
  }
}

void Simulator::CheckTransfers() {
  // The core abandons a transfer after election_timeout_ticks_min of its
  // ticks; one more tick of slack for the tick phase. A driver that drops
  // missed ticks (catch_up_ticks_after_pause off) stretches that: no check.
  if (!options_.faults.catch_up_ticks_after_pause) return;
  const std::uint64_t limit_ms = (options_.raft.election_timeout_ticks_min + 1) * options_.raft_tick_ms;
  for (auto& nd : nodes_) {
    if (!awake(*nd)) continue;
    const raft::RawNode& r = *nd->raft;
    const raft::NodeId t = r.role() == raft::Role::kLeader ? r.transfer_target() : raft::kNoNode;
    if (t != nd->transfer_seen) {
      nd->transfer_seen = t;
      nd->transfer_since_ms = now_ms_;
    } else if (t != raft::kNoNode && now_ms_ - nd->transfer_since_ms > limit_ms) {
      checkers_.Report(CheckerId::kConvergence,
                       "n" + std::to_string(nd->id) + " still transfers leadership to n" + std::to_string(t) +
                           " " + std::to_string(now_ms_ - nd->transfer_since_ms) +
                           " ms after starting (neither done nor abandoned within an election timeout)");
      nd->transfer_seen = raft::kNoNode;  // one report per transfer
    }
  }
}

void Simulator::WakeFrozen() {
  for (auto& nd : nodes_) {
    if (!nd->up || nd->missed_ticks == 0 || now_ms_ < nd->paused_until_ms) continue;
    const std::uint64_t missed = nd->missed_ticks;
    nd->missed_ticks = 0;
    if (!options_.faults.catch_up_ticks_after_pause) continue;
    if (nd->raft->role() == raft::Role::kLeader) {
      // As the runtime's driver does (server/driver.cc, CatchUpTicks): the
      // lease ages by every missed tick, and then one real tick runs.
      nd->raft->SkipTicks(missed - 1);
      nd->raft->Tick();
    } else {
      for (std::uint64_t k = 0; k < missed; ++k) nd->raft->Tick();
    }
    Observe(*nd);
  }
}

void Simulator::DeliverDue() {
  raft::Message m;
  Attachment attachment;
  while (network_.PopDue(now_ms_, &m, &attachment)) {
    Node& nd = at(m.to);
    if (!awake(nd)) continue;  // lost, as on a dead or frozen machine
    if (m.type == raft::MessageType::kSnapshot) ReceiveSnapshot(nd, m, attachment);
    trace_.Mix((static_cast<std::uint64_t>(m.type) << 56) ^ (m.from << 48) ^ (m.to << 40) ^
               (m.term << 24) ^ (m.index << 8) ^ m.entries.size());
    // Malformed or not-yet-supported messages are refused without a state
    // change; nothing the simulated network carries is malformed.
    (void)nd.raft->Step(m);
    Observe(nd);
  }
}

void Simulator::TickNodes() {
  for (auto& nd : nodes_) {
    if (!awake(*nd) || (now_ms_ + nd->tick_phase_ms) % options_.raft_tick_ms != 0) continue;
    nd->raft->Tick();
    Observe(*nd);
  }
}

void Simulator::Drive(Node& nd) {
  // A few rounds per ms: a Ready that needs no sync completes at once and the
  // next one may be ready immediately.
  for (int round = 0; round < 4 && awake(nd); ++round) {
    while (!nd.inflight.empty() && nd.inflight.front().done_ms <= now_ms_) {
      CompleteReady(nd);
      if (!nd.up) return;
    }
    if (nd.inflight.size() >= options_.readies_in_flight_max || !nd.raft->HasReady()) return;
    if (!nd.inflight.empty()) ++stats_.pipelined_readies;
    TakeReady(nd);
    if (options_.bug_ack_before_earlier_writes && nd.up && nd.inflight.size() > 1) {
      const raft::Ready& rd = nd.inflight.back().ready;
      if (!rd.hard_state && rd.entries.empty() && !rd.snapshot && rd.committed_entries.empty() &&
          rd.outcomes.empty() && rd.read_states.empty() && !rd.messages_after_persist.empty()) {
        // Injected: completes out of order, ahead of the writes before it.
        std::rotate(nd.inflight.rbegin(), nd.inflight.rbegin() + 1, nd.inflight.rend());
        nd.inflight.front().done_ms = now_ms_;
        CompleteReady(nd);
        if (!nd.up) return;
      }
    }
  }
}

void Simulator::TakeReady(Node& nd) {
  raft::Ready rd = nd.raft->GetReady();
  if (!rd.entries.empty()) {
    const raft::Index first = rd.entries.front().index;
    checkers_.OnWritten(nd.id, nd.raft->log().term(first - 1).value_or(0), rd.entries);
  }
  if (rd.snapshot) {
    StageInstall(nd, rd);
    if (!nd.up) return;  // crashed during the install
  } else {
    nd.disk.Write(rd.hard_state, rd.entries);
  }
  if (CrashBeforeSend(nd, rd)) return;
  const std::uint64_t stall_ms = PauseBeforeSend(nd, rd);
  for (raft::Message& m : rd.messages) {
    ++stats_.messages;
    if (m.type == raft::MessageType::kSnapshot) {
      SendSnapshot(nd, std::move(m), stall_ms);
    } else {
      network_.Send(now_ms_, std::move(m), stall_ms);
    }
  }
  rd.messages.clear();
  std::uint64_t done_ms = now_ms_;
  if (rd.must_sync) done_ms += random_.Range(options_.fsync_ms_min, options_.fsync_ms_max);
  if (nd.installing) done_ms += SnapshotDelay(*nd.installing);
  // One disk: a write completes after those before it.
  if (!nd.inflight.empty()) done_ms = std::max(done_ms, nd.inflight.back().done_ms);
  nd.inflight.push_back({std::move(rd), nd.disk.written(), done_ms});
}

void Simulator::CompleteReady(Node& nd) {
  raft::Ready rd = std::move(nd.inflight.front().ready);
  const std::uint64_t written = nd.inflight.front().written;
  nd.inflight.pop_front();
  if (rd.must_sync) {
    nd.disk.SyncThrough(written);
    checkers_.OnSynced(nd.id, nd.disk.durable_hard_state().term);
  }
  if (nd.installing) FinishInstall(nd);  // durable: the state machine jumps to it
  bool granted_vote = false;
  for (raft::Message& m : rd.messages_after_persist) {
    granted_vote |= m.type == raft::MessageType::kVoteResponse && !m.reject;
    ++stats_.messages;
    network_.Send(now_ms_, std::move(m));
  }
  rd.messages_after_persist.clear();
  for (const raft::Entry& e : rd.committed_entries) Apply(nd, e);
  for (const raft::ProposalOutcome& o : rd.outcomes) OnOutcome(o);
  for (const raft::ReadState& rs : rd.read_states) checkers_.OnReadState(nd.id, rs.request_id, rs.index);
  nd.raft->Advance(rd);
  Observe(nd);
  if (granted_vote) OnVoteGranted(nd);
}

void Simulator::Apply(Node& nd, const raft::Entry& e) {
  checkers_.OnApply(nd.id, nd.incarnation, e, nd.raft->log().committed());
  trace_.Mix((e.index << 20) ^ (e.term << 4) ^ nd.id);
  nd.applied.push_back(AppliedEntry{e.term, e.index, e.data.str()});
}

raft::Term Simulator::TermAt(const Node& nd, raft::Index i) const {
  if (auto t = nd.raft->log().term(i)) return *t;
  // Compacted away: the state machine (or the snapshot being installed)
  // holds it.
  if (i >= 1 && i <= nd.applied.size()) return nd.applied[i - 1].term;
  if (nd.installing && i >= 1 && i <= nd.installing->state.size()) return nd.installing->state[i - 1].term;
  return 0;
}

void Simulator::RunFor(std::uint64_t ms) {
  for (std::uint64_t k = 0; k < ms; ++k) Step();
}

bool Simulator::RunUntil(const std::function<bool()>& pred, std::uint64_t max_ms) {
  for (std::uint64_t k = 0; k < max_ms; ++k) {
    if (pred()) return true;
    Step();
  }
  return pred();
}

void Simulator::Crash(raft::NodeId n) {
  Node& nd = at(n);
  if (!nd.up) return;
  Line("n" + std::to_string(n) + " crash (" + std::string(raft::RoleName(nd.raft->role())) +
       " term=" + std::to_string(nd.raft->term()) + ", " + std::to_string(nd.disk.unsynced_writes()) +
       " unsynced writes lost)");
  nd.disk.Crash(random_, options_.faults.torn_writes);
  nd.raft.reset();
  nd.inflight.clear();
  nd.received.clear();
  nd.installing.reset();
  nd.up = false;
  ++stats_.crashes;
}

void Simulator::Restart(raft::NodeId n) {
  Node& nd = at(n);
  if (nd.up) return;
  Boot(nd);
  Line("n" + std::to_string(n) + " restart term=" + std::to_string(nd.raft->term()) +
       " log=" + std::to_string(nd.raft->log().last_index()) +
       " commit=" + std::to_string(nd.raft->log().committed()) +
       (nd.disk.snapshot() ? " snapshot=" + std::to_string(nd.disk.snapshot()->meta.index) : ""));
}

Status Simulator::Read(raft::NodeId n, bool lease) {
  Node& nd = at(n);
  if (!awake(nd)) return Status::Unavailable("node is down");
  const std::uint64_t id = next_read_id_++;
  checkers_.OnReadRequest(id, n, committed_seen_);
  Status s = lease ? nd.raft->LeaseRead(id) : nd.raft->ReadIndex(id);
  Observe(nd);
  if (s.ok()) ++stats_.reads;
  return s;
}

Result<raft::ProposalId> Simulator::Propose(raft::NodeId n, std::string data) {
  Node& nd = at(n);
  if (!nd.up) return Status::Unavailable("node is down");
  auto r = nd.raft->Propose(data);
  Observe(nd);
  if (r.ok()) {
    proposals_[{r->term, r->index}] = std::move(data);
    ++stats_.proposals;
  }
  return r;
}

std::optional<raft::ProposalOutcome::Kind> Simulator::outcome(const std::string& data) const {
  auto it = outcomes_.find(data);
  if (it == outcomes_.end()) return std::nullopt;
  return it->second;
}

bool Simulator::Converged() const {
  const raft::NodeId l = Leader();
  if (l == raft::kNoNode) return false;
  const raft::RawNode& leader = *at(l).raft;
  const raft::Index commit = leader.log().committed();
  if (commit != leader.log().last_index()) return false;
  for (const auto& nd : nodes_) {
    if (!leader.membership().Contains(nd->id)) continue;  // never added, or removed
    if (!nd->up || nd->applied.size() != commit) return false;
  }
  return true;
}

bool Simulator::Converge(std::uint64_t max_ms) {
  faults_on_ = false;
  workload_on_ = false;
  Line("final heal: faults and client load stop; the cluster must converge");
  HealEverything();
  const std::uint64_t start = now_ms_;
  const bool done = RunUntil([this] { return Converged() || !checkers_.ok(); }, max_ms);
  if (done && checkers_.ok()) {
    Line("converged in " + std::to_string(now_ms_ - start) + " ms: leader n" +
         std::to_string(Leader()) + ", " + std::to_string(at(Leader()).applied.size()) +
         " entries applied on every node");
  } else if (checkers_.ok()) {
    for (const std::string& line : Describe()) Line("  " + line);
    checkers_.Report(CheckerId::kConvergence,
                     "no convergence " + std::to_string(max_ms) + " ms after healing (leader n" +
                         std::to_string(Leader()) + ")");
  }
  FinalChecks();
  return checkers_.ok();
}

void Simulator::FinalChecks() {
  std::vector<std::vector<AppliedEntry>> sms;
  for (const auto& nd : nodes_) {
    if (nd->up && member(nd->id)) sms.push_back(nd->applied);
  }
  checkers_.Final(sms);
}

RunResult Simulator::Run() {
  faults_on_ = options_.faults.enabled;
  workload_on_ = options_.workload.enabled;
  next_fault_ms_ = now_ms_ + random_.Range(options_.faults.gap_ms_min, options_.faults.gap_ms_max);
  while (now_ms_ < options_.fault_ms && checkers_.ok()) Step();
  if (checkers_.ok()) Converge(options_.heal_ms);
  RunResult result;
  result.seed = options_.seed;
  result.ok = checkers_.ok();
  result.violations = checkers_.violations();
  result.trace_hash = trace_.hash();
  stats_.end_ms = now_ms_;
  result.stats = stats_;
  result.trace_tail = trace_.Tail();
  result.final_state = Describe();
  result.reads_answered = checkers_.reads_answered();
  return result;
}

}  // namespace cairn::sim

namespace cairn::sim {

std::vector<std::string> Simulator::Describe() const {
  std::vector<std::string> out;
  for (const auto& nd : nodes_) {
    std::string s = "n" + std::to_string(nd->id);
    if (!nd->up) {
      out.push_back(s + " down (durable log=" + std::to_string(nd->disk.durable_log_size()) +
                    (nd->disk.snapshot() ? " after snapshot " + std::to_string(nd->disk.snapshot()->meta.index)
                                         : "") +
                    ")");
      continue;
    }
    const raft::RawNode& r = *nd->raft;
    s += " " + std::string(raft::RoleName(r.role())) + " term=" + std::to_string(r.term()) +
         " vote=" + std::to_string(r.vote()) + " leader=" + std::to_string(r.leader()) +
         " log=" + std::to_string(r.log().last_index()) + "@" + std::to_string(r.log().last_term()) +
         " commit=" + std::to_string(r.log().committed()) + " applied=" + std::to_string(nd->applied.size());
    if (r.log().snapshot_index() > 0) s += " snap=" + std::to_string(r.log().snapshot_index());
    for (raft::NodeId p = 1; p <= options_.nodes; ++p) {
      const raft::Progress* pr = r.progress(p);
      if (pr == nullptr) continue;
      s += " | n" + std::to_string(p) + " match=" + std::to_string(pr->match()) + " next=" +
           std::to_string(pr->next()) +
           (pr->state() == raft::Progress::State::kProbe       ? " probe"
            : pr->state() == raft::Progress::State::kSnapshot ? " snapshot"
                                                              : " replicate") +
           (pr->paused() ? " paused" : "") + " inflight=" + std::to_string(pr->inflight());
    }
    out.push_back(s);
  }
  return out;
}

}  // namespace cairn::sim
