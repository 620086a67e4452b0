#include "client/client.h"

#include <fmt/format.h>

#include <fstream>
#include <future>

#include "client/client_impl.h"
#include "client/errors.h"
#include "kv/command_table.h"
#include "lb/pickers.h"

namespace cairn::client {
namespace asio = boost::asio;
namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Unknown commands count as writes: a lost reply then means "outcome unknown".
bool IsWriteCommand(const std::string& name) {
  const kv::CommandSpec* spec = kv::FindCommand(Lower(name));
  if (spec == nullptr) return true;
  return (spec->flags & kv::kCmdWrite) != 0 || (spec->flags & kv::kCmdReadonly) == 0;
}

// INFO is a bulk string (RESP2, Cairn) or a verbatim string (Redis 7, RESP3).
bool IsText(const resp::Value& v) {
  return v.type == resp::Type::kBulkString || v.type == resp::Type::kVerbatim;
}

// TLS 1.2 or 1.3, the server's certificate checked (against ca_file, or
// the system's CAs), and a client certificate if one is given.
Result<std::unique_ptr<asio::ssl::context>> MakeClientTlsContext(const ClientOptions::Tls& t) {
  namespace ssl = asio::ssl;
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_client);
  boost::system::error_code ec;
  auto failed = [&](const std::string& what) {
    return Status::InvalidArgument("client TLS: " + what + ": " + ec.message());
  };
  auto readable = [](const std::string& path) { return std::ifstream(path).good(); };
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1,
                   ec);
  if (ec) return failed("options");
  if (t.ca_file.empty()) {
    ctx->set_default_verify_paths(ec);
    if (ec) return failed("the system's CAs");
  } else {
    if (!readable(t.ca_file))
      return Status::InvalidArgument("client TLS: cannot read " + t.ca_file);
    ctx->load_verify_file(t.ca_file, ec);
    if (ec) return failed(t.ca_file);
  }
  ctx->set_verify_mode(ssl::verify_peer, ec);
  if (ec) return failed("verify mode");
  if (t.cert_file.empty() != t.key_file.empty()) {
    return Status::InvalidArgument("client TLS: give both cert_file and key_file, or neither");
  }
  if (!t.cert_file.empty()) {
    for (const auto* f : {&t.cert_file, &t.key_file}) {
      if (!readable(*f)) return Status::InvalidArgument("client TLS: cannot read " + *f);
    }
    ctx->use_certificate_chain_file(t.cert_file, ec);
    if (ec) return failed(t.cert_file);
    ctx->use_private_key_file(t.key_file, ssl::context::pem, ec);
    if (ec) return failed(t.key_file);
  }
  return ctx;
}

// How long a forwarding follower stands in for the leader before the client asks
// its seeds again (one refresh: a round of INFO to each).
constexpr Nanos kForwarderRecheck = std::chrono::seconds(2);

bool NeedsLeader(Consistency c) { return c == Consistency::kStrong || c == Consistency::kLease; }

Reply ToReply(internal::Outcome o) {
  if (o.status.ok() && o.value.is_error()) return {ErrorReplyToStatus(o.value.str), {}};
  return {std::move(o.status), std::move(o.value)};
}

const char* LevelName(Consistency c) {
  switch (c) {
    case Consistency::kStrong: return "strong";
    case Consistency::kLease: return "lease";
    case Consistency::kBounded: return "bounded";
    case Consistency::kSession: return "session";
    case Consistency::kEventual: return "eventual";
  }
  return "strong";
}

}  // namespace

resilience::RetryConfig ResilienceOptions::DefaultRetry() {
  resilience::RetryConfig r;
  r.max_attempts = 8;
  r.backoff.initial = std::chrono::milliseconds(20);
  r.backoff.max = std::chrono::milliseconds(500);
  r.backoff.jitter = resilience::Jitter::kFull;
  return r;
}

Client::Impl::Impl(ClientOptions o)
    : opt(std::move(o)), level(opt.consistency), bounded_ms(opt.bounded_ms) {}

// ---------------------------------------------------------------- topology

std::shared_ptr<internal::Connection> Client::Impl::Conn(int i) {
  Node& n = nodes[i];
  if (n.conn && !n.conn->closed()) return n.conn;
  n.conn = std::make_shared<internal::Connection>(
      io, n.host, n.port, std::chrono::milliseconds(opt.request_timeout_ms), tls_context.get());
  n.level_sent = Consistency::kStrong;  // a new connection starts at the node's default
  n.bounded_sent = 0;
  n.session_sent = 0;
  n.conn->set_close_handler([this](const Status&) { stale = true; });
  n.conn->Start(std::chrono::milliseconds(opt.connect_timeout_ms));
  if (!opt.password.empty()) n.conn->Send({"AUTH", opt.password}, false, [](internal::Outcome) {});
  // HELLO 3 (a refusal leaves the connection on RESP2, which is fine).
  n.conn->Send({"HELLO", "3"}, false, [](internal::Outcome) {});
  if (!opt.name.empty()) n.conn->Send({"CLIENT", "SETNAME", opt.name}, false, [](internal::Outcome) {});
  return n.conn;
}

void Client::Impl::Refresh(std::function<void()> then) {
  after_refresh.push_back(std::move(then));
  if (refreshing) return;
  refreshing = true;
  const std::uint64_t gen = ++refresh_gen;
  refresh_outstanding = static_cast<int>(nodes.size());
  refresh_refusal.clear();
  for (int i = 0; i < static_cast<int>(nodes.size()); ++i) {
    nodes[i].leader = false;
    nodes[i].leader_id = 0;
    nodes[i].id = 0;
    auto conn = Conn(i);
    conn->Send({"INFO", "server"}, false, [this, i, gen](internal::Outcome o) {
      if (gen != refresh_gen || !o.status.ok() || !IsText(o.value)) return;
      std::string id = InfoField(o.value.str, "node_id");
      nodes[i].id = std::strtoull(id.c_str(), nullptr, 10);
      if (!InfoField(o.value.str, "cairn_version").empty()) cairn = true;
    });
    conn->Send({"INFO", "replication"}, false, [this, i, gen](internal::Outcome o) {
      if (gen != refresh_gen) return;
      if (o.status.ok() && IsText(o.value)) {
        nodes[i].leader = InfoField(o.value.str, "role") == "master";
        nodes[i].leader_id =
            std::strtoull(InfoField(o.value.str, "leader_id").c_str(), nullptr, 10);
      } else if (o.status.ok() && o.value.is_error()) {
        refresh_refusal = o.value.str;
      }
      if (--refresh_outstanding == 0) FinishRefresh();
    });
  }
  // A node that accepts but does not answer must not hold every request for
  // a whole request timeout: after connect_timeout the refresh ends with the
  // answers it has (a silent node counts as not leader).
  refresh_timer.expires_after(std::chrono::milliseconds(opt.connect_timeout_ms));
  refresh_timer.async_wait([this, gen](boost::system::error_code ec) {
    if (!ec && refreshing && gen == refresh_gen) FinishRefresh();
  });
}

void Client::Impl::FinishRefresh() {
  leader = -1;
  for (int i = 0; i < static_cast<int>(nodes.size()); ++i) {
    // Two nodes may both say "master" briefly (an old leader that has not
    // heard of the new term); the higher-numbered answer is as good a guess
    // as any: a wrong one answers TRYAGAIN or forwards.
    if (nodes[i].leader) leader = i;
  }
  via_forwarder = false;
  if (leader < 0 && cairn) {
    // No seed leads, but a follower that knows the leader forwards writes to
    // it and serves strong reads through it (docs/consistency.md): better than
    // failing every write until a seed leads again.
    for (int i = 0; i < static_cast<int>(nodes.size()); ++i) {
      if (nodes[i].leader_id != 0 && nodes[i].conn && !nodes[i].conn->closed()) {
        leader = i;
        via_forwarder = true;
        forwarder_until = SystemClock::Instance().Now() + kForwarderRecheck;
        break;
      }
    }
  }
  stale = leader < 0;
  refreshing = false;
  ++refresh_gen;  // late answers of this round are ignored
  refresh_timer.cancel();
  {
    std::lock_guard lock(nodes_mu);
    snapshot.clear();
    for (auto& n : nodes) {
      snapshot.push_back({n.address, n.id, n.leader, n.conn && !n.conn->closed()});
    }
  }
  auto waiters = std::move(after_refresh);
  after_refresh.clear();
  for (auto& w : waiters) w();
}

void Client::Impl::RebuildPicker() {
  lb::PickerContext ctx;
  for (auto& n : nodes) ctx.endpoints.push_back({n.address, 1});
  health = std::make_unique<lb::HealthTracker>(nodes.size(), lb::HealthConfig{},
                                               SystemClock::Instance());
  ctx.health = health.get();
  switch (opt.balancer) {
    case Balancer::kRoundRobin:
      picker = std::make_unique<lb::RoundRobinPicker>(std::move(ctx));
      break;
    case Balancer::kLeastOutstanding:
      picker = std::make_unique<lb::LeastOutstandingPicker>(std::move(ctx));
      break;
    case Balancer::kPeakEwma:
      picker = std::make_unique<lb::PeakEwmaPicker>(std::move(ctx), lb::PeakEwmaPicker::Options{});
      break;
  }
}

// ---------------------------------------------------------------- requests

int Client::Impl::Pick(const Request& req) {
  if (req.is_write || NeedsLeader(level.load()) || !cairn) return leader;
  auto i = picker->Pick(random);
  return i ? static_cast<int>(*i) : leader;
}

void Client::Impl::SendLevel(Node& n) {
  if (!cairn) return;
  Consistency want = level.load();
  std::uint32_t bounded = bounded_ms.load();
  std::uint64_t token = session_token.load();
  if (want == Consistency::kSession) {
    if (n.level_sent != want || n.session_sent < token) {
      n.conn->Send({"CONSISTENCY", "session", std::to_string(token)}, false, [](internal::Outcome) {});
      n.session_sent = token;
    }
  } else if (n.level_sent != want || (want == Consistency::kBounded && n.bounded_sent != bounded)) {
    std::vector<std::string> args{"CONSISTENCY", LevelName(want)};
    if (want == Consistency::kBounded) args.push_back(std::to_string(bounded));
    n.conn->Send(args, false, [](internal::Outcome) {});
    n.bounded_sent = bounded;
  }
  n.level_sent = want;
}

void Client::Impl::Start(std::shared_ptr<Request> req) {
  if (stopping) return req->done({Status::Cancelled("client is shutting down"), {}});
  if (req->tracked) return SendTracked(std::move(req));
  if (stale || leader < 0 || (via_forwarder && SystemClock::Instance().Now() >= forwarder_until)) {
    return Refresh([this, req] { Route(req); });
  }
  Route(std::move(req));
}

void Client::Impl::Route(std::shared_ptr<Request> req) {
  int i = Pick(*req);
  if (i < 0) {
    if (!refresh_refusal.empty()) {  // not retried: asking again gets the same answer
      return Finish(req, -1, {Status::FailedPrecondition(refresh_refusal), {}}, Nanos(0));
    }
    return Finish(req, -1, {Status::Unavailable("no leader known (TRYAGAIN later)"), {}}, Nanos(0));
  }
  Node& n = nodes[i];
  auto conn = Conn(i);
  if (!req->is_write) SendLevel(n);
  Nanos started = SystemClock::Instance().Now();
  picker->OnStart(i);
  bool want_token = cairn && level.load() == Consistency::kSession;
  if (!want_token) {
    conn->Send(req->args, req->is_write, [this, req, i, started](internal::Outcome o) {
      Finish(req, i, ToReply(std::move(o)), started);
    });
    return;
  }
  // SESSION pipelined right behind the request: a node answers it once the
  // connection's earlier commands are answered, with a token that covers
  // them (a write's index, or the applied index a read was served from). The
  // request is answered only once the token is known, so whatever the caller
  // does next, on any node, carries it: read-your-writes and monotonic reads.
  // Callbacks run in the order sent (connection.h), failures included, so
  // `held` is set when SESSION's callback runs.
  auto held = std::make_shared<Reply>();
  conn->Send(req->args, req->is_write,
             [held](internal::Outcome o) { *held = ToReply(std::move(o)); });
  conn->Send({"SESSION"}, false, [this, req, i, started, held](internal::Outcome t) {
    if (held->status.ok() && t.status.ok() && t.value.type == resp::Type::kInteger &&
        t.value.integer > 0) {
      AdvanceToken(static_cast<std::uint64_t>(t.value.integer));
    }
    Finish(req, i, std::move(*held), started);
  });
}

void Client::Impl::AdvanceToken(std::uint64_t t) {
  std::uint64_t cur = session_token.load();
  while (cur < t && !session_token.compare_exchange_weak(cur, t)) {
  }
}

void Client::Impl::Finish(std::shared_ptr<Request> req, int i, Reply r, Nanos started) {
  if (i >= 0 && picker) {
    bool ok = r.status.ok() || r.status.code() == StatusCode::kInvalidArgument ||
              r.status.code() == StatusCode::kFailedPrecondition;
    picker->OnFinish(i, SystemClock::Instance().Now() - started, ok);
    if (health) health->Record(i, ok);
  }
  if (r.status.code() == StatusCode::kUnavailable) stale = true;
  bool retry = req->retry && !stopping && r.status.code() == StatusCode::kUnavailable &&
               req->attempt + 1 < opt.resilience.retry.max_attempts;
  if (!retry) return req->done(std::move(r));
  ++req->attempt;
  req->previous_delay = opt.resilience.retry.backoff.Next(req->attempt, req->previous_delay, random);
  auto timer = std::make_shared<asio::steady_timer>(io, req->previous_delay);
  timer->async_wait([this, req, timer](boost::system::error_code) { Start(req); });
}

// ---------------------------------------------------------------- tracking

void Client::Impl::OnPush(const resp::Value& v) {
  if (v.elems.size() < 2 || v.elems[0].str != "invalidate" || !tracking.on_invalidate) return;
  if (v.elems[1].is_null()) return tracking.on_invalidate(std::nullopt);
  std::vector<std::string> keys;
  for (const auto& k : v.elems[1].elems) keys.push_back(k.str);
  tracking.on_invalidate(keys);
}

void Client::Impl::SendTracked(std::shared_ptr<Request> req) {
  if (!tracking_conn || tracking_conn->closed()) {
    if (stale || leader < 0) {
      return Refresh([this, req] {
        if (leader < 0) return Finish(req, -1, {Status::Unavailable("no leader known"), {}}, Nanos(0));
        SendTracked(req);
      });
    }
    const Node& n = nodes[leader];
    tracking_node = leader;
    tracking_conn = std::make_shared<internal::Connection>(
        io, n.host, n.port, std::chrono::milliseconds(opt.request_timeout_ms), tls_context.get());
    auto conn = tracking_conn;
    conn->set_push_handler([this](const resp::Value& v) { OnPush(v); });
    conn->set_close_handler([this](const Status& why) {
      stale = true;
      if (tracking.on_lost) tracking.on_lost(why);
    });
    conn->Start(std::chrono::milliseconds(opt.connect_timeout_ms));
    if (!opt.password.empty()) conn->Send({"AUTH", opt.password}, false, [](internal::Outcome) {});
    // Without RESP3 and tracking, this connection must not feed a cache.
    conn->Send({"HELLO", "3"}, false, [conn](internal::Outcome o) {
      if (!o.status.ok() || o.value.is_error()) conn->Close(Status::Unavailable("HELLO 3 refused"));
    });
    conn->Send({"CLIENT", "TRACKING", "ON"}, false, [conn](internal::Outcome o) {
      if (!o.status.ok() || o.value.is_error()) {
        conn->Close(Status::Unavailable("CLIENT TRACKING refused: " + o.value.str));
      }
    });
    // Fills and fence probes are strong reads on the leader (client/cache.h).
    if (cairn) conn->Send({"CONSISTENCY", "strong"}, false, [](internal::Outcome) {});
  }
  Nanos started = SystemClock::Instance().Now();
  tracking_conn->Send(req->args, req->is_write, [this, req, started](internal::Outcome o) {
    req->retry = false;  // the cache decides; a lost tracking connection flushes it
    Finish(req, -1, ToReply(std::move(o)), started);
  });
}

// ---------------------------------------------------------------- Client

Result<std::unique_ptr<Client>> Client::Connect(ClientOptions options) {
  if (options.seeds.empty()) return Status::InvalidArgument("client: no seeds");
  auto impl = std::make_unique<Impl>(std::move(options));
  if (impl->opt.tls.enabled) {
    CAIRN_ASSIGN_OR_RETURN(impl->tls_context, MakeClientTlsContext(impl->opt.tls));
  }
  for (const auto& seed : impl->opt.seeds) {
    auto colon = seed.rfind(':');
    if (colon == std::string::npos) return Status::InvalidArgument("client: seed without port: " + seed);
    Impl::Node n;
    n.host = seed.substr(0, colon);
    int port = std::atoi(seed.c_str() + colon + 1);
    if (port <= 0 || port > 65535) return Status::InvalidArgument("client: bad port in " + seed);
    n.port = static_cast<std::uint16_t>(port);
    n.address = seed;
    impl->nodes.push_back(std::move(n));
  }
  if (impl->opt.resilience.enabled) {
    resilience::PipelineBuilder b;
    b.WithRetry(impl->opt.resilience.retry);
    if (impl->opt.resilience.breaker) b.WithCircuitBreaker(*impl->opt.resilience.breaker);
    if (impl->opt.resilience.bulkhead) b.WithBulkhead(*impl->opt.resilience.bulkhead);
    auto p = b.Build();
    if (!p.ok()) return p.status();
    impl->pipeline = std::move(*p);
  }
  impl->RebuildPicker();
  impl->work.emplace(impl->io.get_executor());
  Impl* raw = impl.get();
  impl->thread = std::thread([raw] { raw->io.run(); });
  impl->thread_id = impl->thread.get_id();
  std::unique_ptr<Client> c(new Client(std::move(impl)));
  // Learn the topology once (a plain Redis has no leader election: it is the leader).
  std::promise<bool> found;
  asio::post(raw->io, [raw, &found] {
    raw->Refresh([raw, &found] {
      bool any = false;
      for (auto& n : raw->nodes) any = any || (n.conn && !n.conn->closed());
      found.set_value(any);
    });
  });
  if (!found.get_future().get()) return Status::Unavailable("client: no seed answered");
  return c;
}

Client::Client(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Client::~Client() {
  asio::post(impl_->io, [impl = impl_.get()] {
    impl->stopping = true;
    impl->refresh_timer.cancel();
    for (auto& n : impl->nodes) {
      if (n.conn) n.conn->Close(Status::Cancelled("client is shutting down"));
    }
    if (impl->tracking_conn) impl->tracking_conn->Close(Status::Cancelled("client is shutting down"));
    impl->work.reset();
  });
  impl_->thread.join();
}

void Client::CommandAsync(std::vector<std::string> args, Callback done) {
  auto req = std::make_shared<Impl::Request>();
  req->is_write = args.empty() || IsWriteCommand(args[0]);
  req->args = std::move(args);
  req->done = std::move(done);
  if (req->args.empty()) return req->done({Status::InvalidArgument("empty command"), {}});
  asio::post(impl_->io, [impl = impl_.get(), req] { impl->Start(req); });
}

void Client::TrackedCommandAsync(std::vector<std::string> args, Callback done) {
  auto req = std::make_shared<Impl::Request>();
  req->is_write = args.empty() || IsWriteCommand(args[0]);
  req->tracked = true;
  req->args = std::move(args);
  req->done = std::move(done);
  asio::post(impl_->io, [impl = impl_.get(), req] { impl->Start(req); });
}

Result<resp::Value> Client::Blocking(std::vector<std::string> args, bool tracked) {
  if (std::this_thread::get_id() == impl_->thread_id) {
    return Status::FailedPrecondition("blocking client call from a client callback");
  }
  bool is_write = args.empty() || IsWriteCommand(args[0]);
  auto once = [&]() -> Result<resp::Value> {
    auto req = std::make_shared<Impl::Request>();
    req->args = args;
    req->is_write = is_write;
    req->tracked = tracked;
    req->retry = false;  // the pipeline retries
    std::promise<Reply> p;
    req->done = [&p](Reply r) { p.set_value(std::move(r)); };
    asio::post(impl_->io, [impl = impl_.get(), req] { impl->Start(req); });
    Reply r = p.get_future().get();
    if (!r.status.ok()) {
      // Reads are idempotent: a timed-out read is as retryable as TRYAGAIN.
      if (!is_write && r.status.code() == StatusCode::kDeadlineExceeded) {
        return Status::Unavailable(r.status.message());
      }
      return r.status;
    }
    return std::move(r.value);
  };
  if (impl_->pipeline) return impl_->pipeline->Execute(once);
  return once();
}

Result<resp::Value> Client::Command(std::vector<std::string> args) {
  return Blocking(std::move(args), false);
}

Result<std::optional<std::string>> Client::Get(const std::string& key) {
  CAIRN_ASSIGN_OR_RETURN(resp::Value v, Command({"GET", key}));
  if (v.is_null()) return std::optional<std::string>();
  return std::optional<std::string>(std::move(v.str));
}

Status Client::Set(const std::string& key, const std::string& value,
                   std::chrono::milliseconds ttl) {
  std::vector<std::string> args{"SET", key, value};
  if (ttl.count() > 0) {
    args.push_back("PX");
    args.push_back(std::to_string(ttl.count()));
  }
  auto r = Command(std::move(args));
  return r.ok() ? Status::Ok() : r.status();
}

Result<std::int64_t> Client::Del(const std::vector<std::string>& keys) {
  std::vector<std::string> args{"DEL"};
  args.insert(args.end(), keys.begin(), keys.end());
  CAIRN_ASSIGN_OR_RETURN(resp::Value v, Command(std::move(args)));
  return v.integer;
}

void Client::SetConsistency(Consistency level, std::uint32_t bounded_ms) {
  impl_->bounded_ms = bounded_ms;
  impl_->level = level;
}
Consistency Client::consistency() const { return impl_->level.load(); }
std::uint64_t Client::session_token() const { return impl_->session_token.load(); }
void Client::AdvanceSessionToken(std::uint64_t token) {
  impl_->AdvanceToken(token);
}
std::vector<NodeInfo> Client::Nodes() const {
  std::lock_guard lock(impl_->nodes_mu);
  return impl_->snapshot;
}
bool Client::is_cairn() const { return impl_->cairn.load(); }
resilience::Pipeline* Client::pipeline() { return impl_->pipeline.get(); }
boost::asio::io_context& Client::io() { return impl_->io; }

void Client::ResetTracking() {
  asio::post(impl_->io, [impl = impl_.get()] {
    if (impl->tracking_conn) impl->tracking_conn->Close(Status::Unavailable("tracking reset"));
  });
}

void Client::SetTrackingHandlers(TrackingHandlers handlers) {
  std::promise<void> p;
  asio::post(impl_->io, [impl = impl_.get(), &handlers, &p] {
    impl->tracking = std::move(handlers);
    p.set_value();
  });
  p.get_future().wait();
}

}  // namespace cairn::client
