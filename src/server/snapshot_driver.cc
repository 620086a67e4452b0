// Snapshots in the node: the state machine on RocksDB, checkpoints and log
// compaction, and InstallSnapshot (streaming a checkpoint to a follower
// over the peer transport with src/snapshot's chunked, resumable protocol).
//
// Leader: Raft asks for a snapshot with a kSnapshot message (metadata only).
// The driver streams the newest checkpoint (creating one if none covers the
// message's index) as a bundle (snapshots.h), chunk by chunk; once the
// follower has installed it, the Raft message follows and ReportSnapshot
// (true) is called. A stall (no ack for kStallMs) is treated as a broken
// link: the sender asks the follower where to resume. Too many stalls, a
// rejection or an I/O error end the send with ReportSnapshot(false); Raft
// probes and asks again later.
//
// Follower: chunks go to <data_dir>/snapshot-in (FileChunkSink: durable
// resume point, so a restart resumes). The finished bundle is unpacked to a
// staging dir and swapped in for the live RocksDB with one atomic rename
// (KvStore::InstallCheckpoint); then the leader's Raft message is stepped
// and Ready::snapshot resets the WAL to start after it.
#include <spdlog/spdlog.h>

#include <filesystem>

#include "net/snapshot_codec.h"
#include "server/node_impl.h"

namespace cairn::server {
namespace {
constexpr std::int64_t kStallMs = 2000;
constexpr std::uint32_t kStallsMax = 15;
constexpr std::int64_t kAnswerWaitMs = 5000;  // for Raft's answer after the bytes
}  // namespace

Status Node::Impl::OpenStateMachine() {
  CAIRN_ASSIGN_OR_RETURN(auto store, storage::KvStore::Open(opt.data_dir + "/state"));
  auto engine = std::make_unique<RocksEngine>(std::move(store), opt.read_cache_bytes);
  RocksEngine* raw = engine.get();
  CAIRN_ASSIGN_OR_RETURN(sm, kv::StateMachine::Open(std::move(engine)));
  WireStateMachine();
  rocks = raw;
  return Status::Ok();
}

Result<raft::Index> Node::Impl::TriggerSnapshot() {
  if (rocks == nullptr) return Status::FailedPrecondition("snapshots need a data_dir");
  CAIRN_ASSIGN_OR_RETURN(CheckpointInfo cp, snapshots->Create(rocks->store()));
  AfterSnapshot(cp);
  return cp.index;
}

// The checkpoint is durable: compact Raft's log and the WAL below it.
void Node::Impl::AfterSnapshot(const CheckpointInfo& cp) {
  last_snapshot_index = std::max(last_snapshot_index, cp.index);
  last_save_unix_s = NowMs() / 1000;
  ++metrics.snapshots_total;
  // After a received snapshot the state machine may be ahead of Raft's
  // applied index; compact no further than both.
  const raft::Index index = std::min(cp.index, raft->log().applied());
  Status s = raft->CompactLog(index);
  if (!s.ok()) {
    spdlog::warn("node {}: compact log at {}: {}", opt.id, index, s.ToString());
    return;
  }
  // The persist thread owns the WAL; this runs after any Append in flight.
  asio::post(*persist_io, [this, index] {
    Status cs = log_store->Compact(index);
    asio::post(io, [cs] { CAIRN_CHECK(cs.ok(), "the Raft log cannot be compacted; stopping"); });
  });
  spdlog::info("node {}: snapshot at index {} (term {}); log compacted to {}", opt.id, cp.index,
               cp.term, index);
}

void Node::Impl::MaybeSnapshot() {
  if (rocks == nullptr || opt.snapshot_entries == 0 || snapshot_thread.joinable()) return;
  const bool by_entries = sm->applied_index() >= last_snapshot_index + opt.snapshot_entries;
  const bool by_bytes =
      opt.snapshot_log_bytes != 0 && log_bytes_since_snapshot >= opt.snapshot_log_bytes;
  if (!by_entries && !by_bytes) return;
  log_bytes_since_snapshot = 0;
  const raft::Index index = sm->applied_index();
  const raft::Term term = rocks->store().applied().term;
  const storage::KvStore* store = &rocks->store();
  const std::uint64_t generation = snapshot_generation;
  last_snapshot_index = index;  // also the retry point if this one fails
  snapshot_thread = std::thread([this, store, index, term, generation] {
    auto cp = SnapshotDir::Write(snapshots->root(), *store, index, term);
    asio::post(io, [this, cp, generation] {
      if (generation != snapshot_generation) return;  // joined by an install
      snapshot_thread.join();
      if (!cp.ok()) {
        spdlog::warn("node {}: snapshot failed: {}", opt.id, cp.status().ToString());
        return;
      }
      snapshots->Publish(*cp);
      AfterSnapshot(*cp);
    });
  });
}

void Node::Impl::JoinSnapshotThread() {
  if (!snapshot_thread.joinable()) return;
  snapshot_thread.join();
  ++snapshot_generation;  // its posted result, if any, is stale now
}

// --- leader ---

void Node::Impl::StartSnapshotSend(const raft::Message& m) {
  if (auto it = snapshot_sends.find(m.to); it != snapshot_sends.end()) {
    it->second.msg = m;  // already streaming; the newest metadata goes when done
    return;
  }
  auto fail = [&](const Status& s) {
    spdlog::warn("node {}: cannot send a snapshot to {}: {}", opt.id, m.to, s.ToString());
    raft->ReportSnapshot(m.to, false);
  };
  if (rocks == nullptr) return fail(Status::FailedPrecondition("no data_dir"));
  if (!snapshots->latest() || snapshots->latest()->index < m.snapshot.index) {
    auto cp = snapshots->Create(rocks->store());
    if (!cp.ok()) return fail(cp.status());
  }
  const CheckpointInfo cp = *snapshots->latest();
  auto source = BundleSource::Open(cp.dir);
  if (!source.ok()) return fail(source.status());
  SnapshotSend send;
  send.msg = m;
  send.id = {cp.index, cp.term};
  send.source = std::move(source).value();
  send.sender = std::make_unique<snapshot::Sender>(send.id, *send.source);
  send.sender->OnDisconnect();  // begin by asking where to resume
  send.progress_ms = MonoMs();
  spdlog::info("node {}: sending snapshot {} ({} bytes) to {}", opt.id, cp.index,
               send.source->size(), m.to);
  snapshot_sends[m.to] = std::move(send);
  snapshot_sent_ms.erase(m.to);
  SendSnapshotResume(m.to);
}

void Node::Impl::SendSnapshotResume(raft::NodeId to) {
  auto it = snapshot_sends.find(to);
  if (it == snapshot_sends.end()) return;
  net::SnapshotChunkFrame f;
  f.resume_request = true;
  f.chunk.id = it->second.id;
  f.chunk.total_bytes = it->second.source->size();
  transport->Send(to, net::FrameType::kSnapshotChunk, net::EncodeSnapshotChunk(f));
}

void Node::Impl::PumpSnapshotSend(raft::NodeId to) {
  auto it = snapshot_sends.find(to);
  if (it == snapshot_sends.end()) return;
  snapshot::Sender& sender = *it->second.sender;
  if (sender.failed()) return EndSnapshotSend(to, false);
  if (sender.done()) return EndSnapshotSend(to, true);
  auto chunks = sender.Poll();
  if (!chunks.ok()) {
    spdlog::warn("node {}: snapshot to {}: {}", opt.id, to, chunks.status().ToString());
    return EndSnapshotSend(to, false);
  }
  for (auto& c : *chunks) {
    net::SnapshotChunkFrame f{false, std::move(c)};
    metrics.snapshot_bytes_sent_total += f.chunk.data.size();
    if (!transport->Send(to, net::FrameType::kSnapshotChunk, net::EncodeSnapshotChunk(f))) {
      sender.OnDisconnect();  // queue full or link down: resume on the next stall check
      break;
    }
  }
}

void Node::Impl::EndSnapshotSend(raft::NodeId to, bool ok) {
  auto it = snapshot_sends.find(to);
  if (it == snapshot_sends.end()) return;
  raft::Message msg = std::move(it->second.msg);
  snapshot_sends.erase(it);
  spdlog::info("node {}: snapshot to {} {}", opt.id, to, ok ? "installed" : "failed");
  if (ok) {
    transport->SendRaft(msg);
    snapshot_sent_ms[to] = MonoMs();
  }
  raft->ReportSnapshot(to, ok);
  ScheduleReady();
}

void Node::Impl::CheckSnapshotSends() {
  const std::int64_t now = MonoMs();
  std::vector<raft::NodeId> give_up;
  for (auto& [to, send] : snapshot_sends) {
    if (now - send.progress_ms < kStallMs) continue;
    if (++send.stalls > kStallsMax) {
      give_up.push_back(to);
      continue;
    }
    spdlog::info("node {}: snapshot to {}: no answer for {} ms; asking where to resume", opt.id,
                 to, kStallMs);
    send.sender->OnDisconnect();
    send.progress_ms = now;
    SendSnapshotResume(to);
  }
  for (raft::NodeId to : give_up) EndSnapshotSend(to, false);
  // The Raft message after the bytes may have been lost: if the follower is
  // still waiting for a snapshot, make Raft probe (and ask again).
  for (auto it = snapshot_sent_ms.begin(); it != snapshot_sent_ms.end();) {
    const raft::Progress* pr = raft->progress(it->first);
    if (pr == nullptr || pr->state() != raft::Progress::State::kSnapshot) {
      it = snapshot_sent_ms.erase(it);
    } else if (now - it->second > kAnswerWaitMs) {
      raft->ReportSnapshot(it->first, false);
      it = snapshot_sent_ms.erase(it);
      ScheduleReady();
    } else {
      ++it;
    }
  }
}

void Node::Impl::OnSnapshotAck(raft::NodeId from, std::string_view payload) {
  auto ack = net::DecodeSnapshotAck(payload);
  if (!ack.ok()) {
    spdlog::warn("node {}: bad snapshot ack from {}: {}", opt.id, from, ack.status().ToString());
    return;
  }
  auto it = snapshot_sends.find(from);
  if (it == snapshot_sends.end() || !(it->second.id == ack->id)) return;
  snapshot::Sender& sender = *it->second.sender;
  const std::uint64_t before = sender.acked_bytes();
  const bool resuming = it->second.stalls > 0 || before == 0;
  sender.OnAck(*ack);
  // Only progress resets the stall count: a follower that keeps answering
  // without taking bytes must not keep the transfer alive for ever.
  if (sender.acked_bytes() > before || sender.done() || sender.failed() || resuming) {
    it->second.progress_ms = MonoMs();
  }
  if (sender.acked_bytes() > before || sender.done()) it->second.stalls = 0;
  PumpSnapshotSend(from);
}

// --- follower ---

void Node::Impl::OnSnapshotChunk(raft::NodeId from, std::string_view payload) {
  auto f = net::DecodeSnapshotChunk(payload);
  if (!f.ok()) {
    spdlog::warn("node {}: bad snapshot chunk from {}: {}", opt.id, from, f.status().ToString());
    return;
  }
  const snapshot::Chunk& c = f->chunk;
  auto reply = [&](const snapshot::ChunkAck& a) {
    transport->Send(from, net::FrameType::kSnapshotAck, net::EncodeSnapshotAck(a));
  };
  if (rocks == nullptr) return reply({c.id, 0, false, true, c.attempt});
  if (sm->applied_index() >= c.id.index) {
    return reply({c.id, c.total_bytes, true, false, c.attempt});  // we hold all of it already
  }
  if (!snapshot_receiver) {
    std::string dir = opt.data_dir + "/snapshot-in";
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    // A download interrupted by a crash resumes from what the sink holds,
    // even all of it (the sender then ends with an empty last chunk,
    // snapshot/transfer.h).
    snapshot_sink = std::make_unique<snapshot::FileChunkSink>(dir);
    snapshot_receiver = std::make_unique<snapshot::Receiver>(*snapshot_sink);
  }
  snapshot::ChunkAck a =
      f->resume_request ? snapshot_receiver->Resume(c.id, c.total_bytes) : snapshot_receiver->OnChunk(c);
  if (f->resume_request || a.rejected) {
    spdlog::info("node {}: snapshot {} from {}: {} at offset {} of {}", opt.id, c.id.index, from,
                 a.rejected ? "rejected" : "resuming", a.next_offset, c.total_bytes);
  }
  metrics.snapshot_bytes_received_total += c.data.size();
  if (a.complete) {
    Status s = InstallReceivedSnapshot(c.id);
    if (!s.ok()) {
      spdlog::error("node {}: installing snapshot {}: {}", opt.id, c.id.index, s.ToString());
      a.complete = false;
      a.rejected = true;
    }
    snapshot_receiver.reset();
    snapshot_sink.reset();
  }
  reply(a);
}

Status Node::Impl::InstallReceivedSnapshot(const snapshot::SnapshotId& id) {
  const std::string bundle = snapshot_sink->InstalledPath(id);
  const std::string staging = opt.data_dir + "/snapshot-in/staging";
  std::error_code ec;
  std::filesystem::remove_all(staging, ec);
  Status s = UnpackBundle(bundle, staging);
  if (s.ok()) {
    // Close the live store, swap the checkpoint in, reopen. A crash in
    // between leaves the old or the new state (kv_store.h), and the WAL is
    // reconciled with it at start (LogStore::Load).
    JoinSnapshotThread();  // it reads the store being closed
    sm.reset();
    rocks = nullptr;
    s = storage::KvStore::InstallCheckpoint(opt.data_dir + "/state", staging);
    Status reopened = OpenStateMachine();
    CAIRN_CHECK(reopened.ok(), "the state machine cannot be reopened after a snapshot install");
  }
  std::filesystem::remove(bundle, ec);
  std::filesystem::remove_all(staging, ec);
  if (s.ok()) {
    // The snapshot carries the members and their addresses (it may name
    // members this node has never heard of), and it replaced every key:
    // tracked clients must drop everything they cached.
    auto record = LoadClusterRecord();
    if (!record.ok()) spdlog::error("node {}: {}", opt.id, record.status().ToString());
    InvalidateAllTracking();
    ++metrics.snapshots_installed_total;
    spdlog::info("node {}: installed snapshot at index {} (term {})", opt.id,
                 sm->applied_index(), id.term);
  }
  return s;
}

}  // namespace cairn::server
