#pragma once
// Session: one RESP client connection (private to src/server).
//
// Commands are parsed as bytes arrive (pipelining); each gets a reply slot in
// arrival order, filled when its request completes (at once, or after Raft),
// and the finished prefix of slots is written out in order. Reading pauses
// while pipeline_commands_max replies are outstanding.
//
// Commands of one connection take effect in order, as in Redis. Writes
// pipeline behind writes (the log orders them) and reads behind reads. A key
// read (GET, MGET, EXISTS, STRLEN, GETRANGE, TYPE, TTL...) that arrives while
// a write of this connection is unanswered goes through the log behind it
// (ReadThroughLog), so it sees it; any other read (SCAN, DBSIZE...) waits
// (with everything after it) until that write is answered. A write waits for
// the reads before it that did not go through the log, which must not see
// it.
//
// Replies leave in as few socket writes as possible: the replies completed
// while a parsed batch is dispatched, or while a Ready is handled (a
// Node::Impl::ReplyHold), go out in one write per connection at its end, and
// a write is one non-blocking send (async_write only for what the socket
// buffer did not take). Reads this node may serve at once (CanReadNow: a
// lease that holds, a session token applied, bounded, eventual) are answered
// inline; the strong reads of a batch share one ReadIndex request.
//
// Connection-level commands are served here (PING, ECHO, AUTH, HELLO, SELECT,
// CLIENT, QUIT, COMMAND, INFO, CONFIG, CONSISTENCY, SESSION); everything else
// goes through kv::Session (MULTI/EXEC/WATCH, parsing), then Node::Impl.
#include <algorithm>
#include <chrono>
#include <deque>
#include <optional>
#include <utility>
#include <vector>

#include "kv/session.h"
#include "resp/request_parser.h"
#include "resp/writer.h"
#include "server/client_conn.h"
#include "server/node_impl.h"

namespace cairn::server {

// The channel CLIENT TRACKING ... REDIRECT sends invalidations to.
inline constexpr std::string_view kInvalidateChannel = "__redis__:invalidate";

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Node::Impl& node, ClientConn conn, std::uint64_t id);
  asio::awaitable<void> Run();
  void Shutdown();  // stop reading; pending replies are still written
  std::string Describe() const;  // one CLIENT LIST line
  // Sends a RESP3 `invalidate` push for `keys` (nullptr: every key); tracking_hooks.cc.
  void PushInvalidate(const std::vector<std::string>* keys);
  // For CLIENT TRACKING REDIRECT: a `message __redis__:invalidate [keys]`
  // (null: everything), if this connection subscribed to that channel.
  void PublishInvalidate(const std::vector<std::string>* keys);
  // A PUBLISHed message this connection subscribed to, by channel (pattern
  // nullptr) or by `*pattern` (pubsub.h): `message` or `pmessage`, a RESP3
  // push or a RESP2 array. It goes out after the replies to every command
  // the connection sent before it arrived (never in the middle of them).
  // MONITOR: a line for a command another connection sent.
  void DeliverMonitorLine(const std::string& line);
  // `sharded`: an SPUBLISH's, sent as `smessage`.
  void DeliverMessage(const std::string* pattern, const std::string& channel,
                      const std::string& message, bool sharded = false);
  // An applied entry wrote a key this connection waits on in a blocking
  // command (blocking.cc): it proposes its pop again.
  void WakeFromBlock();
  // CLIENT UNBLOCK from another connection: ends this connection's blocking
  // command as a timeout (a null array) or with the UNBLOCKED error. A pop
  // already in flight still delivers what it popped. False if not blocked.
  bool Unblock(bool with_error);
  // For CLIENT KILL: "ip:port" of the client, and whether it listens on any
  // channel (TYPE pubsub).
  std::string PeerAddress() const;
  bool InPubSub() const;
  // Closes the connection now: nothing more is read or written. False if
  // it was closed already.
  bool CloseNow();

 private:
  struct Slot {
    bool done = false;
    resp::Protocol protocol = resp::Protocol::kResp2;
    std::string bytes;
    Histogram* latency = nullptr;  // the command's histogram (Metrics::latency_by_command)
    std::chrono::steady_clock::time_point start;
    std::string after;  // pub/sub messages that arrived while this was the last slot
    bool silent = false;  // CLIENT REPLY OFF or SKIP: the reply is not sent
  };

  void Dispatch(std::vector<std::string>& args);
  bool DispatchConnectionCommand(const std::string& name, std::vector<std::string>& args,
                                 std::uint64_t seq);
  void RunKvAction(kv::Session::Action action, std::vector<std::string>& args,
                   std::uint64_t seq);
  void Hello(std::vector<std::string>& args, std::uint64_t seq);
  // AUTH [username] password. With NodeOptions::requirepass set, a new
  // connection (and one after RESET) takes only AUTH, HELLO, QUIT and RESET
  // until it authenticates; the only user is "default", as in Redis
  // without ACLs. A failed attempt leaves the connection as it was.
  void Auth(std::vector<std::string>& args, std::uint64_t seq);
  // EVALSHA / EVALSHA_RO become EVAL / EVAL_RO with the cached script's
  // text (false, answered NOSCRIPT, if this node has none); EVAL adds its
  // script to the cache.
  bool ResolveScript(std::string* name, std::vector<std::string>& args, std::uint64_t seq);
  // SCRIPT LOAD | EXISTS | FLUSH | KILL, on this node's cache.
  void Script(std::vector<std::string>& args, std::uint64_t seq);
  // Checks a username (nullptr: "default") and password, counting a
  // failure; false after completing `seq` with the error.
  bool Authenticate(const std::string* user, const std::string& password, std::uint64_t seq);
  bool PasswordMatches(const std::string* user, const std::string& password);
  static resp::Value WrongPass();
  void Client(std::vector<std::string>& args, std::uint64_t seq);
  // CLIENT KILL ip:port | CLIENT KILL [ID id] [ADDR ip:port] [TYPE t] [SKIPME yes|no]...
  void ClientKill(std::vector<std::string>& args, std::uint64_t seq);
  resp::Value ClientTrackingInfo() const;
  // Sends `args` (a command this connection sent) to the MONITOR
  // connections, as Redis prints it: time, [db addr], quoted arguments,
  // with AUTH's and HELLO ... AUTH's secrets redacted.
  void FeedMonitors(const std::vector<std::string>& args);
  // Something this connection did not ask for (a pub/sub message, a
  // MONITOR line): after the replies to what it did ask for before, and
  // cut off past 32 MiB unsent (Redis's pubsub output limit).
  void DeliverUnsolicited(const resp::Value& value, std::size_t bytes);
  // WAIT numreplicas timeout: behind this connection's unanswered writes
  // (deferred like a read), then asks the node (replica_wait.cc) about the
  // session token, which covers every write answered on this connection.
  void Wait(std::vector<std::string>& args, std::uint64_t seq);
  void SetConsistency(std::vector<std::string>& args, std::uint64_t seq);
  // SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE (`name`, lower case):
  // one confirmation per channel or pattern, all in this command's slot.
  void Subscribe(const std::string& name, std::vector<std::string>& args, std::uint64_t seq);
  void PubSub(std::vector<std::string>& args, std::uint64_t seq);
  void ResetConnection(std::uint64_t seq);
  void DefaultConsistency();  // the level new connections get (node option)
  // A RESP2 connection with a subscription takes only the pub/sub
  // commands, PING, QUIT and RESET (Redis's rule: its replies and messages
  // share one stream). True if `name` was refused.
  bool RefusedWhileSubscribed(const std::string& name, std::vector<std::string>& args,
                              std::uint64_t seq);
  // PUBLISH's reply is the count of subscribers on the node that took it
  // (as in Redis Cluster), counted here and carried in the op (kv/op.h).
  void CountReceivers(kv::LogEntry* entry) const;
  // Answers a read on the spot when its level lets this node serve it from
  // its own state now (Node::Impl::CanReadNow); false: it must go through
  // Node::Impl::ExecuteRead (forwarded, or waiting for Raft).
  bool ReadHere(const kv::Op& op, std::uint64_t seq);
  // A key read behind this connection's unanswered writes (session.cc);
  // collected while a batch is dispatched, proposed by SubmitLogReads before
  // the connection's next write or at the batch's end, as one transaction
  // entry of reads.
  void ReadThroughLog(kv::Op op, std::uint64_t seq);
  void SubmitLogReads();
  static constexpr std::size_t kLogReadsPerEntryMax = 1024;
  static constexpr std::size_t kLogReadBytesPerEntryMax = 1u << 20;  // key bytes
  std::vector<kv::Op> log_read_ops_;
  std::vector<std::uint64_t> log_read_seqs_;
  std::size_t log_read_bytes_ = 0;
  // Strong reads collected while a batch is dispatched (this node being the
  // leader), sent as one ReadIndexGroup when the batch ends.
  void SubmitStrongReads();
  std::vector<kv::Op> strong_ops_;
  std::vector<std::uint64_t> strong_seqs_;
  // The completion of a kv read or write: also releases a command deferred
  // behind it. `finish` turns the reply into the client's (EXEC).
  Done Answer(std::uint64_t seq, bool write, std::function<resp::Value(Reply)> finish = nullptr);
  // The session token (SESSION) covers every state this connection was
  // answered from: its writes' indices and the applied index of each read,
  // so another node given the token shows neither older writes of its own
  // nor an older state than one it already read (monotonic reads).
  void AdvanceToken(std::uint64_t index) {
    policy_.session_index = std::max(policy_.session_index, index);
  }
  void Answered(bool write);
  void Complete(std::uint64_t seq, const resp::Value& value);
  // Several replies for one command (SUBSCRIBE a b c), in order.
  void CompleteAll(std::uint64_t seq, const std::vector<resp::Value>& values);
  // The histogram for a command name (lower case). Names the server does not
  // know share "unknown", so clients cannot grow the metrics without bound.
  Histogram* LatencyFor(const std::string& name);
  void Flush();
  // Flush, or, while replies are held (dispatching, or a ReplyHold), once
  // the hold ends: one send for everything the hold gathered.
  void FlushSoon();
  // Sends what a Node::Impl::ReplyHold held back (its destructor calls this).
  void FlushHeld();
  friend class Node::Impl::ReplyHold;

  Node::Impl& node_;
  ClientConn conn_;  // plain TCP or TLS
  const std::uint64_t id_;
  std::string name_;
  // CLIENT REPLY: kOff drops every command's reply from the next command
  // on; kSkip drops the next command's only. Pub/sub messages,
  // invalidations and MONITOR lines still arrive.
  enum class ReplyMode : std::uint8_t { kOn, kOff, kSkip } reply_mode_ = ReplyMode::kOn;
  // CLIENT CACHING yes|no was given for the next command (OPTIN / OPTOUT
  // tracking; kept through MULTI until EXEC, and past CLIENT commands, as
  // Redis keeps it), and whether the command being run has its key reads
  // tracked (decided as it is dispatched; a deferred command keeps it).
  bool caching_given_ = false;
  bool track_reads_ = true;
  void TrackReadIfAsked(const kv::Op& op);
  bool authenticated_;  // false until AUTH while the node has a requirepass
  resp::Protocol protocol_ = resp::Protocol::kResp2;
  ReadPolicy policy_;
  // The highest log index among this connection's answered writes: what
  // WAIT counts copies of (reads advance the session token, not this).
  std::uint64_t written_index_ = 0;
  resp::RequestParser parser_;

  kv::Session kv_;  // MULTI/EXEC/WATCH state and command classification

  std::deque<Slot> slots_;
  std::uint64_t first_seq_ = 0;  // sequence number of slots_.front()
  std::string out_;              // finished replies not yet handed to the socket
  std::string writing_;          // the buffer of the write in flight
  bool write_in_flight_ = false;
  bool close_after_flush_ = false;
  bool closed_ = false;
  asio::steady_timer resume_;  // wakes the reader when the backlog drains
  // While a Complete runs inside the dispatch loop of Run, replies are only
  // queued: Run flushes once per batch of parsed commands (one send, not one
  // per reply).
  bool dispatching_ = false;
  bool flush_held_ = false;  // queued in node_.held_flushes
  // Read once per parsed batch (Run): the arrival time of its commands and
  // the wall clock their kv::Session sees, instead of a clock read each (as
  // Redis reads its clock once per event-loop pass). A write's expiry is
  // thus computed from when its batch arrived.
  std::chrono::steady_clock::time_point batch_start_;
  std::int64_t batch_now_ms_ = 0;
  // The lease, checked at the batch's first lease read (ReadHere).
  std::optional<bool> lease_held_;  // nullopt: not checked in this batch yet
  // Replies completed while dispatching leave with the batch's one send:
  // their latency is observed then, with one clock read for all.
  std::vector<std::pair<Histogram*, std::chrono::steady_clock::time_point>> unobserved_;
  void ObserveBatchLatencies();
  std::uint32_t writes_in_flight_ = 0;  // this connection's unanswered writes
  std::uint32_t reads_in_flight_ = 0;   // ... and reads
  // A command waiting for the other kind to be answered; parsing pauses meanwhile.
  struct Deferred {
    // kCommand carries the kv action to run when released; WATCH, WAIT and
    // SESSION are handled from their arguments then.
    enum class What { kCommand, kWatch, kWait, kSession };
    What what;
    std::optional<kv::Session::Action> action;  // set for kCommand only
    std::vector<std::string> args;
    std::uint64_t seq;
    bool track_reads = true;  // track_reads_ when it was dispatched
  };
  std::optional<Deferred> deferred_;
  // A blocking command (BLPOP, BZPOPMIN, BLMOVE...) outside MULTI, from its
  // first proposal until it is answered (blocking.cc). Its op answers null
  // when there is nothing to pop; the connection then waits, parsing
  // nothing more (as Redis's blocked client), until an applied entry writes
  // one of `keys` (Node::Impl::WakeBlocked) and the op is proposed again, or
  // until the timeout, which answers a null array. A pop that succeeded is
  // always delivered, even past the timeout. XREAD ... BLOCK waits the same
  // way with a read (`read`, `op`) instead of a proposal.
  struct Blocked {
    std::uint64_t seq = 0;
    std::vector<std::string> args;
    kv::LogEntry entry;
    bool read = false;  // XREAD BLOCK: `op` is read again, on this connection's level
    kv::Op op;
    std::vector<std::string> keys;  // the keys whose writes may unblock it
    bool parked = false;            // waiting for a wake-up (no proposal in flight)
    bool timed_out = false;
    bool unblock_error = false;  // CLIENT UNBLOCK ... ERROR: end with UNBLOCKED, not null
  };
  std::optional<Blocked> blocked_;
  asio::steady_timer block_timer_;
  // Starts a blocking command: proposes it with BlockedAnswer.
  void StartBlocking(std::uint64_t seq, std::vector<std::string>& args, kv::LogEntry entry,
                     std::int64_t timeout_ms);
  // XREAD ... BLOCK: first pins each "$" to the stream's last ID on this
  // node (once this connection's own writes have applied here), then reads.
  void StartBlockingRead(std::uint64_t seq, std::vector<std::string>& args, kv::Op op,
                         std::int64_t timeout_ms);
  void ArmBlockTimer(std::uint64_t seq, std::int64_t timeout_ms);
  void ProposeBlocked();
  Done BlockedAnswer();
  // The reply that ends a wait with nothing popped (timeout or CLIENT UNBLOCK).
  resp::Value EndOfWait() const;
  void Park(std::uint64_t answered_index);
  void Unpark();
  void FinishBlocked(const resp::Value& value);
  // While blocked, Run does not read: this watches the socket instead, so a
  // client that goes away ends its wait (and is never served a pop), and
  // what it sends meanwhile waits in the parser.
  void WatchWhileBlocked();
  // CLIENT PAUSE (node_impl.h): holds `args` if the pause covers them.
  bool HoldWhilePaused(std::vector<std::string>& args);
  std::optional<std::vector<std::string>> held_;  // the command a pause holds

 public:
  // The pause ended: runs the held command, and Run reads on.
  void ReleaseHeld();

 private:
  // Must a read (or a write) wait for this connection's other kind?
  bool MustWait(bool read) const;
  std::uint64_t commands_ = 0;
  std::string last_command_;  // LatencyFor's one-entry memo
  Histogram* last_latency_ = nullptr;
};

}  // namespace cairn::server
