// The Raft loop: ticks, inbound messages, and the Ready cycle of ready.h.
#include "server/node_impl.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>

#include "kv/engine.h"
#include "net/cluster_record.h"

namespace cairn::server {

Status Node::Impl::StartRaft() {
  raft::Config config;
  config.id = opt.id;
  // A joining node lists itself in --peers only for its address: the
  // founding voters are the others (raft/membership.h; it waits to be added).
  for (const auto& p : opt.peers) {
    if (!(opt.join && p.id == opt.id)) config.voters.push_back(p.id);
    addresses[p.id].raft_address = fmt::format("{}:{}", p.host, p.port);
  }
  if (config.voters.empty()) return Status::InvalidArgument("--join needs the founding voters in --peers");
  std::sort(config.voters.begin(), config.voters.end());
  addresses[opt.id].http_address = fmt::format("{}:{}", opt.bind_host, opt.http_port);
  std::optional<raft::SnapshotMeta> base;
  if (opt.data_dir.empty()) {
    log_store = NewMemoryLogStore();
    CAIRN_ASSIGN_OR_RETURN(sm, kv::StateMachine::Open(std::make_unique<kv::MemoryEngine>()));
    WireStateMachine();
  } else {
    // The state machine first: the WAL's replay then skips the data of the
    // entries it already applied (a restart with a large log must not hold
    // all of it in memory).
    CAIRN_RETURN_IF_ERROR(OpenStateMachine());
    CAIRN_ASSIGN_OR_RETURN(log_store,
                           OpenWalLogStore(opt.data_dir, rocks->store().applied().index));
    // Leftovers of an install a crash interrupted (the partial download in
    // snapshot-in/incoming.* is kept: the transfer resumes from it).
    std::error_code ec;
    std::filesystem::remove_all(opt.data_dir + "/snapshot-in/staging", ec);
    CAIRN_ASSIGN_OR_RETURN(auto dir, SnapshotDir::Open(opt.data_dir + "/snapshots"));
    snapshots = std::move(dir);
    remover = std::make_unique<BackgroundRemover>();
    snapshots->set_remover([r = remover.get()](std::string path) { r->Remove(std::move(path)); });
    if (snapshots->latest()) last_snapshot_index = snapshots->latest()->index;
    // The state machine's durable state stands for a snapshot: the log
    // resumes after it and only later entries are re-applied. Its membership
    // is the cluster record saved with it (the founding voters if no
    // configuration change was ever applied).
    const storage::KvApplied& a = rocks->store().applied();
    if (a.index > 0) {
      base = raft::SnapshotMeta{a.index, a.term, {}};
      base->membership.voters = config.voters;
      CAIRN_ASSIGN_OR_RETURN(auto record, LoadClusterRecord());
      if (record) base->membership = record->membership;
    }
  }
  CAIRN_ASSIGN_OR_RETURN(raft::RestoredState restored, log_store->Load(base));
  spdlog::info("node {}: restored term {} vote {} commit {}, state machine at index {}, {} log "
               "entries to replay", opt.id, restored.hard_state.term, restored.hard_state.vote,
               restored.hard_state.commit, restored.applied, restored.entries.size());
  // The log's configuration entries after the state machine's index say
  // where later members are (and are read again at every start).
  for (const auto& e : restored.entries) LearnAddresses(e);
  raft = std::make_unique<raft::RawNode>(config, random, std::move(restored));

  const net::PeerAddress* self = nullptr;
  for (const auto& p : opt.peers) {
    if (p.id == opt.id) self = &p;
  }
  if (self == nullptr) return Status::InvalidArgument("this node's id is not in the peer list");
  net::TransportOptions transport_options;
  transport_options.secret = opt.requirepass;  // peers prove they share it
  transport = std::make_unique<net::Transport>(
      io, opt.id, opt.peers,
      [this](raft::NodeId from, net::Frame f) { OnPeerFrame(from, std::move(f)); },
      transport_options);
  transport->SetHelloHandler(
      [this](raft::NodeId from, const std::string& address) { OnHello(from, address); });
  CAIRN_RETURN_IF_ERROR(transport->Start(opt.bind_host, self->port));
  was_member = raft->membership().Contains(opt.id);
  SyncPeers();

  persist_io = std::make_unique<asio::io_context>(1);
  persist_work = std::make_unique<asio::executor_work_guard<asio::io_context::executor_type>>(
      persist_io->get_executor());
  persist_thread = std::thread([this] { persist_io->run(); });
  tick_timer = std::make_unique<asio::steady_timer>(io);
  tick_origin_ms = MonoMs();
  Tick();
  return Status::Ok();
}

void Node::Impl::Tick() {
  if (stopping) return;
  if (handing_over && ((!is_leader() && writes.empty()) || MonoMs() >= handover_deadline_ms)) {
    spdlog::info("node {}: hand-over {}; stopping", opt.id,
                 is_leader() ? "did not finish in time" : "done");
    return FinishStop();
  }
  CatchUpTicks();
  // Fixed rate: the next tick is due at origin + (ticks + 1) * tick_ms, so
  // timer lateness does not accumulate.
  auto next = std::chrono::steady_clock::time_point(std::chrono::milliseconds(
      tick_origin_ms + static_cast<std::int64_t>(ticks + 1) * opt.tick_ms));
  tick_timer->expires_at(next);
  tick_timer->async_wait([this](boost::system::error_code ec) {
    if (!ec) Tick();
  });
}

// A stall as long as the shortest election timeout is one the peers may
// take for a dead node: logged (at most once a second) and counted.
const std::int64_t kStallWarnTicks = raft::Config{}.election_timeout_ticks_min;

void Node::Impl::NoteStall(std::int64_t ms) {
  ++metrics.loop_stalls_total;
  const std::int64_t now = MonoMs();
  if (now - last_stall_log_ms < 1000) {
    ++stalls_unlogged;
    return;
  }
  spdlog::warn(
      "node {}: the event loop was busy or descheduled for {} ms as {} (peers start an "
      "election after {}-{} ms of silence){}",
      opt.id, ms, is_leader() ? "leader" : "follower",
      raft::Config{}.election_timeout_ticks_min * opt.tick_ms,
      raft::Config{}.election_timeout_ticks_max * opt.tick_ms,
      stalls_unlogged ? fmt::format("; {} more since the last report", stalls_unlogged)
                      : std::string());
  last_stall_log_ms = now;
  stalls_unlogged = 0;
}

// Raft time must never fall behind real time. After the loop stalls (a
// SIGSTOP, a swapped-out process, a long call on this thread) one timer
// firing would otherwise count as one tick, and a leader would believe its
// lease younger than it is and serve stale lease reads after a new leader
// was elected (sim/bugs_test.cc, LeaseReads, shows exactly that). So every
// due tick is accounted for at once, here and before every lease read.
//
// Only a leader catches up, and only its lease clock. A follower's ticks only
// decide when it suspects the leader; after a stall of its own loop (a long
// apply, a busy machine) the leader's heartbeats are most likely still
// unread in its sockets, so catching up would start a needless election. It
// takes one tick per timer firing and lets the missed ones go: its clock then
// runs slow, which only delays its suspicion (and its votes), so leader
// leases stay safe. A leader is in the same position towards its followers'
// answers: delivering every missed tick would run CheckQuorum before it read
// them, and it would step down for its own pause (as a pipeline of 3 MiB
// SETs did). So the missed ticks age its lease (RawNode::SkipTicks) and one
// real tick runs.
void Node::Impl::CatchUpTicks() {
  const std::int64_t due = (MonoMs() - tick_origin_ms) / static_cast<std::int64_t>(opt.tick_ms);
  std::int64_t missing = due - static_cast<std::int64_t>(ticks);
  if (missing <= 0) return;
  const std::uint64_t before = ticks;
  if (missing > kStallWarnTicks) NoteStall(missing * opt.tick_ms);
  if (missing > 1) {
    if (is_leader()) raft->SkipTicks(static_cast<std::uint64_t>(missing - 1));
    ticks += static_cast<std::uint64_t>(missing - 1);
  }
  raft->Tick();
  ++ticks;
  CheckTransfers();
  if (ticks / 10 != before / 10) {  // every 10 ticks, or once after a stall
    ExpireWaiters();
    MaybePromoteLearners();
    CheckSnapshotSends();
    MaybeProposeExpiry();
  }
  ServeReplicaWaiters(MonoMs());  // WAIT timeouts
  ScheduleReady();
}

// Everything that arrives in one pass of the event loop (client commands,
// peer messages) lands in one Ready: that is the batching.
void Node::Impl::ScheduleReady() {
  if (ready_scheduled) return;
  ready_scheduled = true;
  asio::post(io, [this] { ProcessReady(); });
}

void Node::Impl::OnPeerFrame(raft::NodeId from, net::Frame frame) {
  switch (frame.type) {
    case net::FrameType::kRaft: {
      auto m = net::DecodeMessage(frame.payload);
      if (!m.ok() || m->from != from) {
        spdlog::warn("node {}: bad raft message from {}: {}", opt.id, from,
                     m.ok() ? "sender mismatch" : m.status().ToString());
        return;
      }
      // A snapshot's metadata is stepped only once its bytes are installed
      // (ready.h): the leader sends it after the transfer completed.
      if (m->type == raft::MessageType::kSnapshot && sm->applied_index() < m->snapshot.index) {
        spdlog::warn("node {}: snapshot {} from {} before its data; ignored", opt.id,
                     m->snapshot.index, from);
        return;
      }
      Status s = raft->Step(*m);
      if (!s.ok()) spdlog::warn("node {}: step from {}: {}", opt.id, from, s.ToString());
      ScheduleReady();
      return;
    }
    case net::FrameType::kForward:
      OnForward(from, frame.payload);
      return;
    case net::FrameType::kSnapshotChunk:
      OnSnapshotChunk(from, frame.payload);
      return;
    case net::FrameType::kSnapshotAck:
      OnSnapshotAck(from, frame.payload);
      return;
    case net::FrameType::kForwardReply:
      OnForwardReply(frame.payload);
      return;
    case net::FrameType::kHello:
      return;
  }
}

// The queue holds what arrived since the last Ready (one event-loop pass).
// Runs of entries go into one Raft entry each, a group (kv/log_entry.h): the
// log record, the Append payload, the apply batch and the waiter are then
// paid once per group instead of once per write. No write waits longer for
// it: the entries of one pass were proposed, persisted and sent together
// anyway.
void Node::Impl::ProposeQueued() {
  if (proposal_queue.empty()) return;
  constexpr std::size_t kGroupBytesMax = 256u << 10;
  const std::size_t n = proposal_queue.size();
  std::vector<std::string> batch;
  std::vector<std::pair<std::size_t, std::size_t>> runs;  // [begin, end) of each entry
  for (std::size_t i = 0; i < n;) {
    std::size_t end = i + 1;
    std::size_t bytes = proposal_queue[i].data.size();
    // An empty entry is a no-op, never a member.
    while (bytes > 0 && end < n && end - i < kv::kGroupMembersMax &&
           !proposal_queue[end].data.empty() &&
           bytes + proposal_queue[end].data.size() <= kGroupBytesMax) {
      bytes += proposal_queue[end].data.size();
      ++end;
    }
    if (end - i == 1) {
      batch.push_back(std::move(proposal_queue[i].data));
    } else {
      std::string group;
      group.reserve(bytes + 5 * (end - i) + 16);
      kv::EncodeGroupHeader(end - i, &group);
      for (std::size_t k = i; k < end; ++k) kv::AppendGroupMember(proposal_queue[k].data, &group);
      batch.push_back(std::move(group));
    }
    runs.emplace_back(i, end);
    i = end;
  }
  const std::size_t entries = batch.size();
  auto last = raft->ProposeBatch(std::move(batch));
  if (!last.ok()) {
    metrics.proposals_failed_total += n;
    resp::Value err = resp::Value::Error(last.status().code() == StatusCode::kFailedPrecondition
                                             ? "TRYAGAIN leadership changed, retry"
                                             : "TRYAGAIN " + std::string(last.status().message()));
    for (auto& p : proposal_queue) p.done({err, 0});
  } else {
    ++metrics.proposal_batches_total;
    metrics.proposals_total += n;
    raft::Index index = last->index + 1 - entries;
    std::int64_t deadline = MonoMs() + opt.request_timeout_ms;
    for (auto [begin, end] : runs) {
      if (end - begin == 1) {
        writes[index++] = WriteWaiter{last->term, std::move(proposal_queue[begin].done), deadline};
        continue;
      }
      std::vector<Done> members;
      members.reserve(end - begin);
      for (std::size_t k = begin; k < end; ++k)
        members.push_back(std::move(proposal_queue[k].done));
      Done fan_out = [members = std::move(members)](Reply r) mutable {
        const bool each =
            r.value.type == resp::Type::kArray && r.value.elems.size() == members.size();
        for (std::size_t k = 0; k < members.size(); ++k) {
          members[k](each ? Reply{std::move(r.value.elems[k]), r.index} : r);
        }
      };
      writes[index++] = WriteWaiter{last->term, std::move(fan_out), deadline, /*group=*/true};
      ++metrics.proposal_groups_total;
    }
  }
  proposal_queue.clear();
}

// One Ready cycle (ready.h). The write runs on the persist thread so the loop
// keeps reading clients and peers meanwhile; the rest of the cycle (rules 2,
// 4, 5) resumes on the loop when the write is durable. Readies pipeline (rule
// 6): while one is being written the loop takes the next, so its Appends
// leave at once instead of after this node's fsync, and the persist thread
// writes every Ready that queued meanwhile with one fsync.
void Node::Impl::ProcessReady() {
  ReplyHold hold(*this);
  ready_scheduled = false;
  ProposeQueued();
  ServeReplicaWaiters(0);  // a follower's acknowledgement may complete a WAIT
  if (stopping || readies_in_flight >= kReadiesInFlightMax || !raft->HasReady()) return;
  ++metrics.ready_cycles_total;
  auto rd = std::make_shared<raft::Ready>(raft->GetReady());
  if (rd->soft_state) OnSoftState(*rd->soft_state);
  // New members named by entries about to be written: dial them before
  // sending (a leader replicates to a member from the moment it is in the log).
  for (const auto& e : rd->entries) LearnAddresses(e);
  MaybeSyncPeers();
  for (const auto& m : rd->messages) {  // rule 1
    if (m.type == raft::MessageType::kSnapshot) {
      StartSnapshotSend(m);  // the bytes go first; the message after them
    } else {
      transport->SendRaft(m);
    }
  }
  if (!rd->hard_state && rd->entries.empty() && !rd->snapshot && readies_in_flight == 0) {
    ApplyReady(*rd);
    return FinishReady(*rd);
  }
  // Committed entries are already durable here (rule 4), so they are applied
  // and answered now, while the new entries are being written, instead of
  // after that write: a reply waits for one fsync of its own batch, not also
  // for the next batch's. Not with a snapshot: the log is reset first.
  const bool applied_early = !rd->snapshot;
  if (applied_early) ApplyReady(*rd);
  // Even a Ready with nothing to write queues behind the ones in flight:
  // its acknowledgements may vouch for their entries (rule 6).
  ++readies_in_flight;
  persist_waiting.push_back({std::move(rd), applied_early});
  StartPersist();
}

// Hands every Ready waiting to the persist thread as one batch, unless it is
// busy (then the batch goes when the current one is durable). One fsync
// covers the batch; its Readies then finish in the order they were taken.
void Node::Impl::StartPersist() {
  if (persist_busy || persist_waiting.empty()) return;
  persist_busy = true;
  auto batch = std::make_shared<std::vector<PersistJob>>(std::move(persist_waiting));
  persist_waiting.clear();
  asio::post(*persist_io, [this, batch] {
    bool must_sync = false;
    for (const auto& job : *batch) must_sync = must_sync || job.ready->must_sync;
    const auto started = std::chrono::steady_clock::now();
    Status s = Status::Ok();
    for (std::size_t k = 0; k < batch->size() && s.ok(); ++k) {
      const raft::Ready& rd = *(*batch)[k].ready;
      // A received snapshot (already installed in the state machine, see
      // OnSnapshotChunk) restarts the log after it. Raft hands one out only
      // with nothing else in flight (rule 6), so nothing precedes it here.
      if (rd.snapshot) {
        CAIRN_CHECK(k == 0, "a snapshot Ready shares a persist batch");  // Reset drops the buffer
        s = log_store->Reset(rd.snapshot->index, rd.snapshot->term);
      }
      // Only the last Ready of the batch writes (and syncs): one write and
      // one fsync cover them all.
      const bool last = k + 1 == batch->size();
      const Durability d = !last       ? Durability::kDeferred
                           : must_sync ? Durability::kSync
                                       : Durability::kWritten;
      if (s.ok()) s = log_store->Append(rd.hard_state, rd.entries, d);
    }
    const double sync_seconds =
        must_sync
            ? std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()
            : -1;
    asio::post(io, [this, batch, s, sync_seconds] {
      CAIRN_CHECK(s.ok(), "the Raft log cannot be written; stopping");
      if (sync_seconds >= 0) {  // counted here, so /metrics sees both together
        log_syncs.fetch_add(1, std::memory_order_relaxed);
        metrics.log_sync_duration.Observe(sync_seconds);
      }
      ReplyHold after_persist(*this);
      persist_busy = false;
      for (auto& job : *batch) {
        --readies_in_flight;
        if (!job.applied_early) ApplyReady(*job.ready);
        FinishReady(*job.ready);
      }
      StartPersist();
    });
  });
}

// Rule 4: committed entries, and what depends on them (dropped proposals'
// replies, confirmed reads).
void Node::Impl::ApplyReady(raft::Ready& rd) {
  for (auto& e : rd.committed_entries) apply_queue.push_back(std::move(e));
  rd.committed_entries.clear();
  ApplyQueued();
  for (const auto& o : rd.outcomes) {
    if (o.kind != raft::ProposalOutcome::Kind::kDropped) continue;
    auto it = writes.find(o.id.index);
    if (it != writes.end() && it->second.term == o.id.term) {
      it->second.done({resp::Value::Error("TRYAGAIN write lost to a leader change, retry"), 0});
      writes.erase(it);
    }
  }
  for (const auto& rs : rd.read_states) {
    auto it = reads_by_id.find(rs.request_id);
    if (it == reads_by_id.end()) continue;
    reads_by_index.emplace(rs.index, std::move(it->second));
    reads_by_id.erase(it);
  }
  ServeAppliedReads();
}

// The batch is durable: the promises that depend on it go out, and Raft may
// hand out the next batch.
void Node::Impl::FinishReady(const raft::Ready& rd) {
  for (const auto& m : rd.messages_after_persist) transport->SendRaft(m);  // rule 2
  raft->Advance(rd);  // rule 5
  MaybeSyncPeers();
  MaybeSnapshot();
  ServeAppliedReads();
  ScheduleReady();
}

// Applies the queue's first kApplyBatchEntries entries (or first MiB) and
// comes back for the rest after the loop has run its other handlers: a
// burst of thousands of commits (each a RocksDB write), or of a few large
// values, must not hold ticks and heartbeats for longer than an election
// timeout, or peers suspect a dead node.
void Node::Impl::ApplyQueued() {
  constexpr std::size_t kApplyBatchEntries = 256;
  constexpr std::size_t kApplyBatchBytes = 1u << 20;  // (one entry may exceed it)
  apply_scheduled = false;
  if (stopping) return;
  std::vector<raft::Entry> batch;
  std::size_t bytes = 0;
  while (!apply_queue.empty() && batch.size() < kApplyBatchEntries && bytes < kApplyBatchBytes) {
    bytes += apply_queue.front().data.size();
    batch.push_back(std::move(apply_queue.front()));
    apply_queue.pop_front();
  }
  // One RocksDB batch for the slice (rocks_engine.h); clients hear back
  // only after it is written, so no read sees the store mid-group.
  std::vector<std::pair<Done, Reply>> replies;
  if (rocks != nullptr) rocks->BeginGroup();
  ApplyCommitted(batch, &replies);
  if (rocks != nullptr) {
    Status s = rocks->EndGroup();
    CAIRN_CHECK(s.ok(), "the state machine store cannot be written; stopping");
  }
  for (auto& [done, reply] : replies) done(std::move(reply));
  ServeAppliedReads();
  if (!apply_queue.empty()) {
    apply_scheduled = true;
    asio::post(io, [this] {
      ReplyHold next_slice(*this);
      if (apply_scheduled) ApplyQueued();
    });
  }
}

void Node::Impl::ApplyCommitted(const std::vector<raft::Entry>& entries,
                                std::vector<std::pair<Done, Reply>>* replies_out) {
  for (const auto& e : entries) {
    std::string_view data = e.type == raft::EntryType::kNormal ? std::string_view(e.data) : "";
    if (rocks != nullptr) rocks->set_applying_term(e.term);
    if (e.type == raft::EntryType::kConfChange && e.index > sm->applied_index()) SaveClusterRecord(e);
    // Only a proposal of this node waits for the replies (a follower's
    // never do): without one, the reads the entry carries are skipped.
    auto replies = sm->Apply(e.index, data,
                             writes.contains(e.index) ? kv::StateMachine::Replies::kWanted
                                                      : kv::StateMachine::Replies::kDiscarded);
    log_bytes_since_snapshot += e.data.size();
    CAIRN_CHECK(replies.ok(), "apply failed: the log holds an entry this node cannot apply");
    if (e.type == raft::EntryType::kConfChange) OnRemovalApplied(e);
    if (tracking.active() && !data.empty()) NotifyTracking(data);
    if (!blocked_keys.empty() && !data.empty()) WakeBlocked(e.index, data);
    auto it = writes.find(e.index);
    if (it == writes.end()) continue;
    if (it->second.term == e.term && e.type == raft::EntryType::kConfChange) {
      replies_out->emplace_back(std::move(it->second.done), Reply{resp::Value::Simple("OK"), e.index});  // an admin change
    } else if (it->second.term == e.term && it->second.group && !replies->empty()) {
      resp::Value each = resp::Value::Array();
      each.elems = std::move(*replies);  // one per member (kv::StateMachine::Apply)
      replies_out->emplace_back(std::move(it->second.done), Reply{std::move(each), e.index});
    } else if (it->second.term == e.term && !replies->empty()) {
      replies_out->emplace_back(std::move(it->second.done), Reply{std::move((*replies)[0]), e.index});
    } else {
      replies_out->emplace_back(std::move(it->second.done),
                                Reply{resp::Value::Error("TRYAGAIN write lost to a leader change, retry"), 0});
    }
    writes.erase(it);
  }
}

void Node::Impl::ServeAppliedReads() {
  std::uint64_t applied = sm->applied_index();
  while (!reads_by_index.empty() && reads_by_index.begin()->first <= applied) {
    PendingRead r = std::move(reads_by_index.begin()->second);
    reads_by_index.erase(reads_by_index.begin());
    r.done({ReadAll(r.ops), applied});
  }
}

void Node::Impl::OnSoftState(const raft::SoftState& s) {
  ++metrics.leader_changes_total;
  spdlog::info("node {}: role {} leader {} term {}", opt.id, raft::RoleName(s.role), s.leader,
               raft->term());
  // A forward to a node that is no longer the leader we know will most
  // likely never be answered (it crashed, or is cut off); the client learns
  // at once rather than at its deadline. It may have been proposed there
  // and commit yet, so the outcome is unknown.
  for (auto it = forwards.begin(); it != forwards.end();) {
    if (it->second.to != s.leader && !it->second.admin) {
      it->second.done({resp::Value::Error(
                           "TIMEOUT the leader changed before answering; a write may or may not have applied"),
                       0});
      it = forwards.erase(it);
    } else {
      ++it;
    }
  }
  if (s.role != raft::Role::kLeader) {
    snapshot_sends.clear();  // a new leader decides what followers need
    snapshot_sent_ms.clear();
    // ReadIndex requests without a ReadState will never get one now.
    for (auto& [id, r] : reads_by_id) {
      r.done({resp::Value::Error("TRYAGAIN leadership changed, retry"), 0});
    }
    reads_by_id.clear();
    ReleaseReplicaWaiters();
  }
}

// Active expiry (kv/state_machine.h): keys past their TTL are hidden from
// reads at once, and the leader reclaims them with a replicated kExpireUpTo
// entry (at most kExpiryKeysPerEntry keys each, one entry in flight), so
// every replica deletes the same keys at the same log index, and CLIENT
// TRACKING connections hear about it like any other write.
void Node::Impl::MaybeProposeExpiry() {
  constexpr std::int64_t kExpiryKeysPerEntry = 1000;
  if (!is_leader() || handing_over || stopping || expiry_in_flight) return;
  const std::int64_t now = NowMs();
  if (sm->ExpiredKeys(now) == 0) return;
  kv::LogEntry entry;
  entry.now_ms = now;
  entry.ops.push_back(kv::Op{kv::OpCode::kExpireUpTo, 0, now, kExpiryKeysPerEntry, {}});
  expiry_in_flight = true;
  ProposeEntry(entry, [this](Reply) { expiry_in_flight = false; });
}

void Node::Impl::ExpireWaiters() {
  std::int64_t now = MonoMs();
  auto timeout = [](auto& map, std::int64_t t, const char* msg) {
    for (auto it = map.begin(); it != map.end();) {
      if (it->second.deadline_ms <= t) {
        it->second.done({resp::Value::Error(msg), 0});
        it = map.erase(it);
      } else {
        ++it;
      }
    }
  };
  timeout(writes, now, "TIMEOUT the write may or may not have been applied");
  timeout(reads_by_id, now, "TIMEOUT read not confirmed by a quorum");
  timeout(reads_by_index, now, "TIMEOUT this node has not caught up");
  timeout(forwards, now, "TIMEOUT no answer from the leader; a write may or may not have applied");
}

void Node::Impl::FailAll(std::string_view error) {
  auto fail = [&](auto& map) {
    for (auto& [k, w] : map) w.done({resp::Value::Error(error), 0});
    map.clear();
  };
  fail(writes);
  fail(reads_by_id);
  fail(reads_by_index);
  fail(forwards);
  ReleaseReplicaWaiters();
  for (auto& t : transfers) t.done(http::JsonError(503, error));
  transfers.clear();
  for (auto& p : proposal_queue) p.done({resp::Value::Error(error), 0});
  proposal_queue.clear();
}

}  // namespace cairn::server
