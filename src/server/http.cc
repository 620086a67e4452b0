// The HTTP API on Boost.Beast: one request per connection (Connection:
// close), routed by the table in BuildRoutes(). Reading, limits and 4xx
// answers are in http_router.{h,cc}; admin routes that change the cluster
// run on the leader (a follower forwards them over the peer link).
#include <utility>  // before Boost (1.74)

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "net/raft_codec.h"
#include "server/node_impl.h"
#include "server/session.h"

namespace cairn::server {
namespace {

namespace beast = boost::beast;
using http::Request;
using http::Respond;
using http::Response;
using Params = std::vector<std::string>;

// A client that has not sent a whole request by then is dropped.
constexpr auto kHttpReadTimeout = std::chrono::seconds(10);

Response Text(int status, std::string body) { return Response{status, "text/plain", std::move(body)}; }

asio::awaitable<void> WriteAndClose(std::shared_ptr<asio::ip::tcp::socket> socket, std::string bytes) {
  boost::system::error_code ec;
  co_await asio::async_write(*socket, asio::buffer(bytes), asio::redirect_error(asio::use_awaitable, ec));
  socket->shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  socket->close(ec);
}

}  // namespace

std::string Node::Impl::StatusJson() const {
  nlohmann::json j;
  j["id"] = opt.id;
  j["role"] = std::string(raft::RoleName(raft->role()));
  j["leader"] = raft->leader();
  j["term"] = raft->term();
  j["commit_index"] = raft->log().committed();
  j["applied_index"] = sm->applied_index();
  j["last_index"] = raft->log().last_index();
  j["keys"] = sm->stored_keys();
  j["resp_port"] = opt.resp_port;
  j["tls_port"] = opt.tls_port;
  j["http_port"] = opt.http_port;
  j["clients"] = metrics.clients_connected;
  nlohmann::json members = nlohmann::json::array();
  std::vector<raft::NodeId> ids = raft->membership().voters;
  ids.insert(ids.end(), raft->membership().learners.begin(), raft->membership().learners.end());
  for (raft::NodeId id : ids) {
    nlohmann::json m;
    m["id"] = id;
    m["raft_address"] = MemberAddressText(id);
    m["self"] = id == opt.id;
    m["leader"] = id == raft->leader();
    m["connected"] = id == opt.id || transport->Connected(id);
    if (const raft::Progress* pr = raft->progress(id)) m["match_index"] = pr->match();
    members.push_back(m);
  }
  j["members"] = members;
  return j.dump();
}

std::string Node::Impl::MetricsText() const {
  std::string out;
  auto g = [&](std::string_view name, std::string_view type, std::string_view help, auto value) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n{} {}\n", name, help, name, type, name, value);
  };
  g("cairn_raft_term", "gauge", "Current Raft term.", raft->term());
  g("cairn_raft_is_leader", "gauge", "1 if this node leads.", is_leader() ? 1 : 0);
  g("cairn_raft_leader_changes_total", "counter", "Role or leader changes seen.",
    metrics.leader_changes_total);
  g("cairn_raft_commit_index", "gauge", "Highest committed log index.", raft->log().committed());
  g("cairn_raft_applied_index", "gauge", "Highest applied log index.", sm->applied_index());
  g("cairn_raft_last_index", "gauge", "Last log index.", raft->log().last_index());
  g("cairn_raft_proposals_total", "counter", "Writes proposed by this node.",
    metrics.proposals_total);
  g("cairn_raft_proposal_groups_total", "counter",
    "Group entries proposed (several writes in one log entry).", metrics.proposal_groups_total);
  g("cairn_raft_proposal_batches_total", "counter", "Proposal batches (one per Ready cycle).",
    metrics.proposal_batches_total);
  g("cairn_raft_proposals_failed_total", "counter", "Proposals refused.",
    metrics.proposals_failed_total);
  g("cairn_raft_log_syncs_total", "counter", "fdatasync calls on the Raft log.",
    log_syncs.load());
  g("cairn_raft_ready_cycles_total", "counter", "Ready batches processed.",
    metrics.ready_cycles_total);
  auto ts = transport->stats();
  g("cairn_peer_bytes_out_total", "counter", "Bytes sent to peers.", ts.bytes_out);
  g("cairn_peer_bytes_in_total", "counter", "Bytes received from peers.", ts.bytes_in);
  g("cairn_peer_frames_dropped_total", "counter", "Frames dropped on full queues.",
    ts.frames_dropped);
  g("cairn_peer_unauthenticated_total", "counter",
    "Peer connections closed because their Hello lacked the proof of the cluster's secret "
    "(requirepass).",
    ts.unauthenticated);
  g("cairn_clients_connected", "gauge", "Connected RESP clients.", metrics.clients_connected);
  g("cairn_client_connections_total", "counter", "RESP connections accepted.",
    metrics.connections_total);
  g("cairn_loop_stalls_total", "counter",
    "Times the event loop ran an election timeout or more behind its ticks (busy, or "
    "descheduled): long enough for peers to suspect this node.",
    metrics.loop_stalls_total);
  g("cairn_client_tls_handshake_failures_total", "counter",
    "TLS connections closed before their handshake finished (failed or timed out).",
    metrics.tls_handshake_failures_total);
  g("cairn_client_bytes_in_total", "counter", "Bytes read from RESP clients.",
    metrics.client_bytes_in_total);
  g("cairn_client_bytes_out_total", "counter", "Bytes written to RESP clients.",
    metrics.client_bytes_out_total);
  g("cairn_client_writes_total", "counter",
    "Writes of replies to RESP client sockets (a write carries every reply ready for it).",
    metrics.client_writes_total);
  g("cairn_commands_total", "counter", "RESP commands received.", metrics.commands_total);
  g("cairn_pubsub_messages_total", "counter",
    "Published messages delivered to this node's subscribers (one per subscription).",
    metrics.pubsub_messages_total);
  g("cairn_pubsub_dropped_clients_total", "counter",
    "Subscribers and MONITOR connections closed for leaving more than 32 MiB unread.",
    metrics.pubsub_dropped_clients_total);
  g("cairn_pubsub_channels", "gauge", "Channels with a subscriber on this node.",
    pubsub.NumChannels());
  g("cairn_pubsub_patterns", "gauge", "Distinct patterns subscribed to on this node.",
    pubsub.NumPat());
  g("cairn_pubsub_shard_channels", "gauge", "Shard channels with a subscriber on this node.",
    pubsub.NumShardChannels());
  g("cairn_auth_failures_total", "counter",
    "AUTH (or HELLO ... AUTH) attempts refused for a wrong user name or password.",
    metrics.auth_failures_total);
  g("cairn_forwarded_total", "counter", "Requests forwarded to the leader.",
    metrics.forwarded_total);
  g("cairn_freshness_probes_total", "counter",
    "Confirmed read indexes this node asked for to serve bounded reads locally.",
    metrics.freshness_probes_total);
  g("cairn_reads_total", "counter", "Key reads served or forwarded.", metrics.reads_total);
  g("cairn_lease_reads_local_total", "counter",
    "Lease reads answered at once, without waiting for a Raft Ready.",
    metrics.lease_reads_local_total);
  g("cairn_log_reads_total", "counter",
    "Key reads that went through the Raft log because their connection had unanswered writes "
    "before them.",
    metrics.log_reads_total);
  if (rocks != nullptr) {
    const cache::CacheStats cs = rocks->cache_stats();
    g("cairn_read_cache_hits_total", "counter",
      "Key reads answered from the read cache (values and known-absent keys).",
      cs.hits + cs.negative_hits);
    g("cairn_read_cache_misses_total", "counter", "Key reads that went to RocksDB.", cs.misses);
    g("cairn_read_cache_bytes", "gauge", "Bytes charged to entries in the read cache.",
      rocks->cache_bytes_used());
  }
  g("cairn_snapshots_total", "counter", "State machine checkpoints taken by this node.",
    metrics.snapshots_total);
  g("cairn_snapshots_installed_total", "counter", "Snapshots received from a leader and installed.",
    metrics.snapshots_installed_total);
  g("cairn_snapshot_sent_bytes_total", "counter", "Snapshot bytes streamed to followers.",
    metrics.snapshot_bytes_sent_total);
  g("cairn_snapshot_received_bytes_total", "counter", "Snapshot bytes received from a leader.",
    metrics.snapshot_bytes_received_total);
  g("cairn_snapshot_index", "gauge", "Index covered by this node's latest snapshot.",
    last_snapshot_index);
  out +=
      "# HELP cairn_raft_log_sync_duration_seconds Time to write one Ready's entries to the "
      "Raft log and fdatasync them.\n"
      "# TYPE cairn_raft_log_sync_duration_seconds histogram\n";
  metrics.log_sync_duration.Render("cairn_raft_log_sync_duration_seconds", "", &out);
  out += "# HELP cairn_request_duration_seconds Time from parse to reply, by command.\n"
         "# TYPE cairn_request_duration_seconds histogram\n";
  for (const auto& [cmd, h] : metrics.latency_by_command) {
    h.Render("cairn_request_duration_seconds", fmt::format("command=\"{}\"", cmd), &out);
  }
  return out;
}

void Node::Impl::BuildRoutes() {
  router.Add(http::Verb::get, "/health", [](const Request&, const Params&, Respond done) {
    done(Text(200, "ok\n"));
  });
  router.Add(http::Verb::get, "/ready", [this](const Request&, const Params&, Respond done) {
    bool ready = raft->leader() != raft::kNoNode && sm->applied_index() >= raft->log().committed();
    done(ready ? Text(200, "ready\n") : Text(503, "not ready\n"));
  });
  router.Add(http::Verb::get, "/metrics", [this](const Request&, const Params&, Respond done) {
    done(Response{200, "text/plain; version=0.0.4", MetricsText()});
  });
  router.Add(http::Verb::get, "/v1/status", [this](const Request&, const Params&, Respond done) {
    done(http::Json(200, StatusJson()));
  });
  router.Add(http::Verb::get, "/v1/members", [this](const Request&, const Params&, Respond done) {
    done(http::Json(200, MembersJson()));
  });
  // The changes below need the node's requirepass, if it has one; the
  // probes, the metrics and the read-only status stay open (docs/operations.md).
  const std::string& pw = opt.requirepass;
  router.Add(
      http::Verb::post, "/v1/members",
      http::RequireBearer(pw, LeaderOnly([this](const Request& req, const Params&, Respond done) {
                            auto r = ParseAddMember(req.body());
                            if (!r.ok()) return done(http::JsonError(400, r.status().message()));
                            AddMember(*r, std::move(done));
                          })));
  router.Add(
      http::Verb::delete_, "/v1/members/{}",
      http::RequireBearer(pw, LeaderOnly([this](const Request&, const Params& p, Respond done) {
                            auto id = http::ParseNodeId(p.at(0));
                            if (!id.ok()) return done(http::JsonError(400, id.status().message()));
                            RemoveMember(*id, std::move(done));
                          })));
  router.Add(
      http::Verb::post, "/v1/transfer-leader",
      http::RequireBearer(pw, LeaderOnly([this](const Request& req, const Params&, Respond done) {
                            auto to = ParseTransferTarget(req.body());
                            if (!to.ok()) return done(http::JsonError(400, to.status().message()));
                            TransferLeader(*to, std::move(done));
                          })));
  // Node-local: this node checkpoints its own state machine and compacts its
  // own log (every node snapshots on its own; nothing is forwarded).
  router.Add(http::Verb::post, "/v1/snapshot",
             http::RequireBearer(pw, [this](const Request&, const Params&, Respond done) {
               auto r = TriggerSnapshot();
               if (r.ok()) {
                 return done(http::Json(200, fmt::format("{{\"snapshot_index\":{}}}", *r)));
               }
               bool no_store = r.status().code() == StatusCode::kFailedPrecondition;
               done(http::JsonError(no_store ? 409 : 500, r.status().message()));
             }));
}

http::Handler Node::Impl::LeaderOnly(http::Handler handler) {
  return [this, handler](const Request& req, const Params& params, Respond done) {
    if (is_leader()) return handler(req, params, std::move(done));
    if (raft->leader() == raft::kNoNode) {
      return done(http::JsonError(503, "no leader elected yet; retry"));
    }
    ForwardAdmin(req, std::move(done));
  };
}

// A follower sends the request to the leader over the peer link and relays
// the leader's answer ("forwarded to node N" is not added: the body is the
// leader's own).
void Node::Impl::ForwardAdmin(const Request& req, Respond done) {
  std::string body;
  net::ByteWriter w(&body);
  w.Bytes(std::string_view(req.method_string().data(), req.method_string().size()));
  w.Bytes(std::string_view(req.target().data(), req.target().size()));
  w.Bytes(req.body());
  Forward(ForwardKind::kAdmin, std::move(body), [done](Reply rep) {
    const resp::Value& v = rep.value;
    if (v.type == resp::Type::kArray && v.elems.size() == 3 &&
        v.elems[0].type == resp::Type::kInteger) {
      return done(Response{static_cast<int>(v.elems[0].integer), v.elems[1].str, v.elems[2].str});
    }
    bool timeout = v.type == resp::Type::kError && v.str.rfind("TIMEOUT", 0) == 0;
    done(http::JsonError(timeout ? 504 : 503,
                         v.type == resp::Type::kError ? v.str : "bad reply from the leader"));
  }, /*admin=*/true);
}

// The leader's side of ForwardAdmin: the request runs through the same table.
void Node::Impl::OnForwardAdmin(std::string_view body, Done reply) {
  net::ByteReader r(body);
  std::string_view method, target, content;
  if (!r.Bytes(&method) || !r.Bytes(&target) || !r.Bytes(&content) || r.remaining() != 0) {
    return reply({resp::Value::Error("ERR bad forwarded admin request"), 0});
  }
  Request req;
  req.method(beast::http::string_to_verb(beast::string_view(method.data(), method.size())));
  req.target(beast::string_view(target.data(), target.size()));
  req.version(11);
  req.body() = std::string(content);
  router.Dispatch(req, [reply](Response out) {
    reply({resp::Value::Array({resp::Value::Int(out.status), resp::Value::Bulk(out.content_type),
                               resp::Value::Bulk(out.body)}),
           0});
  });
}

asio::awaitable<void> Node::Impl::AcceptHttp() {
  while (!stopping) {
    boost::system::error_code ec;
    asio::ip::tcp::socket socket =
        co_await http_acceptor->async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      if (stopping) co_return;
      continue;
    }
    asio::co_spawn(io, ServeHttp(std::move(socket)), asio::detached);
  }
}

asio::awaitable<void> Node::Impl::ServeHttp(asio::ip::tcp::socket plain) {
  auto socket = std::make_shared<asio::ip::tcp::socket>(std::move(plain));
  asio::steady_timer deadline(io);
  deadline.expires_after(kHttpReadTimeout);
  deadline.async_wait([socket](boost::system::error_code ec) {
    if (!ec) socket->close(ec);
  });
  beast::flat_buffer buffer(http::kHttpHeaderBytesMax + http::kHttpBodyBytesMax);
  http::Parser parser;
  http::ConfigureParser(&parser);
  boost::system::error_code ec;
  co_await beast::http::async_read(*socket, buffer, parser,
                                   asio::redirect_error(asio::use_awaitable, ec));
  deadline.cancel();
  if (ec == beast::http::error::end_of_stream || ec == asio::error::operation_aborted ||
      !socket->is_open()) {
    co_return;  // closed before a request, or timed out
  }
  auto respond = [this, socket](Response r) {
    asio::co_spawn(io, WriteAndClose(socket, http::Serialize(r)), asio::detached);
  };
  if (ec) {
    respond(http::ParseErrorResponse(ec));
  } else {
    router.Dispatch(parser.get(), respond);
  }
}

}  // namespace cairn::server
