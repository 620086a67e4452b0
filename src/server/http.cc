// The HTTP API: /health, /ready, /metrics, /v1/status. A deliberately small
// HTTP/1.1 responder (one request per connection, Connection: close) over
// Asio: the four GET routes need no more, and it keeps Beast out of the build.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "server/node_impl.h"
#include "server/session.h"

namespace cairn::server {
namespace {

constexpr std::size_t kHttpRequestBytesMax = 8 << 10;

std::string Response(int code, std::string_view reason, std::string_view type,
                     std::string_view body) {
  return fmt::format(
      "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
      code, reason, type, body.size(), body);
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
  j["http_port"] = opt.http_port;
  j["clients"] = metrics.clients_connected;
  nlohmann::json members = nlohmann::json::array();
  for (const auto& p : opt.peers) {
    nlohmann::json m;
    m["id"] = p.id;
    m["raft_address"] = fmt::format("{}:{}", p.host, p.port);
    m["self"] = p.id == opt.id;
    m["leader"] = p.id == raft->leader();
    m["connected"] = p.id == opt.id || transport->Connected(p.id);
    if (const raft::Progress* pr = raft->progress(p.id)) m["match_index"] = pr->match();
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
  g("cairn_raft_proposals_total", "counter", "Entries proposed by this node.",
    metrics.proposals_total);
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
  g("cairn_clients_connected", "gauge", "Connected RESP clients.", metrics.clients_connected);
  g("cairn_client_connections_total", "counter", "RESP connections accepted.",
    metrics.connections_total);
  g("cairn_client_bytes_in_total", "counter", "Bytes read from RESP clients.",
    metrics.client_bytes_in_total);
  g("cairn_client_bytes_out_total", "counter", "Bytes written to RESP clients.",
    metrics.client_bytes_out_total);
  g("cairn_commands_total", "counter", "RESP commands received.", metrics.commands_total);
  g("cairn_forwarded_total", "counter", "Requests forwarded to the leader.",
    metrics.forwarded_total);
  out += "# HELP cairn_request_duration_seconds Time from parse to reply, by command.\n"
         "# TYPE cairn_request_duration_seconds histogram\n";
  for (const auto& [cmd, h] : metrics.latency_by_command) {
    h.Render("cairn_request_duration_seconds", fmt::format("command=\"{}\"", cmd), &out);
  }
  return out;
}

asio::awaitable<void> Node::Impl::AcceptHttp() {
  while (!stopping) {
    boost::system::error_code ec;
    auto socket = std::make_shared<asio::ip::tcp::socket>(
        co_await http_acceptor->async_accept(asio::redirect_error(asio::use_awaitable, ec)));
    if (ec) {
      if (stopping) co_return;
      continue;
    }
    asio::co_spawn(
        io,
        [this, socket]() -> asio::awaitable<void> {
          std::string req;
          boost::system::error_code rec;
          co_await asio::async_read_until(*socket, asio::dynamic_buffer(req, kHttpRequestBytesMax),
                                          "\r\n\r\n",
                                          asio::redirect_error(asio::use_awaitable, rec));
          std::string resp;
          std::string_view line(req);
          line = line.substr(0, line.find("\r\n"));
          if (rec && req.empty()) co_return;
          if (line.rfind("POST /v1/snapshot ", 0) == 0) {
            auto r = TriggerSnapshot();
            resp = r.ok() ? Response(200, "OK", "application/json",
                                     fmt::format("{{\"snapshot_index\":{}}}\n", *r))
                          : Response(503, "Service Unavailable", "text/plain", r.status().ToString() + "\n");
          } else if (line.rfind("GET ", 0) != 0) {
            resp = Response(405, "Method Not Allowed", "text/plain", "GET only\n");
          } else {
            std::string_view path = line.substr(4, line.find(' ', 4) - 4);
            if (path == "/health") {
              resp = Response(200, "OK", "text/plain", "ok\n");
            } else if (path == "/ready") {
              bool ready = raft->leader() != raft::kNoNode &&
                           sm->applied_index() >= raft->log().committed();
              resp = ready ? Response(200, "OK", "text/plain", "ready\n")
                           : Response(503, "Service Unavailable", "text/plain", "not ready\n");
            } else if (path == "/metrics") {
              resp = Response(200, "OK", "text/plain; version=0.0.4", MetricsText());
            } else if (path == "/v1/status") {
              resp = Response(200, "OK", "application/json", StatusJson() + "\n");
            } else {
              resp = Response(404, "Not Found", "text/plain", "not found\n");
            }
          }
          co_await asio::async_write(*socket, asio::buffer(resp),
                                     asio::redirect_error(asio::use_awaitable, rec));
          socket->shutdown(asio::ip::tcp::socket::shutdown_both, rec);
          socket->close(rec);
        },
        asio::detached);
  }
}

}  // namespace cairn::server
