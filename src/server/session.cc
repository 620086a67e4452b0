#include "server/session.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>
#include <string_view>

#include "common/secret.h"
#include "common/sha1.h"
#include "kv/command_table.h"
#include "kv/errors.h"
#include "kv/parse.h"
#include "kv/subcommand_help.h"
#include "server/acl_command.h"
#include "server/client_conn.h"
#include "server/config_command.h"
#include "server/latency_command.h"

namespace cairn::server {
namespace {

// ASCII only, like Redis's command lookup (and no locale call per byte).
std::string Lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

resp::Value Ok() { return resp::Value::Simple("OK"); }

resp::RequestLimits Limits(const NodeOptions& o) {
  resp::RequestLimits l;
  l.bulk_bytes_max = o.bulk_bytes_max;
  l.request_bytes_max = o.request_bytes_max;
  return l;
}

}  // namespace

Session::Session(Node::Impl& node, ClientConn conn, std::uint64_t id)
    : node_(node),
      conn_(std::move(conn)),
      id_(id),
      authenticated_(node.opt.requirepass.empty()),
      parser_(Limits(node.opt)),
      resume_(node.io),
      block_timer_(node.io) {
  DefaultConsistency();
}

void Session::Shutdown() {
  conn_.ShutdownReceive();
  close_after_flush_ = true;
  if (blocked_ && blocked_->parked) {  // waiting in BLPOP...: told, not cut off
    Unpark();
    FinishBlocked(resp::Value::Error("TIMEOUT server is shutting down"));
  }
  Flush();
}

std::string Session::Describe() const {
  boost::system::error_code ec;
  auto ep = conn_.RemoteEndpoint(ec);
  return fmt::format("id={} addr={}:{} name={} db=0 sub={} psub={} ssub={} resp={} cmds={}", id_,
                     ec ? "?" : ep.address().to_string(), ec ? 0 : ep.port(), name_,
                     node_.pubsub.ChannelsOf(id_).size(), node_.pubsub.PatternsOf(id_).size(),
                     node_.pubsub.ShardSubscriptionsOf(id_), static_cast<int>(protocol_),
                     commands_);
}

void Session::DefaultConsistency() {
  policy_.level = Consistency::kStrong;
  policy_.bounded_ms = 0;
  if (node_.opt.default_consistency == "lease") policy_.level = Consistency::kLease;
  if (node_.opt.default_consistency == "eventual") policy_.level = Consistency::kEventual;
}

// RESET: the connection as a new one would be, except its session token
// (a causal promise already made) and its unanswered commands, which are
// still answered in order: out of MULTI, nothing WATCHed, no tracking, no
// subscriptions, RESP2, no name, the node's default consistency.
void Session::ResetConnection(std::uint64_t seq) {
  kv_ = kv::Session();
  node_.tracking.Disable(id_);
  node_.tracking_redirects.erase(id_);
  node_.tracking_optin.erase(id_);
  caching_given_ = false;
  node_.pubsub.Drop(id_);
  node_.monitors.erase(id_);
  protocol_ = resp::Protocol::kResp2;
  name_.clear();
  DefaultConsistency();
  authenticated_ = node_.opt.requirepass.empty();  // logged out, as in Redis
  Complete(seq, resp::Value::Simple("RESET"));
}

asio::awaitable<void> Session::Run() {
  std::vector<char> buf(16 << 10);
  std::vector<std::string> args;
  const std::size_t backlog_max = node_.opt.pipeline_commands_max;
  bool speculate = true;  // net/read_when_ready.h
  // Bytes read since this coroutine last let the loop run anything else.
  constexpr std::size_t kReadBytesBeforeYield = 256 << 10;
  std::size_t read_since_yield = 0;
  while (!closed_ && !close_after_flush_) {
    // Serve every complete command already buffered (up to the backlog
    // bound) before reading more: a pipeline larger than the bound must not
    // wait for bytes the client has already sent.
    dispatching_ = true;
    batch_start_ = std::chrono::steady_clock::now();
    batch_now_ms_ = Node::Impl::NowMs();
    lease_held_.reset();
    while (!close_after_flush_ && slots_.size() < backlog_max && !deferred_ && !blocked_ &&
           !held_) {
      auto next = parser_.Next(&args);
      if (!next.ok()) {
        // The stream cannot be re-framed: answer, then close (as Redis does).
        std::uint64_t seq = first_seq_ + slots_.size();
        slots_.push_back(Slot{false, protocol_, {}, LatencyFor("protocol_error"), batch_start_});
        Complete(seq, resp::Value::Error(next.status().message()));
        close_after_flush_ = true;
        break;
      }
      if (!*next) break;
      Dispatch(args);
    }
    SubmitLogReads();
    // A group answered at once (an error) could release a command that joins
    // a new group; that one is sent too (its reads also arrived before it).
    while (!strong_ops_.empty()) SubmitStrongReads();
    dispatching_ = false;
    Flush();
    ObserveBatchLatencies();
    if (close_after_flush_ || closed_) break;
    if (slots_.size() >= backlog_max || deferred_ || blocked_ || held_) {
      resume_.expires_at(asio::steady_timer::time_point::max());
      boost::system::error_code ignored;
      co_await resume_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
      speculate = true;
      continue;
    }
    if (read_since_yield >= kReadBytesBeforeYield) {
      // A client with megabytes already queued would otherwise be read to
      // the end in one go (a read that fills the buffer is followed by
      // another at once): ticks, peers' messages and other clients wait
      // behind it, long enough to cost the cluster its leader.
      read_since_yield = 0;
      co_await asio::post(node_.io, asio::use_awaitable);
      speculate = true;
    }
    boost::system::error_code ec;
    std::size_t n = co_await conn_.Read(asio::buffer(buf), &speculate, ec);
    if (ec) break;
    read_since_yield = speculate ? read_since_yield + n : 0;  // 0: the next read waits
    node_.metrics.client_bytes_in_total += n;
    parser_.Feed(std::string_view(buf.data(), n));
  }
  close_after_flush_ = true;
  Flush();
  if (blocked_) {  // a pop in flight, if any, is not delivered
    Unpark();
    blocked_.reset();
    block_timer_.cancel();
  }
  node_.sessions.erase(id_);
  node_.tracking.Disable(id_);
  node_.tracking_redirects.erase(id_);
  node_.tracking_optin.erase(id_);
  node_.pubsub.Drop(id_);
  node_.monitors.erase(id_);
  --node_.metrics.clients_connected;
}

// Commands CLIENT PAUSE WRITE holds: those that may change the data or
// reach other clients (Redis's "may replicate" commands).
namespace {
bool MayWrite(const std::string& name) {
  if (name == "eval" || name == "evalsha" || name == "exec" || name == "publish" ||
      name == "spublish" || name == "pfcount" || name == "wait") {
    return true;
  }
  const kv::CommandSpec* spec = kv::FindCommand(name);
  return spec != nullptr && (spec->flags & kv::kCmdWrite) != 0;
}
}  // namespace

// CLIENT PAUSE: a command the pause covers waits, unparsed further, with
// everything this connection sent after it (so replies keep their order),
// until Node::Impl::UnpauseClients releases it. CLIENT UNPAUSE itself is
// never held, nor is anything a connection sends before it authenticates
// (it is answered NOAUTH, or is the AUTH, as in Redis).
bool Session::HoldWhilePaused(std::vector<std::string>& args) {
  if (Node::Impl::NowMs() >= node_.clients_paused_until_ms || !authenticated_) return false;
  const std::string name = Lower(args[0]);
  if (name == "client" && args.size() == 2 && Lower(args[1]) == "unpause") return false;
  if (!node_.clients_pause_all && !MayWrite(name)) return false;
  held_ = std::move(args);
  node_.paused_sessions.insert(id_);
  return true;
}

void Session::ReleaseHeld() {
  if (!held_ || closed_) return;
  std::vector<std::string> args = std::move(*held_);
  held_.reset();
  // The command runs now: its clock is now's, not the time it arrived.
  batch_start_ = std::chrono::steady_clock::now();
  batch_now_ms_ = Node::Impl::NowMs();
  lease_held_.reset();  // a lease checked before the pause proves nothing now
  Dispatch(args);
  resume_.cancel();  // Run goes on with what came after it
}

void Session::Dispatch(std::vector<std::string>& args) {
  if (node_.clients_paused_until_ms != 0 && HoldWhilePaused(args)) return;
  ++commands_;
  ++node_.metrics.commands_total;
  std::string name = Lower(args[0]);
  std::uint64_t seq = first_seq_ + slots_.size();
  slots_.push_back(Slot{false, protocol_, {}, LatencyFor(name), batch_start_});
  track_reads_ = true;
  if (!node_.tracking_optin.empty()) {  // (no map lookup per command otherwise)
    if (auto opt = node_.tracking_optin.find(id_); opt != node_.tracking_optin.end()) {
      track_reads_ = opt->second == caching_given_;  // OPTIN: only with YES; OPTOUT: unless NO
    }
  }
  // CLIENT CACHING's flag covers the next command: kept through MULTI
  // (until EXEC) and past CLIENT commands, as in Redis.
  struct ClearCaching {
    Session* s;
    const std::string& name;
    ~ClearCaching() {
      if (s->caching_given_ && !s->kv_.in_multi() && name != "client") s->caching_given_ = false;
    }
  } clear_caching{this, name};
  if (reply_mode_ != ReplyMode::kOn) {
    slots_.back().silent = true;
    if (reply_mode_ == ReplyMode::kSkip) reply_mode_ = ReplyMode::kOn;
  }
  if (!authenticated_ && name != "auth" && name != "hello" && name != "quit" && name != "reset") {
    return Complete(seq, resp::Value::Error("NOAUTH Authentication required."));
  }
  if (!node_.monitors.empty() && name != "monitor") FeedMonitors(args);
  if (RefusedWhileSubscribed(name, args, seq)) return;
  if (name.size() >= 4 && name.compare(0, 4, "eval") == 0 && !ResolveScript(&name, args, seq)) {
    return;
  }
  // Connection commands first (outside MULTI; QUIT, RESET and AUTH always),
  // then kv::Session.
  if ((name == "quit" || name == "reset" || name == "auth" || !kv_.in_multi()) &&
      DispatchConnectionCommand(name, args, seq)) {
    return;
  }
  // WATCH reads key versions as it is handled: behind this connection's
  // unanswered writes it waits like a read, so it sees them.
  if (name == "watch" && !kv_.in_multi() && MustWait(/*read=*/true)) {
    deferred_ = Deferred{Deferred::What::kWatch, std::nullopt, args, seq};
    return;
  }
  kv::Session::Action action = kv_.Handle(args, batch_now_ms_, *node_.sm);
  RunKvAction(std::move(action), args, seq);
}

bool Session::MustWait(bool read) const {
  return read ? writes_in_flight_ > 0 : reads_in_flight_ > 0;
}

void Session::RunKvAction(kv::Session::Action action, std::vector<std::string>& args,
                          std::uint64_t seq) {
  switch (action.kind) {
    case kv::Session::Kind::kReply:
      return Complete(seq, action.reply);
    case kv::Session::Kind::kServer: {
      std::size_t shown = std::min<std::size_t>(args.size() - 1, 3);
      return Complete(seq, resp::Value::Error(
                               kv::errors::UnknownCommand(args[0], args.data() + 1, shown)));
    }
    case kv::Session::Kind::kRead:
    case kv::Session::Kind::kPropose:
      break;
  }
  // Reads run behind reads and writes behind writes; a switch between the
  // two waits until the other kind is all answered (session.h), except a key
  // read behind writes, which goes through the log behind them.
  const bool read = action.kind == kv::Session::Kind::kRead;
  // XREAD ... BLOCK waits (blocking.cc); behind this connection's writes it
  // is deferred like any read, not sent through the log, where it could not.
  std::optional<std::int64_t> block_ms;
  if (read && action.op.code == kv::OpCode::kXRead) block_ms = kv::BlockingTimeoutMs(args);
  // (A transaction entry accepts exactly the key reads, well formed.)
  if (read && !block_ms && MustWait(read) &&
      kv::ValidateOp(action.op, kv::EntryKind::kTransaction).ok()) {
    return ReadThroughLog(std::move(action.op), seq);
  }
  if (MustWait(read)) {
    deferred_ = Deferred{Deferred::What::kCommand, std::move(action), args, seq, track_reads_};
    return;  // Run stops parsing until Answered releases it
  }
  if (read) {
    TrackReadIfAsked(action.op);
    if (block_ms) return StartBlockingRead(seq, args, std::move(action.op), *block_ms);
    if (ReadHere(action.op, seq)) return;
    ++reads_in_flight_;
    if (dispatching_ && policy_.level == Consistency::kStrong && node_.is_leader()) {
      // Confirmed together with the batch's other strong reads (SubmitStrongReads).
      ++node_.metrics.reads_total;
      strong_ops_.push_back(std::move(action.op));
      strong_seqs_.push_back(seq);
      return;
    }
    return node_.ExecuteRead(std::move(action.op), args, policy_, Answer(seq, false));
  }
  SubmitLogReads();  // the reads before this write enter the log before it
  ++writes_in_flight_;
  // (A PUBLISH goes as its entry, so a follower forwards the count with it.)
  const bool publish = action.entry.kind == kv::EntryKind::kBatch && action.entry.ops.size() == 1 &&
                       action.entry.ops[0].code == kv::OpCode::kPublish;
  if (publish || action.entry.kind != kv::EntryKind::kBatch) CountReceivers(&action.entry);
  if (publish) return node_.ExecuteEntry(action.entry, Answer(seq, true));
  if (action.entry.kind == kv::EntryKind::kBatch) {
    // (Outside MULTI: EXEC's entry is a transaction, where they do not block.)
    const char first = args[0].empty() ? '\0' : args[0][0];
    if (first == 'b' || first == 'B' || first == 'x' || first == 'X') {  // BLPOP..., XREADGROUP
      if (auto timeout = kv::BlockingTimeoutMs(args)) {
        return StartBlocking(seq, args, std::move(action.entry), *timeout);
      }
    }
    return node_.ExecuteWrite(args, action.entry, Answer(seq, true));
  }
  // EXEC: the keys its reads read are tracked, as a lone read's are.
  for (const kv::Op& op : action.entry.ops) {
    if (!kv::IsWrite(op.code)) TrackReadIfAsked(op);
  }
  auto shared = std::make_shared<kv::Session::Action>(std::move(action));
  node_.ExecuteEntry(shared->entry, Answer(seq, true, [shared](Reply r) {
                       std::vector<resp::Value> applied;
                       applied.push_back(std::move(r.value));
                       return kv::Session::FinishReply(*shared, std::move(applied));
                     }));
}

void Session::TrackReadIfAsked(const kv::Op& op) {
  if (track_reads_ && node_.tracking.IsTracking(id_)) node_.TrackRead(id_, op);
}

// A key read pipelined behind this connection's unanswered writes: proposed
// after them in a transaction entry of reads, it is applied after them (so
// it sees them) and before any write this connection sends later (so it
// does not see those), on every level; and it is linearizable, as a read at
// its place in the log. It counts as a write of the connection: later
// writes pipeline behind it, and a later read comes through the log too
// while it is unanswered. Waiting for the writes' replies and then for a
// ReadIndex round instead would cost a pipeline of alternating SET and GET
// two Raft rounds per pair. Consecutive such reads of one parsed batch share
// one entry (SubmitLogReads), as its strong reads share one ReadIndex.
void Session::ReadThroughLog(kv::Op op, std::uint64_t seq) {
  TrackReadIfAsked(op);
  ++node_.metrics.reads_total;
  ++node_.metrics.log_reads_total;
  ++writes_in_flight_;
  for (const std::string& a : op.args) log_read_bytes_ += a.size();
  log_read_ops_.push_back(std::move(op));
  log_read_seqs_.push_back(seq);
  if (!dispatching_ || log_read_ops_.size() >= kLogReadsPerEntryMax ||
      log_read_bytes_ >= kLogReadBytesPerEntryMax) {
    SubmitLogReads();
  }
}

void Session::SubmitLogReads() {
  if (log_read_ops_.empty()) return;
  kv::LogEntry entry;
  entry.kind = kv::EntryKind::kTransaction;
  entry.now_ms = dispatching_ ? batch_now_ms_ : Node::Impl::NowMs();
  entry.ops.swap(log_read_ops_);  // emptied before the call, which may answer at once
  std::vector<std::uint64_t> seqs;
  seqs.swap(log_read_seqs_);
  log_read_bytes_ = 0;
  node_.ExecuteEntry(entry, [self = shared_from_this(), seqs = std::move(seqs)](Reply r) {
    const std::size_t n = seqs.size();
    self->AdvanceToken(r.index);
    // Applied: an array of the reads' replies. Anything else is an error for
    // the whole entry (no leader...), and so the reply of each read.
    const bool each = r.value.type == resp::Type::kArray && r.value.elems.size() == n;
    for (std::size_t i = 0; i < n; ++i) {
      self->Complete(seqs[i], each ? r.value.elems[i] : r.value);
      self->Answered(/*write=*/true);
    }
  });
}

bool Session::ReadHere(const kv::Op& op, std::uint64_t seq) {
  bool here;
  if (policy_.level == Consistency::kLease && dispatching_) {
    // One lease check serves the batch: every read in it arrived before the
    // check, and nothing applies until the batch is dispatched, so each is
    // answered with the state that was current (and committed) at the check.
    if (!lease_held_) lease_held_ = node_.CanReadNow(policy_);
    here = *lease_held_;
  } else {
    here = node_.CanReadNow(policy_);
  }
  if (!here) return false;
  ++node_.metrics.reads_total;
  Complete(seq, node_.ReadNow(op, policy_, dispatching_ ? batch_now_ms_ : Node::Impl::NowMs()));
  AdvanceToken(node_.sm->applied_index());
  return true;
}

// The batch's strong reads all arrived before this one ReadIndex request is
// made (they were read from the socket before the batch was parsed, and the
// request is made after it), so its commit index covers every write
// acknowledged before any of them arrived, and its confirming round starts
// after all of them: each read is linearizable, as with a request of its own.
void Session::SubmitStrongReads() {
  if (strong_ops_.empty()) return;
  std::vector<kv::Op> ops;
  std::vector<std::uint64_t> seqs;
  ops.swap(strong_ops_);  // both emptied before the call, which may answer at once
  seqs.swap(strong_seqs_);
  const std::size_t n = ops.size();
  node_.ReadIndexGroup(std::move(ops), [self = shared_from_this(), seqs = std::move(seqs),
                                        n](Reply r) {
    // n > 1: an array of the replies, or one error for all (PendingRead).
    const bool each = n > 1 && r.value.type == resp::Type::kArray;
    CAIRN_CHECK(!each || r.value.elems.size() == n, "a read group answered with the wrong count");
    self->AdvanceToken(r.index);
    for (std::size_t i = 0; i < n; ++i) {
      self->Complete(seqs[i], each ? r.value.elems[i] : r.value);
      self->Answered(false);
    }
  });
}

Done Session::Answer(std::uint64_t seq, bool write, std::function<resp::Value(Reply)> finish) {
  return [self = shared_from_this(), seq, write, finish = std::move(finish)](Reply r) {
    self->AdvanceToken(r.index);
    if (write) self->written_index_ = std::max(self->written_index_, r.index);
    if (finish) {
      self->Complete(seq, finish(std::move(r)));
    } else {
      self->Complete(seq, r.value);
    }
    self->Answered(write);
  };
}

// A write is answered once applied on the leader (and the session token
// covers it), so a strong, lease or session read started after it sees it;
// a read is answered from the state it read, so a write started after it
// cannot show in it.
void Session::Answered(bool write) {
  std::uint32_t& in_flight = write ? writes_in_flight_ : reads_in_flight_;
  CAIRN_CHECK(in_flight > 0, "a request answered twice");
  --in_flight;
  if (deferred_ && deferred_->what == Deferred::What::kSession) {
    if (writes_in_flight_ > 0 || reads_in_flight_ > 0) return;
    const std::uint64_t seq = deferred_->seq;
    deferred_.reset();
    Complete(seq, resp::Value::Int(static_cast<std::int64_t>(policy_.session_index)));
    resume_.cancel();  // Run resumes parsing
    return;
  }
  // A deferred WATCH or WAIT waits like a read.
  if (!deferred_ || MustWait(deferred_->what != Deferred::What::kCommand ||
                             deferred_->action->kind == kv::Session::Kind::kRead)) {
    return;
  }
  Deferred d = std::move(*deferred_);
  deferred_.reset();
  if (d.what == Deferred::What::kWait) {
    Wait(d.args, d.seq);
    resume_.cancel();
    return;
  }
  if (d.what == Deferred::What::kWatch)
    d.action = kv_.Handle(d.args, Node::Impl::NowMs(), *node_.sm);
  track_reads_ = d.track_reads;
  lease_held_.reset();  // checked at the batch's start, before the wait: ask again
  RunKvAction(std::move(*d.action), d.args, d.seq);
  resume_.cancel();  // Run resumes parsing
}

// Returns false if `name` is not a connection command.
namespace {
// MEMORY's subcommands the server answers (the rest are kv's).
bool MemoryServerSubcommand(const std::string& sub) {
  return sub == "doctor" || sub == "purge" || sub == "malloc-stats";
}
}  // namespace

bool Session::DispatchConnectionCommand(const std::string& name, std::vector<std::string>& args,
                                        std::uint64_t seq) {
  // string_view comparisons check the length first: GET or SET leaves this
  // chain after a few integer compares.
  const std::string_view n(name);
  // Bit k set: some connection command below has a k-letter name (keep in
  // step with the chain: a name whose length is missing is never matched).
  // GET, SET and DEL leave at once.
  constexpr std::uint32_t kNameLengths = (1u << 4) | (1u << 5) | (1u << 6) | (1u << 7) | (1u << 8) |
                                         (1u << 9) | (1u << 10) | (1u << 11) | (1u << 12);
  if (n.size() == 3) {  // GET, SET and DEL leave after one compare
    if (n != "acl") return false;
    Complete(seq, AclCommand(args, !node_.opt.requirepass.empty()));
    return true;
  }
  if (n.size() >= 32 || ((kNameLengths >> n.size()) & 1u) == 0) return false;
  std::size_t argc = args.size();
  if (n == "ping") {
    if (argc > 2) return Complete(seq, resp::Value::Error(kv::errors::WrongArity(name))), true;
    Complete(seq, argc == 2 ? resp::Value::Bulk(args[1]) : resp::Value::Simple("PONG"));
  } else if (n == "echo") {
    Complete(seq, argc == 2 ? resp::Value::Bulk(args[1])
                            : resp::Value::Error(kv::errors::WrongArity(name)));
  } else if (n == "time") {
    if (argc != 1) return Complete(seq, resp::Value::Error(kv::errors::WrongArity(name))), true;
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
    Complete(seq, resp::Value::Array({resp::Value::Bulk(std::to_string(us / 1'000'000)),
                                      resp::Value::Bulk(std::to_string(us % 1'000'000))}));
  } else if (n == "wait") {
    Wait(args, seq);
  } else if (n == "monitor") {
    if (argc != 1) return Complete(seq, resp::Value::Error(kv::errors::WrongArity(name))), true;
    node_.monitors.insert(id_);
    Complete(seq, Ok());
  } else if (n == "script") {
    Script(args, seq);
  } else if (n == "auth") {
    Auth(args, seq);
  } else if (n == "reset") {
    if (argc != 1) return Complete(seq, resp::Value::Error(kv::errors::WrongArity(name))), true;
    ResetConnection(seq);
  } else if (n == "quit") {
    Complete(seq, Ok());
    close_after_flush_ = true;
    Flush();
  } else if (n == "shutdown") {
    // SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]: as SIGTERM (hand
    // leadership over, flush, exit 0); the connection is closed, unanswered,
    // as Redis closes it. Every write is already durable, so SAVE and
    // NOSAVE mean the same here.
    bool abort = false;
    for (std::size_t i = 1; i < argc; ++i) {
      const std::string o = Lower(args[i]);
      if (o == "abort") {
        abort = true;
      } else if (o != "nosave" && o != "save" && o != "now" && o != "force") {
        return Complete(seq, resp::Value::Error("ERR syntax error")), true;
      }
    }
    if (abort) return Complete(seq, resp::Value::Error("ERR No shutdown in progress.")), true;
    // (Its reply slot stays open: the replies before it go out, then the
    // stop closes every connection, this one too.)
    spdlog::info("node {}: SHUTDOWN from client {}, stopping", node_.opt.id, id_);
    node_.BeginStop();
  } else if (n == "save" || n == "bgsave") {
    // A snapshot of the state machine (as `cairn ctl snapshot`), which also
    // compacts the log; every acknowledged write is durable without it.
    if (n == "save" ? argc != 1 : argc > 2) {
      return Complete(seq, resp::Value::Error(kv::errors::WrongArity(name))), true;
    }
    Result<raft::Index> taken = node_.TriggerSnapshot();
    if (!taken.ok()) {
      return Complete(seq, resp::Value::Error("ERR " + std::string(taken.status().message()))),
             true;
    }
    Complete(seq, n == "save" ? Ok() : resp::Value::Simple("Background saving started"));
  } else if (n == "lastsave") {
    if (argc != 1) return Complete(seq, resp::Value::Error(kv::errors::WrongArity(name))), true;
    Complete(seq, resp::Value::Int(node_.last_save_unix_s));
  } else if (n == "move") {
    // One database: moving to another is out of range, to this one a no-op
    // Redis refuses.
    if (argc != 3) return Complete(seq, resp::Value::Error(kv::errors::WrongArity(name))), true;
    std::int64_t db = 0;
    if (!kv::ParseStrictInt64(args[2], &db) || db < INT32_MIN || db > INT32_MAX) {
      return Complete(seq, resp::Value::Error(kv::errors::kNotInteger)), true;
    }
    Complete(seq, resp::Value::Error(db == 0 ? "ERR source and destination objects are the same"
                                             : "ERR DB index is out of range"));
  } else if (n == "swapdb") {
    if (argc != 3) return Complete(seq, resp::Value::Error(kv::errors::WrongArity(name))), true;
    std::int64_t a = 0, b = 0;
    if (!kv::ParseStrictInt64(args[1], &a) || a < INT32_MIN || a > INT32_MAX) {
      return Complete(seq, resp::Value::Error("ERR invalid first DB index")), true;
    }
    if (!kv::ParseStrictInt64(args[2], &b) || b < INT32_MIN || b > INT32_MAX) {
      return Complete(seq, resp::Value::Error("ERR invalid second DB index")), true;
    }
    Complete(seq, a == 0 && b == 0 ? Ok() : resp::Value::Error("ERR DB index is out of range"));
  } else if (n == "select") {
    Complete(seq, argc == 2 && args[1] == "0" ? Ok()
                                              : resp::Value::Error("ERR DB index is out of range"));
  } else if (n == "hello") {
    Hello(args, seq);
  } else if (n == "client") {
    Client(args, seq);
  } else if (n == "command") {
    Complete(seq, kv::CommandCommand(args));
  } else if (n == "info") {
    Complete(seq, resp::Value::Bulk(node_.InfoText(argc > 1 ? Lower(args[1]) : "")));
  } else if (n == "config") {
    resp::Value reply = ConfigCommand(args, node_.opt, &node_.settings);
    node_.ApplySettings();
    Complete(seq, std::move(reply));
  } else if (n == "slowlog") {
    Complete(seq, node_.slowlog.Command(args));
  } else if (n == "latency") {
    Complete(seq, LatencyCommand(args, node_.metrics));
  } else if (n == "memory" && argc >= 2 && MemoryServerSubcommand(Lower(args[1]))) {
    // (USAGE is the state machine's: kv's parser takes it, and HELP.)
    const std::string sub = Lower(args[1]);
    if (argc != 2) {
      return Complete(seq, resp::Value::Error("ERR wrong number of arguments for 'memory|" + sub +
                                              "' command")),
             true;
    }
    if (sub == "purge") return Complete(seq, Ok()), true;
    Complete(seq, resp::Value::Bulk(
                      sub == "malloc-stats"
                          ? "Stats not supported for the current allocator"
                          : "Nothing to diagnose here: a Cairn node's memory is its RocksDB block "
                            "cache and memtables, its Raft log's unapplied tail and its clients' "
                            "buffers, not its keys' values. INFO memory and /metrics show it; "
                            "MEMORY USAGE gives a key's stored size.\n"));
  } else if (n == "consistency") {
    SetConsistency(args, seq);
  } else if (n == "subscribe" || n == "unsubscribe" || n == "psubscribe" || n == "punsubscribe" ||
             n == "ssubscribe" || n == "sunsubscribe") {
    Subscribe(name, args, seq);
  } else if (n == "pubsub") {
    PubSub(args, seq);
  } else if (n == "session") {
    // Answered once everything before it on the connection is, so the token
    // covers those replies and a client may pipeline SESSION behind them.
    if (writes_in_flight_ > 0 || reads_in_flight_ > 0) {
      deferred_ = Deferred{Deferred::What::kSession, std::nullopt, args, seq};
      return true;  // Answered completes it
    }
    Complete(seq, resp::Value::Int(static_cast<std::int64_t>(policy_.session_index)));
  } else if (n == "readonly" || n == "readwrite") {
    Complete(seq, Ok());
  } else {
    return false;
  }
  return true;
}

void Session::Wait(std::vector<std::string>& args, std::uint64_t seq) {
  if (args.size() != 3) return Complete(seq, resp::Value::Error(kv::errors::WrongArity("wait")));
  std::int64_t replicas = 0, timeout_ms = 0;
  if (!kv::ParseStrictInt64(args[1], &replicas)) {
    return Complete(seq, resp::Value::Error(kv::errors::kNotInteger));
  }
  if (!kv::ParseStrictInt64(args[2], &timeout_ms)) {
    return Complete(seq, resp::Value::Error("ERR timeout is not an integer or out of range"));
  }
  if (timeout_ms < 0) return Complete(seq, resp::Value::Error("ERR timeout is negative"));
  if (MustWait(/*read=*/true)) {
    deferred_ = Deferred{Deferred::What::kWait, std::nullopt, args, seq};
    return;  // Answered calls Wait again once the writes are answered
  }
  ++reads_in_flight_;
  node_.WaitForReplicas(written_index_, replicas, timeout_ms, Answer(seq, false));
}

void Session::Subscribe(const std::string& name, std::vector<std::string>& args,
                        std::uint64_t seq) {
  const bool on = name == "subscribe" || name == "psubscribe" || name == "ssubscribe";
  const bool patterns = name[0] == 'p';
  const bool shards = name == "ssubscribe" || name == "sunsubscribe";
  if (on && args.size() < 2) return Complete(seq, resp::Value::Error(kv::errors::WrongArity(name)));
  PubSubTable& table = node_.pubsub;
  // UNSUBSCRIBE alone: every channel (pattern, shard channel) of the connection.
  std::vector<std::string> names(args.begin() + 1, args.end());
  if (names.empty()) {
    const auto& mine = patterns ? table.PatternsOf(id_)
                       : shards ? table.ShardChannelsOf(id_)
                                : table.ChannelsOf(id_);
    names.assign(mine.begin(), mine.end());
  }
  auto confirm = [&](resp::Value what) {
    // (shard subscriptions are counted apart, as in Redis 7)
    const std::size_t count = shards ? table.ShardSubscriptionsOf(id_) : table.SubscriptionsOf(id_);
    std::vector<resp::Value> parts{resp::Value::Bulk(name), std::move(what),
                                   resp::Value::Int(static_cast<std::int64_t>(count))};
    return protocol_ == resp::Protocol::kResp3 ? resp::Value::Push(std::move(parts))
                                               : resp::Value::Array(std::move(parts));
  };
  std::vector<resp::Value> replies;
  for (const std::string& n : names) {
    if (patterns) {
      on ? table.PSubscribe(id_, n) : table.PUnsubscribe(id_, n);
    } else if (shards) {
      on ? table.SSubscribe(id_, n) : table.SUnsubscribe(id_, n);
    } else {
      on ? table.Subscribe(id_, n) : table.Unsubscribe(id_, n);
    }
    replies.push_back(confirm(resp::Value::Bulk(n)));
  }
  if (replies.empty()) replies.push_back(confirm(resp::Value::Null()));  // none to leave
  CompleteAll(seq, replies);
}

// PUBSUB CHANNELS [pattern] | NUMSUB [channel...] | NUMPAT | SHARDCHANNELS
// [pattern] | SHARDNUMSUB [channel...], about this node.
void Session::PubSub(std::vector<std::string>& args, std::uint64_t seq) {
  if (args.size() < 2) return Complete(seq, resp::Value::Error(kv::errors::WrongArity("pubsub")));
  const std::string sub = Lower(args[1]);
  const PubSubTable& table = node_.pubsub;
  // CHANNELS and SHARDCHANNELS list names; NUMSUB and SHARDNUMSUB count
  // each named one's subscribers (a map in RESP3).
  auto names = [&](std::vector<std::string> all) {
    resp::Value list = resp::Value::Array();
    for (std::string& c : all) list.elems.push_back(resp::Value::BulkOwned(std::move(c)));
    Complete(seq, list);
  };
  auto counts = [&](std::size_t (PubSubTable::*count)(const std::string&) const) {
    resp::Value map = resp::Value::Map();
    for (std::size_t i = 2; i < args.size(); ++i) {
      map.elems.push_back(resp::Value::Bulk(args[i]));
      map.elems.push_back(resp::Value::Int(static_cast<std::int64_t>((table.*count)(args[i]))));
    }
    Complete(seq, map);
  };
  const std::string* pattern = args.size() == 3 ? &args[2] : nullptr;
  if (sub == "channels" && args.size() <= 3) return names(table.Channels(pattern));
  if (sub == "shardchannels" && args.size() <= 3) return names(table.ShardChannels(pattern));
  if (sub == "numsub") return counts(&PubSubTable::NumSub);
  if (sub == "shardnumsub") return counts(&PubSubTable::ShardNumSub);
  if (sub == "numpat" && args.size() == 2) {
    return Complete(seq, resp::Value::Int(static_cast<std::int64_t>(table.NumPat())));
  }
  if (sub == "channels" || sub == "numpat" || sub == "shardchannels") {
    return Complete(
        seq, resp::Value::Error("ERR wrong number of arguments for 'pubsub|" + sub + "' command"));
  }
  if (sub == "help" && args.size() == 2) {
    return Complete(seq, kv::HelpLines({
                             "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                             "CHANNELS [<pattern>]",
                             "    The channels with subscribers on this node (matching the glob).",
                             "NUMPAT",
                             "    How many pattern subscriptions this node has.",
                             "NUMSUB [<channel> ...]",
                             "    Each channel's subscribers on this node.",
                             "SHARDCHANNELS [<pattern>]",
                             "    The shard channels with subscribers on this node.",
                             "SHARDNUMSUB [<shardchannel> ...]",
                             "    Each shard channel's subscribers on this node.",
                             "HELP",
                             "    This text.",
                         }));
  }
  Complete(seq, resp::Value::Error("ERR unknown subcommand '" + args[1] +
                                   "'. Try PUBSUB CHANNELS, NUMSUB, NUMPAT, SHARDCHANNELS or "
                                   "SHARDNUMSUB."));
}

bool Session::RefusedWhileSubscribed(const std::string& name, std::vector<std::string>& args,
                                     std::uint64_t seq) {
  // (every command passes here: the map lookup only while anyone subscribes)
  if (protocol_ != resp::Protocol::kResp2 || !node_.pubsub.active() ||
      !node_.pubsub.Subscribed(id_)) {
    return false;
  }
  if (name == "subscribe" || name == "unsubscribe" || name == "psubscribe" ||
      name == "punsubscribe" || name == "ssubscribe" || name == "sunsubscribe" || name == "quit" ||
      name == "reset") {
    return false;
  }
  if (name == "ping" && args.size() <= 2) {  // a pub/sub-shaped PONG
    Complete(seq, resp::Value::Array({resp::Value::Bulk("pong"),
                                      resp::Value::Bulk(args.size() == 2 ? args[1] : "")}));
    return true;
  }
  Complete(seq, resp::Value::Error("ERR Can't execute '" + name +
                                   "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / "
                                   "RESET are allowed in this context"));
  return true;
}

void Session::CountReceivers(kv::LogEntry* entry) const {
  for (kv::Op& op : entry->ops) {
    if (op.code == kv::OpCode::kPublish) {
      op.num = static_cast<std::int64_t>((op.flags & kv::kPublishSharded)
                                             ? node_.pubsub.ShardCount(op.args[0])
                                             : node_.pubsub.Count(op.args[0]));
    }
  }
}

void Node::Impl::WireStateMachine() {
  sm->set_publish_sink([this](const std::string& c, const std::string& m, bool sharded) {
    DeliverPublished(c, m, sharded);
  });
  ApplySettings();
}

void Node::Impl::ApplySettings() {
  sm->set_keyspace_events(settings.keyspace_events);
  const std::int64_t slower_than = settings.slowlog_slower_than_us;
  sm->set_op_timer(slower_than < 0 ? nullptr : &slow_op_timer, slower_than);
  slowlog.set_max_len(static_cast<std::size_t>(settings.slowlog_max_len));
}

std::int64_t Node::Impl::SlowOpTimer::NowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void Node::Impl::SlowOpTimer::Slow(const kv::Op& op, std::int64_t micros) {
  log_->Add(op, micros, Node::Impl::NowMs() / 1000);
}

void Node::Impl::DeliverPublished(const std::string& channel, const std::string& message,
                                  bool sharded) {
  if (!pubsub.active()) return;
  auto deliver = [&](std::uint64_t conn, const std::string* pattern) {
    auto it = sessions.find(conn);
    if (it == sessions.end()) return;
    if (auto s = it->second.lock()) {
      ++metrics.pubsub_messages_total;
      s->DeliverMessage(pattern, channel, message, sharded);
    }
  };
  if (sharded) {
    for (std::uint64_t conn : pubsub.ShardReceivers(channel)) deliver(conn, nullptr);
    return;
  }
  for (const PubSubTable::Receiver& r : pubsub.Receivers(channel)) deliver(r.conn, r.pattern);
}

bool Session::CloseNow() {
  if (closed_) return false;
  conn_.Close();
  closed_ = true;
  resume_.cancel();  // a reader waiting for the backlog to drain ends too
  return true;
}

std::string Session::PeerAddress() const {
  boost::system::error_code ec;
  auto ep = conn_.RemoteEndpoint(ec);
  return ec ? std::string("?") : fmt::format("{}:{}", ep.address().to_string(), ep.port());
}

bool Session::InPubSub() const { return node_.pubsub.Subscribed(id_); }

void Session::DeliverUnsolicited(const resp::Value& value, std::size_t bytes) {
  if (closed_) return;
  // A subscriber (or monitor) that does not read would make the node hold
  // everything for it: past this much unsent output it is cut off, as
  // Redis's pubsub client-output-buffer-limit does (32 MiB).
  constexpr std::size_t kUnsentMessageBytesMax = 32u << 20;
  std::size_t unsent = out_.size() + writing_.size() + bytes;
  for (const Slot& s : slots_) unsent += s.after.size();
  if (unsent > kUnsentMessageBytesMax) {
    spdlog::warn("client {}: more than 32 MiB of pub/sub messages or MONITOR lines unread; closing",
                 id_);
    ++node_.metrics.pubsub_dropped_clients_total;
    CloseNow();
    return;
  }
  if (!slots_.empty()) {
    resp::Writer(&slots_.back().after, protocol_).Write(value);
    return;  // leaves with that slot (Complete)
  }
  resp::Writer(&out_, protocol_).Write(value);
  FlushSoon();  // (an apply pass holds it: its messages leave in one send)
}

void Session::DeliverMonitorLine(const std::string& line) {
  DeliverUnsolicited(resp::Value::Simple(line), line.size());
}

void Session::FeedMonitors(const std::vector<std::string>& args) {
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  std::string line = fmt::format("{}.{:06} [0 {}]", us / 1'000'000, us % 1'000'000, PeerAddress());
  const std::string name = Lower(args[0]);
  for (std::size_t i = 0; i < args.size(); ++i) {
    // AUTH's arguments, and HELLO's after AUTH, are secrets.
    const bool secret = (name == "auth" && i >= 1) ||
                        (name == "hello" && i >= 3 && Lower(args[i - 1]) == "auth") ||
                        (name == "hello" && i >= 4 && Lower(args[i - 2]) == "auth");
    line += " \"";
    if (secret) {
      line += "(redacted)";
    } else {
      for (unsigned char ch : args[i]) {  // as Redis's sdscatrepr
        switch (ch) {
          case '\\': line += "\\\\"; break;
          case '"': line += "\\\""; break;
          case '\n': line += "\\n"; break;
          case '\r': line += "\\r"; break;
          case '\t': line += "\\t"; break;
          case '\a': line += "\\a"; break;
          case '\b': line += "\\b"; break;
          default:
            if (ch >= 0x20 && ch < 0x7f) {
              line += static_cast<char>(ch);
            } else {
              line += fmt::format("\\x{:02x}", ch);
            }
        }
      }
    }
    line += '"';
  }
  for (auto it = node_.monitors.begin(); it != node_.monitors.end();) {
    auto s = node_.sessions.find(*it);
    auto session = s == node_.sessions.end() ? nullptr : s->second.lock();
    if (session == nullptr) {
      it = node_.monitors.erase(it);
      continue;
    }
    if (session.get() != this) session->DeliverMonitorLine(line);
    ++it;
  }
}

void Session::DeliverMessage(const std::string* pattern, const std::string& channel,
                             const std::string& message, bool sharded) {
  std::vector<resp::Value> parts;
  parts.push_back(resp::Value::Bulk(sharded              ? "smessage"
                                    : pattern != nullptr ? "pmessage"
                                                         : "message"));
  if (pattern != nullptr) parts.push_back(resp::Value::Bulk(*pattern));
  parts.push_back(resp::Value::Bulk(channel));
  parts.push_back(resp::Value::Bulk(message));
  const resp::Value value = protocol_ == resp::Protocol::kResp3
                                ? resp::Value::Push(std::move(parts))
                                : resp::Value::Array(std::move(parts));
  DeliverUnsolicited(value, message.size());
}

// Inside MULTI, AUTH is queued as Redis queues it, its reply standing in
// EXEC's array. It is decided as it is queued: MULTI needs a logged-in
// connection, and with one user a success or a failure (which leaves the
// connection logged in) changes nothing, wherever it runs.
void Session::Auth(std::vector<std::string>& args, std::uint64_t seq) {
  auto answer = [&](resp::Value reply, bool aborts = false) {
    Complete(seq, kv_.in_multi() ? kv_.QueueFixedReply(std::move(reply), aborts).reply
                                 : std::move(reply));
  };
  if (args.size() < 2) return answer(resp::Value::Error(kv::errors::WrongArity("auth")), true);
  if (args.size() > 3) return answer(resp::Value::Error("ERR syntax error"));
  if (node_.opt.requirepass.empty() && args.size() == 2) {
    return answer(resp::Value::Error(
        "ERR AUTH <password> called without any password configured for the default user. Are "
        "you sure your configuration is correct?"));
  }
  if (!kv_.in_multi()) {
    if (Authenticate(args.size() == 3 ? &args[1] : nullptr, args.back(), seq)) Complete(seq, Ok());
    return;
  }
  answer(PasswordMatches(args.size() == 3 ? &args[1] : nullptr, args.back()) ? Ok() : WrongPass());
}

bool Session::Authenticate(const std::string* user, const std::string& password,
                           std::uint64_t seq) {
  if (PasswordMatches(user, password)) {
    authenticated_ = true;
    return true;
  }
  Complete(seq, WrongPass());
  return false;
}

// Without a requirepass the default user takes any password (Redis's
// "nopass"); another user name never exists. A failure is counted.
bool Session::PasswordMatches(const std::string* user, const std::string& password) {
  const std::string& want = node_.opt.requirepass;
  const bool user_ok = user == nullptr || *user == "default";
  if (user_ok && (want.empty() || SecretMatches(password, want))) return true;
  ++node_.metrics.auth_failures_total;
  return false;
}

resp::Value Session::WrongPass() {
  return resp::Value::Error("WRONGPASS invalid username-password pair or user is disabled.");
}

bool Session::ResolveScript(std::string* name, std::vector<std::string>& args, std::uint64_t seq) {
  auto& scripts = node_.scripts;
  if (*name == "eval" || *name == "eval_ro") {
    if (args.size() >= 3 && scripts.size() < Node::Impl::kScriptsFromEvalMax) {
      scripts.try_emplace(Sha1Hex(args[1]), args[1]);
    }
    return true;
  }
  if (*name != "evalsha" && *name != "evalsha_ro") return true;
  // Inside MULTI, as Redis: a wrong arity aborts EXEC; an unknown script
  // is queued, and its NOSCRIPT stands in EXEC's array.
  auto refuse = [&](resp::Value error, bool aborts) {
    Complete(seq, kv_.in_multi() ? kv_.QueueFixedReply(std::move(error), aborts).reply
                                 : std::move(error));
    return false;
  };
  if (args.size() < 3) return refuse(resp::Value::Error(kv::errors::WrongArity(*name)), true);
  std::string sha = Lower(args[1]);
  auto it = scripts.find(sha);
  if (it == scripts.end()) {
    return refuse(resp::Value::Error("NOSCRIPT No matching script. Please use EVAL."), false);
  }
  *name = *name == "evalsha" ? "eval" : "eval_ro";
  args[0] = *name;
  args[1] = it->second;
  return true;
}

void Session::Script(std::vector<std::string>& args, std::uint64_t seq) {
  const std::string sub = args.size() > 1 ? Lower(args[1]) : "";
  auto& scripts = node_.scripts;
  if (sub == "load" && args.size() == 3) {
    std::string sha = Sha1Hex(args[2]);
    scripts.try_emplace(sha, args[2]);
    return Complete(seq, resp::Value::BulkOwned(std::move(sha)));
  }
  if (sub == "exists" && args.size() >= 3) {
    resp::Value found = resp::Value::Array();
    for (std::size_t i = 2; i < args.size(); ++i) {
      found.elems.push_back(resp::Value::Int(scripts.count(Lower(args[i])) ? 1 : 0));
    }
    return Complete(seq, found);
  }
  if (sub == "flush" && args.size() <= 3) {
    const std::string how = args.size() == 3 ? Lower(args[2]) : "sync";
    if (how != "sync" && how != "async") {
      return Complete(seq, resp::Value::Error("ERR SCRIPT FLUSH only support SYNC|ASYNC option"));
    }
    scripts.clear();
    return Complete(seq, Ok());
  }
  if (sub == "kill" && args.size() == 2) {  // a script never outlives its apply
    return Complete(seq, resp::Value::Error("NOTBUSY No scripts in execution right now."));
  }
  if (sub == "help" && args.size() == 2) {
    resp::Value help = resp::Value::Array();
    for (const char* line :
         {"SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
          "EXISTS <sha1> [<sha1> ...]",
          "    Return information about the existence of the scripts "
          "in this node's script cache.",
          "FLUSH [ASYNC|SYNC]", "    Flush this node's Lua scripts cache.", "KILL",
          "    Nothing to kill: a script runs within one log entry's apply.", "LOAD <script>",
          "    Load a script into this node's scripts cache without executing it."}) {
      help.elems.push_back(resp::Value::Simple(line));
    }
    return Complete(seq, help);
  }
  if (sub == "load" || sub == "exists" || sub == "flush" || sub == "kill" || sub.empty()) {
    return Complete(seq,
                    resp::Value::Error("ERR wrong number of arguments for 'script" +
                                       (sub.empty() ? std::string() : "|" + sub) + "' command"));
  }
  Complete(seq, resp::Value::Error("ERR unknown subcommand '" + args[1] + "'. Try SCRIPT HELP."));
}

// HELLO [protover [AUTH username password] [SETNAME name]]: the options are
// all checked (and AUTH done) before anything changes.
void Session::Hello(std::vector<std::string>& args, std::uint64_t seq) {
  if (args.size() >= 2 && args[1] != "2" && args[1] != "3") {
    return Complete(seq, resp::Value::Error("NOPROTO unsupported protocol version"));
  }
  const std::string* user = nullptr;
  const std::string* password = nullptr;
  const std::string* setname = nullptr;
  for (std::size_t i = 2; i < args.size(); ++i) {
    const std::string option = Lower(args[i]);
    if (option == "auth" && i + 2 < args.size()) {
      user = &args[i + 1];
      password = &args[i + 2];
      i += 2;
    } else if (option == "setname" && i + 1 < args.size()) {
      setname = &args[++i];
    } else {
      return Complete(seq,
                      resp::Value::Error("ERR Syntax error in HELLO option '" + args[i] + "'"));
    }
  }
  if (password != nullptr && !Authenticate(user, *password, seq)) return;
  if (!authenticated_) {
    return Complete(seq, resp::Value::Error(
                             "NOAUTH HELLO must be called with the client already authenticated, "
                             "otherwise the HELLO <proto> AUTH <user> <pass> option can be used "
                             "to authenticate the client and select the RESP protocol version "
                             "at the same time"));
  }
  if (args.size() >= 2) {
    protocol_ = args[1] == "3" ? resp::Protocol::kResp3 : resp::Protocol::kResp2;
    slots_.back().protocol = protocol_;  // HELLO's own reply uses the new protocol
  }
  if (setname != nullptr) name_ = *setname;
  using V = resp::Value;
  Complete(seq, V::Map({V::Bulk("server"), V::Bulk("cairn"), V::Bulk("version"), V::Bulk("0.1.0"),
                        V::Bulk("proto"), V::Int(static_cast<int>(protocol_)), V::Bulk("id"),
                        V::Int(static_cast<std::int64_t>(id_)), V::Bulk("mode"),
                        V::Bulk("standalone"), V::Bulk("role"),
                        V::Bulk(node_.is_leader() ? "master" : "replica"), V::Bulk("modules"),
                        V::Array()}));
}

void Session::Client(std::vector<std::string>& args, std::uint64_t seq) {
  std::string sub = args.size() > 1 ? Lower(args[1]) : "";
  if (sub == "setname" && args.size() == 3) {
    name_ = args[2];
    Complete(seq, Ok());
  } else if (sub == "getname") {
    Complete(seq, name_.empty() ? resp::Value::Null() : resp::Value::Bulk(name_));
  } else if (sub == "id") {
    Complete(seq, resp::Value::Int(static_cast<std::int64_t>(id_)));
  } else if (sub == "info") {
    Complete(seq, resp::Value::Bulk(Describe() + "\n"));
  } else if (sub == "list") {
    std::string out;
    for (auto& [id, w] : node_.sessions) {
      if (auto s = w.lock()) out += s->Describe() + "\n";
    }
    Complete(seq, resp::Value::Bulk(out));
  } else if (sub == "tracking") {
    Complete(seq, node_.ClientTracking(id_, args, protocol_ == resp::Protocol::kResp3));
  } else if (sub == "setinfo") {
    Complete(seq, Ok());
  } else if (sub == "getredir" && args.size() == 2) {
    // Where this connection's invalidations go: -1 not tracking, 0 to
    // itself, else the connection it redirects to.
    auto it = node_.tracking_redirects.find(id_);
    Complete(seq, resp::Value::Int(!node_.tracking.IsTracking(id_) ? -1
                                   : it != node_.tracking_redirects.end()
                                       ? static_cast<std::int64_t>(it->second)
                                       : 0));
  } else if (sub == "no-evict" && args.size() == 3) {
    // Nothing is evicted here (maxmemory 0): on and off are both true.
    const std::string v = Lower(args[2]);
    Complete(seq, v == "on" || v == "off" ? Ok() : resp::Value::Error("ERR syntax error"));
  } else if (sub == "kill" && args.size() >= 3) {
    ClientKill(args, seq);
  } else if (sub == "reply" && args.size() == 3) {
    // OFF and SKIP answer nothing themselves: this command's slot is made
    // silent, and SKIP silences the next one (Dispatch).
    const std::string mode = Lower(args[2]);
    if (mode == "on") {
      reply_mode_ = ReplyMode::kOn;
      slots_[seq - first_seq_].silent = false;  // ON answers even while OFF
      return Complete(seq, Ok());
    }
    if (mode != "off" && mode != "skip") {
      return Complete(seq, resp::Value::Error("ERR syntax error"));
    }
    slots_[seq - first_seq_].silent = true;
    if (mode == "off") reply_mode_ = ReplyMode::kOff;
    if (mode == "skip" && reply_mode_ == ReplyMode::kOn) reply_mode_ = ReplyMode::kSkip;
    Complete(seq, Ok());
  } else if (sub == "caching" && args.size() == 3) {
    const std::string v = Lower(args[2]);
    auto opt = node_.tracking_optin.find(id_);
    if (!node_.tracking.IsTracking(id_) || opt == node_.tracking_optin.end()) {
      return Complete(seq, resp::Value::Error("ERR CLIENT CACHING can be called only when the "
                                              "client is in tracking mode with OPTIN or OPTOUT "
                                              "mode enabled"));
    }
    if (v == "yes" && opt->second) {
      caching_given_ = true;
    } else if (v == "no" && !opt->second) {
      caching_given_ = true;
    } else if (v == "yes" || v == "no") {
      return Complete(seq, resp::Value::Error(
                               v == "yes" ? "ERR CLIENT CACHING YES is only valid when tracking is "
                                            "enabled in OPTIN mode."
                                          : "ERR CLIENT CACHING NO is only valid when tracking is "
                                            "enabled in OPTOUT mode."));
    } else {
      return Complete(seq, resp::Value::Error("ERR syntax error"));
    }
    Complete(seq, Ok());
  } else if (sub == "trackinginfo" && args.size() == 2) {
    Complete(seq, ClientTrackingInfo());
  } else if (sub == "help" && args.size() == 2) {
    Complete(seq, kv::HelpLines({
                      "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                      "GETNAME",
                      "    Return the name of the current connection.",
                      "GETREDIR",
                      "    Return the client ID we are redirecting to when tracking is enabled.",
                      "ID",
                      "    Return the ID of the current connection (unique on this node).",
                      "INFO",
                      "    Return information about the current client connection.",
                      "KILL <ip:port>",
                      "    Kill connection made from <ip:port>.",
                      "KILL <option> <value> [<option> <value> [...]]",
                      "    Kill connections of this node. Options are ID <id>, ADDR <ip:port>,",
                      "    TYPE (NORMAL|PUBSUB) and SKIPME (YES|NO).",
                      "LIST",
                      "    Return information about this node's client connections.",
                      "NO-EVICT (ON|OFF)",
                      "    Accepted: this node evicts no connection.",
                      "PAUSE <timeout> [WRITE|ALL]",
                      "    Hold this node's clients' commands (ALL, the default) or those that may",
                      "    write (WRITE) for <timeout> milliseconds. Other nodes are not paused.",
                      "REPLY (ON|OFF|SKIP)",
                      "    Control the replies sent to the current connection.",
                      "SETINFO <option> <value>",
                      "    Accepted and ignored.",
                      "SETNAME <name>",
                      "    Assign the name <name> to the current connection.",
                      "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]] [NOLOOP]",
                      "    Control server assisted client side caching.",
                      "TRACKINGINFO",
                      "    Report tracking status for the current connection.",
                      "UNBLOCK <clientid> [TIMEOUT|ERROR]",
                      "    Unblock the specified blocked client.",
                      "UNPAUSE",
                      "    End a CLIENT PAUSE on this node at once.",
                      "HELP",
                      "    Print this help.",
                  }));
  } else if (sub == "pause" && (args.size() == 3 || args.size() == 4)) {
    std::int64_t ms = 0;
    if (!kv::ParseStrictInt64(args[2], &ms) || ms < 0) {
      return Complete(seq, resp::Value::Error("ERR timeout is not an integer or out of range"));
    }
    const std::string mode = args.size() == 4 ? Lower(args[3]) : "all";
    if (mode != "all" && mode != "write")
      return Complete(seq, resp::Value::Error("ERR syntax error"));
    node_.PauseClients(ms, mode == "all");
    Complete(seq, Ok());
  } else if (sub == "unpause" && args.size() == 2) {
    node_.UnpauseClients();
    Complete(seq, Ok());
  } else if (sub == "unblock" && (args.size() == 3 || args.size() == 4)) {
    // CLIENT UNBLOCK id [TIMEOUT|ERROR]: a connection of this node (ids are
    // per node, as CLIENT ID and CLIENT LIST show them).
    std::int64_t id = 0;
    if (!kv::ParseStrictInt64(args[2], &id)) {
      return Complete(seq, resp::Value::Error("ERR value is not an integer or out of range"));
    }
    const std::string how = args.size() == 4 ? Lower(args[3]) : "timeout";
    if (how != "timeout" && how != "error") {
      return Complete(seq,
                      resp::Value::Error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR"));
    }
    auto it = node_.sessions.find(static_cast<std::uint64_t>(id));
    auto target = it != node_.sessions.end() ? it->second.lock() : nullptr;
    const bool done = target != nullptr && target->Unblock(how == "error");
    Complete(seq, resp::Value::Int(done ? 1 : 0));
  } else {
    Complete(seq, resp::Value::Error("ERR unknown subcommand or wrong number of arguments for "
                                     "'client' command"));
  }
}

// CLIENT TRACKINGINFO: flags (off, or on with bcast and broken_redirect),
// the redirect (-1 off, 0 none) and the BCAST prefixes, as Redis 7.0 shapes
// it. NOLOOP is accepted by CLIENT TRACKING but not kept, so never shown.
resp::Value Session::ClientTrackingInfo() const {
  using V = resp::Value;
  V flags = V::Set();
  std::int64_t redirect = -1;
  V prefixes = V::Array();
  if (!node_.tracking.IsTracking(id_)) {
    flags.elems.push_back(V::Bulk("off"));
  } else {
    flags.elems.push_back(V::Bulk("on"));
    if (const auto* p = node_.tracking.BroadcastPrefixes(id_)) {
      flags.elems.push_back(V::Bulk("bcast"));
      for (const std::string& prefix : *p) prefixes.elems.push_back(V::Bulk(prefix));
    }
    if (auto opt = node_.tracking_optin.find(id_); opt != node_.tracking_optin.end()) {
      flags.elems.push_back(V::Bulk(opt->second ? "optin" : "optout"));
      if (caching_given_)
        flags.elems.push_back(V::Bulk(opt->second ? "caching-yes" : "caching-no"));
    }
    redirect = 0;
    if (auto it = node_.tracking_redirects.find(id_); it != node_.tracking_redirects.end()) {
      redirect = static_cast<std::int64_t>(it->second);
      if (it->second != id_ && node_.sessions.count(it->second) == 0) {
        flags.elems.push_back(V::Bulk("broken_redirect"));
      }
    }
  }
  return V::Map({V::Bulk("flags"), std::move(flags), V::Bulk("redirect"), V::Int(redirect),
                 V::Bulk("prefixes"), std::move(prefixes)});
}

void Session::ClientKill(std::vector<std::string>& args, std::uint64_t seq) {
  if (args.size() == 3) {  // the old form: one address, OK or an error
    for (auto& [id, w] : node_.sessions) {
      auto s = w.lock();
      if (s == nullptr || s->PeerAddress() != args[2]) continue;
      if (s.get() == this) {
        close_after_flush_ = true;  // after this reply, as Redis does
      } else {
        s->CloseNow();
      }
      return Complete(seq, Ok());
    }
    return Complete(seq, resp::Value::Error("ERR No such client"));
  }
  std::optional<std::uint64_t> id;
  std::optional<std::string> addr, type;
  bool skip_me = true;
  if (args.size() % 2 != 0) return Complete(seq, resp::Value::Error("ERR syntax error"));
  for (std::size_t i = 2; i + 1 < args.size(); i += 2) {
    const std::string filter = Lower(args[i]);
    const std::string& value = args[i + 1];
    if (filter == "id") {
      std::int64_t n = 0;
      if (!kv::ParseStrictInt64(value, &n) || n <= 0) {
        return Complete(seq, resp::Value::Error("ERR client-id should be greater than 0"));
      }
      id = static_cast<std::uint64_t>(n);
    } else if (filter == "addr") {
      addr = value;
    } else if (filter == "type") {
      type = Lower(value);
      if (*type != "normal" && *type != "pubsub" && *type != "master" && *type != "replica" &&
          *type != "slave") {
        return Complete(seq, resp::Value::Error("ERR Unknown client type '" + value + "'"));
      }
    } else if (filter == "skipme") {
      const std::string yes = Lower(value);
      if (yes != "yes" && yes != "no") return Complete(seq, resp::Value::Error("ERR syntax error"));
      skip_me = yes == "yes";
    } else {
      return Complete(seq, resp::Value::Error("ERR syntax error"));
    }
  }
  std::int64_t killed = 0;
  for (auto& [sid, w] : node_.sessions) {
    auto s = w.lock();
    if (s == nullptr || (id && sid != *id) || (addr && s->PeerAddress() != *addr)) continue;
    // (replication between nodes is not a client connection here)
    if (type && (*type == "master" || *type == "replica" || *type == "slave")) continue;
    if (type && (*type == "pubsub") != s->InPubSub()) continue;
    if (s.get() == this) {
      if (skip_me) continue;
      close_after_flush_ = true;
    } else {
      s->CloseNow();
    }
    ++killed;
  }
  Complete(seq, resp::Value::Int(killed));
}

// CONSISTENCY                     -> the current level
// CONSISTENCY strong|lease|eventual
// CONSISTENCY bounded <ms>        -> any node answers while its state is at most <ms> old
// CONSISTENCY session [<token>]   -> reads reflect at least index <token> (SESSION's reply)
void Session::SetConsistency(std::vector<std::string>& args, std::uint64_t seq) {
  static const char* kNames[] = {"strong", "lease", "bounded", "session", "eventual"};
  if (args.size() == 1) {
    return Complete(seq, resp::Value::Bulk(kNames[static_cast<int>(policy_.level)]));
  }
  std::string level = Lower(args[1]);
  std::int64_t n = 0;
  bool has_n = args.size() == 3 && kv::ParseStrictInt64(args[2], &n) && n >= 0;
  if (args.size() > 3 || (args.size() == 3 && !has_n)) {
    return Complete(seq, resp::Value::Error("ERR syntax error"));
  }
  if (level == "strong" && !has_n) {
    policy_.level = Consistency::kStrong;
  } else if (level == "lease" && !has_n) {
    policy_.level = Consistency::kLease;
  } else if (level == "eventual" && !has_n) {
    policy_.level = Consistency::kEventual;
  } else if (level == "bounded" && has_n) {
    policy_.level = Consistency::kBounded;
    policy_.bounded_ms = static_cast<std::uint32_t>(std::min<std::int64_t>(n, 1 << 30));
  } else if (level == "session") {
    policy_.level = Consistency::kSession;
    if (has_n) policy_.session_index = std::max(policy_.session_index, static_cast<std::uint64_t>(n));
  } else {
    return Complete(seq, resp::Value::Error(
                             "ERR CONSISTENCY strong|lease|eventual|bounded <ms>|session [<token>]"));
  }
  Complete(seq, Ok());
}

Histogram* Session::LatencyFor(const std::string& name) {
  if (last_latency_ != nullptr && name == last_command_) return last_latency_;
  static const std::set<std::string, std::less<>> kServerCommands = {
      "consistency", "session",   "subscribe", "unsubscribe",
      "readonly",    "readwrite", "config",    "protocol_error"};
  const bool known = kv::FindCommand(name) != nullptr || kServerCommands.count(name) > 0;
  last_command_ = name;
  last_latency_ = &node_.metrics.latency_by_command[known ? name : "unknown"];
  return last_latency_;
}

void Session::Complete(std::uint64_t seq, const resp::Value& value) { CompleteAll(seq, {value}); }

void Session::CompleteAll(std::uint64_t seq, const std::vector<resp::Value>& values) {
  CAIRN_CHECK(seq >= first_seq_ && seq - first_seq_ < slots_.size(), "reply for an unknown slot");
  Slot& slot = slots_[seq - first_seq_];
  // The first unanswered slot's reply goes straight to the output.
  if (!slot.silent) {
    resp::Writer writer(seq == first_seq_ ? &out_ : &slot.bytes, slot.protocol);
    for (const resp::Value& value : values) writer.Write(value);
  }
  slot.done = true;
  // Held replies (dispatching, or a node ReplyHold) leave later with one send.
  const bool held = dispatching_ || node_.reply_holds > 0;
  std::chrono::steady_clock::time_point now;
  if (!held) now = std::chrono::steady_clock::now();
  while (!slots_.empty() && slots_.front().done) {
    Slot& s = slots_.front();
    if (held) {
      unobserved_.emplace_back(s.latency, s.start);
    } else {
      s.latency->Observe(std::chrono::duration<double>(now - s.start).count());
    }
    out_ += s.bytes;
    out_ += s.after;
    slots_.pop_front();
    ++first_seq_;
  }
  resume_.cancel();
  FlushSoon();
}

void Session::FlushSoon() {
  if (dispatching_) return;  // Run flushes after the batch
  if (node_.reply_holds > 0) {
    if (!flush_held_) {
      flush_held_ = true;
      node_.held_flushes.push_back(shared_from_this());
    }
    return;
  }
  Flush();
}

void Session::FlushHeld() {
  flush_held_ = false;
  Flush();
  ObserveBatchLatencies();
}

Node::Impl::ReplyHold::~ReplyHold() {
  if (--node_.reply_holds > 0) return;
  // A flush can complete more replies (a deferred command released) and
  // hold them again only under a new hold, so one pass empties the list.
  std::vector<std::shared_ptr<Session>> sessions;
  sessions.swap(node_.held_flushes);
  for (auto& s : sessions) s->FlushHeld();
}

void Session::ObserveBatchLatencies() {
  if (unobserved_.empty()) return;
  const auto now = std::chrono::steady_clock::now();
  for (const auto& [latency, start] : unobserved_) {
    latency->Observe(std::chrono::duration<double>(now - start).count());
  }
  unobserved_.clear();
}

void Session::Flush() {
  if (write_in_flight_ || closed_) return;
  if (out_.empty()) {
    if (close_after_flush_ && slots_.empty()) {
      closed_ = true;
      conn_.Close();
    }
    return;
  }
  ++node_.metrics.client_writes_total;
  // One non-blocking send first: it almost always takes everything, and then
  // no asynchronous operation (and no completion to run later) is needed.
  boost::system::error_code ec;
  std::size_t n = conn_.TryWrite(asio::buffer(out_), ec);
  if (ec == asio::error::would_block || ec == asio::error::try_again) {
    n = 0;
  } else if (ec) {
    closed_ = true;
    conn_.Close();
    return;
  }
  node_.metrics.client_bytes_out_total += n;
  if (n == out_.size()) {
    out_.clear();
    return Flush();  // closes the socket if that was the last reply before a QUIT
  }
  // The socket's buffer is full: the rest goes out asynchronously.
  writing_.assign(out_, n);
  out_.clear();
  write_in_flight_ = true;
  conn_.AsyncWrite(
      asio::buffer(writing_),
      [self = shared_from_this()](boost::system::error_code write_ec, std::size_t written) {
        self->write_in_flight_ = false;
        self->node_.metrics.client_bytes_out_total += written;
        self->writing_.clear();
        if (write_ec) {
          self->closed_ = true;
          self->conn_.Close();
          return;
        }
        self->Flush();
      });
}

asio::awaitable<void> Node::Impl::AcceptResp(asio::ip::tcp::acceptor& acceptor,
                                             asio::ssl::context* tls) {
  while (!stopping) {
    boost::system::error_code ec;
    asio::ip::tcp::socket socket =
        co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      if (stopping) co_return;
      continue;
    }
    socket.set_option(asio::ip::tcp::no_delay(true), ec);
    ++metrics.connections_total;
    if (sessions.size() + tls_handshakes >= opt.clients_max) {
      ++metrics.connections_rejected_total;
      // Plain text even on the TLS port: a client that cannot read it sees
      // the connection close, which is all it could be told before a handshake.
      static const std::string kFull = "-ERR max number of clients reached\r\n";
      asio::write(socket, asio::buffer(kFull), ec);
      socket.close(ec);
      continue;
    }
    if (tls == nullptr) {
      Serve(ClientConn(std::move(socket)));
      continue;
    }
    ++tls_handshakes;
    asio::co_spawn(io, HandshakeThenServe(std::move(socket), *tls), asio::detached);
  }
}

// A client gets kTlsHandshakeTimeout to finish its handshake, so one that
// connects and stays silent holds a slot only that long.
constexpr auto kTlsHandshakeTimeout = std::chrono::seconds(10);

asio::awaitable<void> Node::Impl::HandshakeThenServe(asio::ip::tcp::socket socket,
                                                     asio::ssl::context& tls) {
  auto conn = std::make_shared<ClientConn>(std::move(socket), tls);
  asio::steady_timer deadline(io, kTlsHandshakeTimeout);
  deadline.async_wait([conn](boost::system::error_code ec) {
    if (!ec) conn->Close();  // the handshake then fails
  });
  boost::system::error_code ec;
  co_await conn->Handshake(ec);
  deadline.cancel();
  --tls_handshakes;
  if (stopping) {
    conn->Close();
    co_return;
  }
  if (ec) {
    ++metrics.tls_handshake_failures_total;
    boost::system::error_code ep_ec;
    auto ep = conn->RemoteEndpoint(ep_ec);
    spdlog::debug("node {}: TLS handshake with {} failed: {}", opt.id,
                  ep_ec ? std::string("?") : ep.address().to_string(), ec.message());
    conn->Close();
    co_return;
  }
  Serve(std::move(*conn));
}

void Node::Impl::PauseClients(std::int64_t ms, bool all) {
  const std::int64_t until = NowMs() + ms;
  if (clients_paused_until_ms == 0) clients_pause_all = false;
  clients_pause_all = clients_pause_all || all;
  if (until <= clients_paused_until_ms) return;
  clients_paused_until_ms = until;
  if (!pause_timer) pause_timer = std::make_unique<asio::steady_timer>(io);
  pause_timer->expires_after(std::chrono::milliseconds(ms));
  pause_timer->async_wait([this](boost::system::error_code ec) {
    if (!ec) UnpauseClients();
  });
}

void Node::Impl::UnpauseClients() {
  clients_paused_until_ms = 0;
  clients_pause_all = false;
  if (pause_timer) pause_timer->cancel();
  std::set<std::uint64_t> held;
  held.swap(paused_sessions);
  for (std::uint64_t id : held) {
    auto it = sessions.find(id);
    if (auto s = it != sessions.end() ? it->second.lock() : nullptr) s->ReleaseHeld();
  }
}

void Node::Impl::Serve(ClientConn conn) {
  std::uint64_t id = next_client_id++;
  auto session = std::make_shared<Session>(*this, std::move(conn), id);
  sessions[id] = session;
  ++metrics.clients_connected;
  // The coroutine's parameter keeps the session alive while it runs.
  asio::co_spawn(
      io, [](std::shared_ptr<Session> s) -> asio::awaitable<void> { co_await s->Run(); }(session),
      asio::detached);
}

}  // namespace cairn::server
