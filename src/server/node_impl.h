#pragma once
// Private to src/server: the state behind Node, shared by its .cc files.
// Everything here runs on the node's single io_context thread.
#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>  // before Asio (Boost 1.74)
#include <vector>

#include "common/random.h"
#include "kv/log_entry.h"
#include "kv/op.h"
#include "kv/state_machine.h"
#include "net/cluster_record.h"
#include "net/member_info.h"
#include "net/transport.h"
#include "raft/raw_node.h"
#include "resp/value.h"
#include "server/admin_requests.h"
#include "server/background_remover.h"
#include "server/config_command.h"
#include "server/freshness.h"
#include "server/http_router.h"
#include "server/log_store.h"
#include "server/metrics.h"
#include "server/node.h"
#include "server/pubsub.h"
#include "server/rocks_engine.h"
#include "server/slowlog.h"
#include "server/snapshots.h"
#include "server/tracking.h"
#include "snapshot/files.h"
#include "snapshot/transfer.h"

namespace cairn::server {

namespace asio = boost::asio;

enum class Consistency : std::uint8_t { kStrong, kLease, kBounded, kSession, kEventual };

// How a connection wants its reads served.
struct ReadPolicy {
  Consistency level = Consistency::kStrong;
  std::uint32_t bounded_ms = 0;
  std::uint64_t session_index = 0;  // read only state at or after this index
};

// A finished request: the reply and the index it stands for, which becomes
// the connection's session token if higher: for a write, the log index that
// made it durable; for a read, the applied index of the state it was read
// from (0: none, e.g. an error).
struct Reply {
  resp::Value value;
  std::uint64_t index = 0;
};
using Done = std::function<void(Reply)>;

// Forwarded request kinds (payload of net::FrameType::kForward).
// kAdmin: an HTTP admin request (method, target, body) run by the leader's
// router; the reply is [status, content type, body].
// kWait: WAIT from a follower's client, run on the leader (replica_wait.cc).
// kReadIndex: a follower asks for a confirmed read index (bounded reads,
// freshness.h); the body is empty.
enum class ForwardKind : std::uint8_t {
  kCommand = 1,
  kEntry = 2,
  kAdmin = 3,
  kWait = 4,
  kReadIndex = 5
};

class Session;
class ClientConn;

struct Node::Impl {
  explicit Impl(NodeOptions o) : opt(std::move(o)), random(opt.id * 7919 + NowMs()) {}

  static std::int64_t NowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  std::int64_t MonoMs() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }
  bool is_leader() const { return raft->role() == raft::Role::kLeader; }
  // node.cc: a stop begins with a leadership hand-over if this node leads.
  void BeginStop();
  void FinishStop();

  // --- driver.cc: the Raft loop ---
  Status StartRaft();
  void Tick();
  void ScheduleReady();
  void StartPersist();
  void ProcessReady();
  void ProposeQueued();
  void ApplyReady(raft::Ready& rd);  // moves rd.committed_entries into apply_queue
  void ApplyQueued();
  void FinishReady(const raft::Ready& rd);
  // Applies entries in order; the replies owed to waiting writers are
  // appended to *replies (sent by the caller once the store is written).
  void ApplyCommitted(const std::vector<raft::Entry>& entries,
                      std::vector<std::pair<Done, Reply>>* replies);
  void OnSoftState(const raft::SoftState& s);
  void OnPeerFrame(raft::NodeId from, net::Frame frame);
  void ServeAppliedReads();
  void ExpireWaiters();
  void MaybeProposeExpiry();
  bool expiry_in_flight = false;  // a kExpireUpTo entry awaits its reply
  void FailAll(std::string_view error);

  // --- snapshot_driver.cc: checkpoints, compaction, InstallSnapshot ---
  Status OpenStateMachine();
  // Checkpoints the state machine now and compacts the log below it;
  // returns the index the snapshot covers. FailedPrecondition without a
  // data_dir. (POST /v1/snapshot, `cairn ctl snapshot`.)
  Result<raft::Index> TriggerSnapshot();
  void MaybeSnapshot();
  void AfterSnapshot(const CheckpointInfo& cp);
  void JoinSnapshotThread();
  void StartSnapshotSend(const raft::Message& m);
  void PumpSnapshotSend(raft::NodeId to);
  void EndSnapshotSend(raft::NodeId to, bool ok);
  void SendSnapshotResume(raft::NodeId to);
  void CheckSnapshotSends();
  void OnSnapshotChunk(raft::NodeId from, std::string_view payload);
  void OnSnapshotAck(raft::NodeId from, std::string_view payload);
  Status InstallReceivedSnapshot(const snapshot::SnapshotId& id);

  // --- requests.cc: executing kv commands with the right consistency ---
  void ExecuteCommand(std::vector<std::string> args, const ReadPolicy& policy, Done done);
  void ExecuteRead(kv::Op op, const std::vector<std::string>& args, const ReadPolicy& policy,
                   Done done);
  void ExecuteWrite(const std::vector<std::string>& args, const kv::LogEntry& entry, Done done);
  void ExecuteEntry(const kv::LogEntry& entry, Done done);
  void ProposeEntry(const kv::LogEntry& entry, Done done);
  void ProposeBytes(std::string data, Done done);
  void ServeRead(kv::Op op, const ReadPolicy& policy, Done done);
  // Strong reads that all arrived before this call (one connection's batch,
  // session.cc), confirmed by one ReadIndex request: its commit index covers
  // every write acknowledged before any of them arrived. Leader only (the
  // caller checks). `done` as for PendingRead.
  void ReadIndexGroup(std::vector<kv::Op> ops, Done done);
  // Whether `policy` lets this node answer a read from its own state right
  // now, without forwarding or waiting: a lease read on a leader whose lease
  // holds and whose state machine has caught up, a session read whose token
  // is applied, a bounded read within its staleness, any eventual read.
  // Strong reads never do (they need a ReadIndex round). May deliver ticks
  // the loop owes (CatchUpTicks).
  bool CanReadNow(const ReadPolicy& policy);
  // Answers a read CanReadNow allowed, from the state machine as it is.
  // `now_ms` is the wall clock the leader judges expiry by (a follower uses
  // its applied clock). Does not count metrics.reads_total.
  resp::Value ReadNow(const kv::Op& op, const ReadPolicy& policy, std::int64_t now_ms);
  // wait_ms: how much longer than request_timeout_ms the origin waits for
  // the answer (a WAIT's own timeout); -1: until the leader changes.
  void Forward(ForwardKind kind, std::string body, Done done, bool admin = false,
               std::int64_t wait_ms = 0);
  void OnForward(raft::NodeId from, std::string_view payload);
  void OnForwardReply(std::string_view payload);

  // --- members.cc: addresses, membership changes, leadership transfer ---
  void LearnAddresses(const raft::Entry& e);
  void SyncPeers();
  void MaybeSyncPeers();
  void OnRemovalApplied(const raft::Entry& e);
  // The cluster record (net/cluster_record.h) saved with the state machine:
  // Save before applying configuration entry `e` (same batch); Load at start
  // and after a snapshot install (learns the addresses it lists; nullopt if
  // none was ever saved; Corruption if it does not decode).
  void SaveClusterRecord(const raft::Entry& e);
  Result<std::optional<net::ClusterRecord>> LoadClusterRecord();
  void OnHello(raft::NodeId from, const std::string& address);
  void MaybePromoteLearners();
  raft::NodeId PickTransferTarget() const;
  void CheckTransfers();
  void AddMember(const AddMemberRequest& r, http::Respond done);
  void RemoveMember(raft::NodeId id, http::Respond done);
  void TransferLeader(raft::NodeId to, http::Respond done);
  std::string MembersJson() const;
  std::string MemberAddressText(raft::NodeId id) const;

  // --- tracking_hooks.cc: CLIENT TRACKING (server/tracking.h) ---
  resp::Value ClientTracking(std::uint64_t conn, const std::vector<std::string>& args, bool resp3);
  void TrackRead(std::uint64_t conn, const kv::Op& op);
  void NotifyTracking(std::string_view entry_bytes);
  void SendInvalidations(const Invalidations& inv);
  // Call after the state machine is replaced wholesale (snapshot restore).
  void InvalidateAllTracking();

  // --- blocking.cc: connections waiting in BLPOP, BZPOPMIN... ---
  // Wakes the connections waiting on a key the entry at `index`, just
  // applied, changed (each proposes its pop again). Cheap when none waits.
  void WakeBlocked(std::uint64_t index, std::string_view entry_bytes);

  // --- session.cc / http.cc ---
  // Accepts RESP connections, plain or TLS (`tls_context` set: each one
  // does its handshake, bounded in time, before it becomes a Session).
  asio::awaitable<void> AcceptResp(asio::ip::tcp::acceptor& acceptor,
                                   asio::ssl::context* tls_context);
  asio::awaitable<void> HandshakeThenServe(asio::ip::tcp::socket socket,
                                           asio::ssl::context& tls_context);
  void Serve(ClientConn conn);
  // CLIENT PAUSE on this node: until clients_paused_until_ms (0: no pause),
  // every client's commands (clients_pause_all) or those that may write wait
  // in their sessions (Session::HoldWhilePaused). A new pause extends the
  // end and widens the mode, never shortens or narrows them (as Redis).
  void PauseClients(std::int64_t ms, bool all);
  void UnpauseClients();
  std::int64_t clients_paused_until_ms = 0;
  bool clients_pause_all = false;
  std::set<std::uint64_t> paused_sessions;  // holding a command
  std::unique_ptr<asio::steady_timer> pause_timer;
  asio::awaitable<void> AcceptHttp();
  asio::awaitable<void> ServeHttp(asio::ip::tcp::socket socket);
  void BuildRoutes();
  // Runs `handler` here if this node leads, else forwards the request.
  http::Handler LeaderOnly(http::Handler handler);
  void ForwardAdmin(const http::Request& req, http::Respond done);
  void OnForwardAdmin(std::string_view body, Done reply);
  std::string InfoText(std::string_view section) const;
  std::string StatusJson() const;
  std::string MetricsText() const;

  // Constant after Start().
  const NodeOptions opt;
  asio::io_context io{1};
  Xoshiro256 random;

  std::unique_ptr<LogStore> log_store;
  std::unique_ptr<raft::RawNode> raft;
  std::unique_ptr<kv::StateMachine> sm;
  // What CONFIG SET changes (notify-keyspace-events starts as opt's).
  RuntimeSettings settings{opt.keyspace_events};
  // SLOWLOG: the ops the state machine found slow, timed with this node's
  // clock (kv::StateMachine::OpTimer).
  SlowLog slowlog;
  struct SlowOpTimer : kv::StateMachine::OpTimer {
    explicit SlowOpTimer(SlowLog* log) : log_(log) {}
    std::int64_t NowUs() override;
    void Slow(const kv::Op& op, std::int64_t micros) override;
    SlowLog* log_;
  };
  SlowOpTimer slow_op_timer{&slowlog};
  // Hands a new state machine (at start, after a snapshot install) the
  // node's publish sink, and applies `settings` to it and the slow log.
  void WireStateMachine();
  void ApplySettings();
  RocksEngine* rocks = nullptr;  // sm's engine when there is a data_dir
  std::optional<SnapshotDir> snapshots;
  // Removes replaced checkpoints off the loop (background_remover.h).
  // Declared after `snapshots`, so it is gone before them.
  std::unique_ptr<BackgroundRemover> remover;
  raft::Index last_snapshot_index = 0;
  // LASTSAVE: the Unix time of the last snapshot this node took or
  // installed (the node's start until then, as Redis starts it).
  std::int64_t last_save_unix_s = NowMs() / 1000;
  const std::int64_t started_ms = NowMs();     // INFO's uptime
  std::uint64_t log_bytes_since_snapshot = 0;  // applied entry bytes (snapshot_log_bytes)
  // Automatic checkpoints are written on their own thread (a flush can take
  // longer than an election timeout); one at a time. A result carrying an
  // older generation is ignored (an install closed the store meanwhile).
  std::thread snapshot_thread;
  std::uint64_t snapshot_generation = 0;
  // Leader: snapshots being streamed, by follower.
  struct SnapshotSend {
    raft::Message msg;  // the Raft kSnapshot message, sent once the bytes arrived
    snapshot::SnapshotId id;
    std::unique_ptr<BundleSource> source;
    std::unique_ptr<snapshot::Sender> sender;
    std::int64_t progress_ms = 0;  // monotonic, last ack
    std::uint32_t stalls = 0;
  };
  std::map<raft::NodeId, SnapshotSend> snapshot_sends;
  std::map<raft::NodeId, std::int64_t> snapshot_sent_ms;  // finished sends awaiting Raft's answer
  // Follower: the snapshot being received.
  std::unique_ptr<snapshot::FileChunkSink> snapshot_sink;
  std::unique_ptr<snapshot::Receiver> snapshot_receiver;
  std::unique_ptr<net::Transport> transport;
  std::unique_ptr<asio::steady_timer> tick_timer;
  std::unique_ptr<asio::ip::tcp::acceptor> resp_acceptor;  // null: no plain RESP port
  std::unique_ptr<asio::ip::tcp::acceptor> tls_acceptor;   // null: no TLS port
  std::unique_ptr<asio::ssl::context> tls_context;
  std::size_t tls_handshakes = 0;  // in progress; count against clients_max
  std::unique_ptr<asio::ip::tcp::acceptor> http_acceptor;
  std::unique_ptr<asio::signal_set> signals;
  // The persist thread runs LogStore writes: a batch of Readies at a time,
  // one fsync per batch (StartPersist).
  std::unique_ptr<asio::io_context> persist_io;
  std::unique_ptr<asio::executor_work_guard<asio::io_context::executor_type>> persist_work;
  std::thread persist_thread;
  struct PersistJob {
    std::shared_ptr<raft::Ready> ready;
    bool applied_early;  // its committed entries were applied when it was taken
  };
  std::vector<PersistJob> persist_waiting;  // taken from Raft, not yet handed over
  bool persist_busy = false;                // the persist thread holds a batch
  std::size_t readies_in_flight = 0;        // taken from Raft, not yet Advanced
  // Bounds the Readies (and their memory) queued behind a slow disk.
  static constexpr std::size_t kReadiesInFlightMax = 64;
  // Committed entries handed out by Raft, not applied yet, in log order
  // (ApplyQueued applies them a slice at a time).
  std::deque<raft::Entry> apply_queue;
  bool apply_scheduled = false;
  std::atomic<std::uint64_t> log_syncs{0};  // durable log writes done (counted on the loop)
  bool ready_scheduled = false;
  // Replies held while a handler answers many requests at once (a Ready's
  // applied writes, confirmed reads): a connection whose reply completes
  // meanwhile sends once, when the outermost ReplyHold ends, instead of
  // sending its first reply alone and the rest when that send completes.
  std::uint32_t reply_holds = 0;
  std::vector<std::shared_ptr<Session>> held_flushes;
  class ReplyHold {
   public:
    explicit ReplyHold(Impl& node) : node_(node) { ++node_.reply_holds; }
    ~ReplyHold();  // session.cc: the last one flushes the held connections
    ReplyHold(const ReplyHold&) = delete;
    ReplyHold& operator=(const ReplyHold&) = delete;

   private:
    Impl& node_;
  };
  bool stopping = false;
  // SIGTERM on a leader: leadership is being handed over before the stop.
  bool handing_over = false;
  std::int64_t handover_deadline_ms = 0;
  Freshness freshness;  // how fresh the applied state is (bounded reads)
  bool freshness_probe_in_flight = false;
  // Asks the leader for a read index, noting `now_ms` as when (one at a time).
  void ProbeFreshness(std::int64_t now_ms);
  std::uint64_t ticks = 0;            // Raft ticks delivered so far
  std::int64_t tick_origin_ms = 0;    // MonoMs() when tick 0 was due
  // Delivers every Raft tick that real time says is due (see driver.cc).
  void CatchUpTicks();
  void NoteStall(std::int64_t ms);  // the loop fell an election timeout behind
  std::int64_t last_stall_log_ms = -1000000;
  std::uint64_t stalls_unlogged = 0;

  // Proposals collected between two Ready cycles, proposed as one batch.
  struct Proposal {
    std::string data;
    Done done;
  };
  std::vector<Proposal> proposal_queue;
  struct WriteWaiter {
    raft::Term term;
    Done done;
    std::int64_t deadline_ms;
    // A group entry (kv/log_entry.h): `done` takes an array of the members'
    // replies, in order, and hands each to its own writer; any other reply
    // (an error) goes to them all.
    bool group = false;
  };
  std::map<raft::Index, WriteWaiter> writes;  // by proposed index
  struct PendingRead {
    // One read, or a connection's batch of strong reads (ReadIndexGroup).
    std::vector<kv::Op> ops;
    // One op: its reply. Several: an array of their replies in order, or
    // one error for all of them (timeout, leadership lost).
    Done done;
    std::int64_t deadline_ms;
  };
  // The reply PendingRead::done gets once its reads may be served.
  resp::Value ReadAll(const std::vector<kv::Op>& ops);
  std::uint64_t next_read_id = 1;
  std::unordered_map<std::uint64_t, PendingRead> reads_by_id;  // awaiting a ReadState
  std::multimap<raft::Index, PendingRead> reads_by_index;      // awaiting apply
  struct ForwardWaiter {
    Done done;
    std::int64_t deadline_ms;
    raft::NodeId to;     // the leader it went to
    bool admin = false;  // an admin request: survives a leader change (transfer)
  };
  std::uint64_t next_forward_id = 1;
  std::unordered_map<std::uint64_t, ForwardWaiter> forwards;

  // --- replica_wait.cc: WAIT numreplicas timeout ---
  // Answers `done` with how many other members (voters and learners) hold
  // the log up to `index` durably, once that is at least `replicas` or when
  // `timeout_ms` (0: no limit) runs out. A follower asks the leader, the
  // only node that knows; the count is then the leader's.
  void WaitForReplicas(raft::Index index, std::int64_t replicas, std::int64_t timeout_ms,
                       Done done);
  void LeaderWaitForReplicas(raft::Index index, std::int64_t replicas, std::int64_t timeout_ms,
                             Done done);
  void OnForwardWait(std::string_view body, Done reply);
  // Members other than this leader whose acknowledged log reaches `index`
  // (0 when not leader: only the leader tracks what followers hold).
  std::int64_t ReplicasHolding(raft::Index index) const;
  // Answers the waiters whose count is reached, or (with `now_ms`) whose
  // deadline passed; called after each Ready and each tick. On a step-down
  // every waiter gets the count it last saw (still true: nothing acknowledged
  // is ever lost).
  void ServeReplicaWaiters(std::int64_t now_ms);
  void ReleaseReplicaWaiters();
  struct ReplicaWaiter {
    raft::Index index;
    std::int64_t replicas;
    std::int64_t deadline_ms;  // 0: none
    std::int64_t seen;         // the last count: the answer on a step-down
    Done done;
  };
  std::vector<ReplicaWaiter> replica_waiters;

  // Connections (for INFO clients and CLIENT LIST).
  std::uint64_t next_client_id = 1;
  std::map<std::uint64_t, std::weak_ptr<Session>> sessions;
  TrackingTable tracking;  // CLIENT TRACKING state of those connections
  // CLIENT TRACKING ... REDIRECT id: tracking connection -> where its
  // invalidations go (a connection subscribed to __redis__:invalidate).
  std::map<std::uint64_t, std::uint64_t> tracking_redirects;
  // Default-mode connections that track with OPTIN (true) or OPTOUT (false):
  // their reads are tracked only after CLIENT CACHING yes (OPTIN), or unless
  // after CLIENT CACHING no (OPTOUT). Erased with tracking.
  std::map<std::uint64_t, bool> tracking_optin;
  // Connections in MONITOR mode: each gets a line for every command this
  // node's other clients send (Session::FeedMonitors).
  std::set<std::uint64_t> monitors;
  PubSubTable pubsub;  // SUBSCRIBE / PSUBSCRIBE of those connections
  // The script cache: SHA1 digest (lower-case hex) -> script, filled by
  // SCRIPT LOAD and by EVAL on this node, for EVALSHA here. Node-local, as
  // each Redis server's is; the log carries scripts' text, never digests.
  std::unordered_map<std::string, std::string> scripts;
  static constexpr std::size_t kScriptsFromEvalMax = 10000;  // EVAL adds only below this
  // The state machine's PublishSink: hands an applied PUBLISH to this
  // node's subscribers (session.cc). Set on every state machine opened.
  void DeliverPublished(const std::string& channel, const std::string& message, bool sharded);
  void DeliverInvalidation(std::uint64_t conn, const std::vector<std::string>* keys);
  // Connections waiting in a blocking command, by the keys they wait on.
  std::map<std::string, std::vector<std::uint64_t>, std::less<>> blocked_keys;
  std::uint64_t blocked_clients = 0;  // connections parked now (INFO clients)

  // Membership. `addresses` is how to reach each node we know of: from
  // --peers, from the context of configuration entries in the log, and
  // (while this node is not a member) from the hello of a leader dialling
  // it. The transport dials exactly `dialled`: the members with a known
  // address (plus, while not a member, those hello-learned).
  std::map<raft::NodeId, net::MemberInfo> addresses;
  std::set<raft::NodeId> dialled;
  std::set<raft::NodeId> hello_learned;
  raft::Membership synced_membership;
  bool peers_dirty = true;
  bool was_member = false;
  struct TransferWaiter {
    raft::NodeId target;
    std::int64_t deadline_ms;
    http::Respond done;
  };
  std::vector<TransferWaiter> transfers;
  http::Router router;

  Metrics metrics;
};

}  // namespace cairn::server
