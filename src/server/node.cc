#include "server/node.h"

#include <fmt/format.h>
#include <malloc.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>

#include "server/node_impl.h"
#include "server/session.h"
#include "server/tls.h"

namespace cairn::server {
namespace {

Result<std::unique_ptr<asio::ip::tcp::acceptor>> Listen(asio::io_context& io,
                                                        const std::string& host,
                                                        std::uint16_t port) {
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(host, ec);
  if (ec) return Status::InvalidArgument("bad bind address " + host);
  auto a = std::make_unique<asio::ip::tcp::acceptor>(io);
  asio::ip::tcp::endpoint ep(addr, port);
  a->open(ep.protocol(), ec);
  if (!ec) a->set_option(asio::ip::tcp::acceptor::reuse_address(true), ec);
  if (!ec) a->bind(ep, ec);
  if (!ec) a->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Status::IOError(fmt::format("listen on {}:{}: {}", host, port, ec.message()));
  return a;
}

std::string RespPorts(const NodeOptions& o) {
  std::string plain = fmt::format("{}:{}", o.bind_host, o.resp_port);
  if (o.tls_port == 0) return plain;
  std::string tls = fmt::format("{}:{} (TLS, client certificates: {})", o.bind_host, o.tls_port,
                                o.tls_auth_clients);
  return o.resp_port == 0 ? tls : plain + " and " + tls;
}

}  // namespace

Node::Node(NodeOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

Status Node::Start() {
  Impl& n = *impl_;
  // A TLS setting that cannot work stops the node before it touches its log.
  if (n.opt.tls_port != 0) {
    CAIRN_ASSIGN_OR_RETURN(n.tls_context, MakeServerTlsContext(n.opt));
  }
  CAIRN_RETURN_IF_ERROR(n.StartRaft());
  n.BuildRoutes();
  if (n.opt.tls_port != 0) {
    CAIRN_ASSIGN_OR_RETURN(n.tls_acceptor, Listen(n.io, n.opt.bind_host, n.opt.tls_port));
    asio::co_spawn(n.io, n.AcceptResp(*n.tls_acceptor, n.tls_context.get()), asio::detached);
  }
  if (n.opt.resp_port != 0 || n.opt.tls_port == 0) {  // resp_port 0 alone: any free port
    CAIRN_ASSIGN_OR_RETURN(n.resp_acceptor, Listen(n.io, n.opt.bind_host, n.opt.resp_port));
    asio::co_spawn(n.io, n.AcceptResp(*n.resp_acceptor, nullptr), asio::detached);
  }
  CAIRN_ASSIGN_OR_RETURN(n.http_acceptor, Listen(n.io, n.opt.bind_host, n.opt.http_port));
  asio::co_spawn(n.io, n.AcceptHttp(), asio::detached);
  n.signals = std::make_unique<asio::signal_set>(n.io, SIGINT, SIGTERM);
  n.signals->async_wait([this](boost::system::error_code ec, int sig) {
    if (ec) return;
    spdlog::info("node {}: signal {}, stopping", impl_->opt.id, sig);
    RequestStop();
  });
  spdlog::info("node {}: RESP on {}, HTTP on {}:{}, {} peers{}, data {}, {}", n.opt.id,
               RespPorts(n.opt), n.opt.bind_host, n.opt.http_port, n.dialled.size(),
               n.opt.join ? " (joining: waits to be added)" : "",
               n.opt.data_dir.empty() ? "in memory" : n.opt.data_dir,
               n.opt.requirepass.empty() ? "no password (anyone who reaches the ports may write)"
                                         : "clients must AUTH");
  return Status::Ok();
}

void Node::Run() {
  impl_->io.run();
  // The loop has ended: let the persist thread finish its write, then join.
  impl_->persist_work.reset();
  if (impl_->persist_thread.joinable()) impl_->persist_thread.join();
  impl_->JoinSnapshotThread();
}

Node::~Node() {
  impl_->JoinSnapshotThread();
  if (impl_->persist_thread.joinable()) {
    impl_->persist_work.reset();
    impl_->persist_thread.join();
  }
}

void Node::RequestStop() {
  asio::post(impl_->io, [this] { impl_->BeginStop(); });
}

// A leader that is asked to stop first hands leadership to its most
// caught-up voter (TimeoutNow), so the cluster does not sit out an election
// timeout and writes it already proposed get their outcome from the new
// leader's commit. The hand-over ends when this node is no longer leader and
// every write it proposed is answered, or at the deadline (two maximum
// election timeouts) whatever happened; Tick() watches for either.
void Node::Impl::BeginStop() {
  if (stopping || handing_over) return;
  if (is_leader()) {
    raft::NodeId best = PickTransferTarget();
    if (best != raft::kNoNode && raft->TransferLeadership(best).ok()) {
      spdlog::info("node {}: stopping; handing leadership to node {} first", opt.id, best);
      handing_over = true;
      handover_deadline_ms =
          MonoMs() + 2 * std::int64_t{raft::Config{}.election_timeout_ticks_max} * opt.tick_ms;
      ScheduleReady();
      return;
    }
  }
  FinishStop();
}

// Stop accepting; answer every waiting request with an error; let sessions
// write what they owe (bounded by a grace period), then end the loop. The
// Raft log needs no flush: every Ready was written (and synced when required)
// before it was acknowledged.
void Node::Impl::FinishStop() {
  if (stopping) return;
  handing_over = false;
  stopping = true;
  boost::system::error_code ec;
  if (resp_acceptor) resp_acceptor->close(ec);
  if (tls_acceptor) tls_acceptor->close(ec);
  http_acceptor->close(ec);
  tick_timer->cancel();
  signals->cancel();
  FailAll("TIMEOUT server is shutting down; a pending write may or may not have applied");
  for (auto& [id, w] : sessions) {
    if (auto s = w.lock()) s->Shutdown();
  }
  transport->Stop();
  auto grace = std::make_shared<asio::steady_timer>(io, std::chrono::milliseconds(300));
  grace->async_wait([this, grace](boost::system::error_code) { io.stop(); });
}

namespace {

// As Redis prints sizes in INFO: 1023B, 1.50K, 12.25M, 1.00G.
std::string HumanBytes(std::uint64_t n) {
  const double d = static_cast<double>(n);
  if (n < 1024) return fmt::format("{}B", n);
  if (n < (1ull << 20)) return fmt::format("{:.2f}K", d / 1024);
  if (n < (1ull << 30)) return fmt::format("{:.2f}M", d / (1 << 20));
  return fmt::format("{:.2f}G", d / (1ull << 30));
}

}  // namespace

std::string Node::Impl::InfoText(std::string_view section) const {
  std::string out;
  auto want = [&](std::string_view s) {
    return section.empty() || section == "all" || section == "everything" || section == s;
  };
  if (want("server")) {
    const std::int64_t uptime_s = (NowMs() - started_ms) / 1000;
    out += fmt::format(
        "# Server\r\nredis_version:7.0.0\r\ncairn_version:0.1.0\r\nredis_mode:standalone\r\n"
        "arch_bits:{}\r\nprocess_id:{}\r\ntcp_port:{}\r\nuptime_in_seconds:{}\r\n"
        "uptime_in_days:{}\r\nnode_id:{}\r\ntls_port:{}\r\n\r\n",
        sizeof(void*) * 8, ::getpid(), opt.resp_port, uptime_s, uptime_s / 86400, opt.id,
        opt.tls_port);
  }
  if (want("clients")) {
    out += fmt::format(
        "# Clients\r\nconnected_clients:{}\r\nmaxclients:{}\r\nblocked_clients:{}\r\n\r\n",
        metrics.clients_connected, opt.clients_max, blocked_clients);
  }
  if (want("memory")) {
    // The heap as malloc counts it, and the resident set as the kernel
    // does; no maxmemory (keys live in RocksDB, on disk, not in the heap).
    const struct mallinfo2 heap = ::mallinfo2();
    const std::uint64_t used = heap.uordblks + heap.hblkhd;
    std::uint64_t rss = 0;
    if (std::FILE* f = std::fopen("/proc/self/statm", "r")) {
      unsigned long long size = 0, resident = 0;
      if (std::fscanf(f, "%llu %llu", &size, &resident) == 2) {
        rss = resident * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
      }
      std::fclose(f);
    }
    const std::uint64_t cache = rocks != nullptr ? rocks->cache_bytes_used() : 0;
    out += fmt::format(
        "# Memory\r\nused_memory:{}\r\nused_memory_human:{}\r\nused_memory_rss:{}\r\n"
        "used_memory_rss_human:{}\r\nmaxmemory:0\r\nmaxmemory_human:0B\r\n"
        "maxmemory_policy:noeviction\r\nmem_fragmentation_ratio:{:.2f}\r\n"
        "read_cache_bytes:{}\r\n\r\n",
        used, HumanBytes(used), rss, HumanBytes(rss),
        used > 0 ? static_cast<double>(rss) / static_cast<double>(used) : 0.0, cache);
  }
  if (want("persistence")) {
    // Every acknowledged write is in a majority's fsynced log; a "save" is
    // a snapshot (SAVE, BGSAVE, cairn ctl snapshot, or the automatic ones).
    out += fmt::format(
        "# Persistence\r\nloading:0\r\nasync_loading:0\r\nrdb_bgsave_in_progress:0\r\n"
        "rdb_last_save_time:{}\r\nrdb_last_bgsave_status:ok\r\naof_enabled:0\r\n"
        "aof_rewrite_in_progress:0\r\nsnapshots_taken:{}\r\n\r\n",
        last_save_unix_s, metrics.snapshots_total);
  }
  if (want("replication")) {
    out += fmt::format("# Replication\r\nrole:{}\r\nleader_id:{}\r\nconnected_peers:{}\r\n\r\n",
                       is_leader() ? "master" : "slave", raft->leader(), dialled.size());
  }
  if (want("stats")) {
    const cache::CacheStats cache = rocks != nullptr ? rocks->cache_stats() : cache::CacheStats{};
    out += fmt::format(
        "# Stats\r\ntotal_connections_received:{}\r\ntotal_commands_processed:{}\r\n"
        "rejected_connections:{}\r\ntotal_net_input_bytes:{}\r\ntotal_net_output_bytes:{}\r\n"
        "forwarded_requests:{}\r\nread_cache_hits:{}\r\nread_cache_misses:{}\r\n"
        "pubsub_channels:{}\r\npubsub_patterns:{}\r\npubsubshard_channels:{}\r\n"
        "pubsub_messages:{}\r\nacl_access_denied_auth:{}\r\n\r\n",
        metrics.connections_total, metrics.commands_total, metrics.connections_rejected_total,
        metrics.client_bytes_in_total, metrics.client_bytes_out_total, metrics.forwarded_total,
        cache.hits + cache.negative_hits, cache.misses, pubsub.NumChannels(), pubsub.NumPat(),
        pubsub.NumShardChannels(), metrics.pubsub_messages_total, metrics.auth_failures_total);
  }
  // (Not in the default INFO, as in Redis: only asked for, or with all.)
  if (section == "commandstats" || section == "all" || section == "everything") {
    // From the request-latency histograms: calls, and the time from each
    // command's arrival to its reply on this node (Redis counts only the
    // execution; here a write's includes its commit). Kept in memory since
    // start: CONFIG RESETSTAT is refused.
    out += "# Commandstats\r\n";
    for (const auto& [name, h] : metrics.latency_by_command) {
      if (h.count() == 0 || name == "unknown") continue;
      const double usec = h.sum_seconds() * 1e6;
      out += fmt::format(
          "cmdstat_{}:calls={},usec={},usec_per_call={:.2f},rejected_calls=0,"
          "failed_calls=0\r\n",
          name, h.count(), static_cast<std::uint64_t>(usec), usec / static_cast<double>(h.count()));
    }
    out += "\r\n";
  }
  if (want("raft")) {
    out += fmt::format(
        "# Raft\r\nraft_role:{}\r\nraft_term:{}\r\nraft_leader:{}\r\nraft_commit_index:{}\r\n"
        "raft_applied_index:{}\r\nraft_last_index:{}\r\nraft_proposals:{}\r\n"
        "raft_proposal_batches:{}\r\nraft_log_syncs:{}\r\n\r\n",
        raft::RoleName(raft->role()), raft->term(), raft->leader(), raft->log().committed(),
        sm->applied_index(), raft->log().last_index(), metrics.proposals_total,
        metrics.proposal_batches_total, log_syncs.load());
  }
  if (want("cpu")) {
    struct rusage self {};
    ::getrusage(RUSAGE_SELF, &self);
    auto seconds = [](const timeval& t) {
      return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
    };
    out += fmt::format("# CPU\r\nused_cpu_sys:{:.6f}\r\nused_cpu_user:{:.6f}\r\n\r\n",
                       seconds(self.ru_stime), seconds(self.ru_utime));
  }
  if (want("keyspace")) {
    // (As Redis, no line for an empty database; keys counts those expired
    // but not yet reclaimed too, and there is no sampled average TTL.)
    out += "# Keyspace\r\n";
    if (sm->stored_keys() > 0) {
      out += fmt::format("db0:keys={},expires={},avg_ttl=0\r\n", sm->stored_keys(),
                         sm->keys_with_expiry());
    }
  }
  return out;
}

}  // namespace cairn::server
