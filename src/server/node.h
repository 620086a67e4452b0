#pragma once
// server::Node: one Cairn process — a Raft member serving Redis clients.
//
// One io_context thread owns everything: the RawNode, the state machine, the
// peer transport, the RESP and HTTP listeners. Raft ticks every tick_ms
// (default 10 ms, so the default election timeout of 10-20 ticks is
// 100-200 ms and heartbeats go every 20 ms). See docs/operations.md.
//
// Thread-safety: construct, Start() and Run() on one thread; RequestStop()
// may be called from any thread (it posts to the loop).

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "net/transport.h"

namespace cairn::server {

struct NodeOptions {
  std::uint64_t id = 1;
  // The founding voters' Raft addresses, this node included. With `join`
  // the list is the cluster's founding voters plus this node's own entry
  // (its listen address), and this node is not one of the voters: it waits
  // to be added (POST /v1/members on any member; docs/operations.md).
  std::vector<net::PeerAddress> peers;
  bool join = false;
  std::string bind_host = "127.0.0.1";
  std::uint16_t resp_port = 6379;
  std::uint16_t http_port = 8080;
  std::string data_dir;  // empty: keep the Raft log in memory (tests only)
  std::uint32_t tick_ms = 10;
  std::uint32_t request_timeout_ms = 5000;
  // With a data_dir: checkpoint the state machine and compact the log once
  // this many entries were applied since the last snapshot (0: never).
  std::uint64_t snapshot_entries = 100000;
  // ... or once this many bytes of log entries were applied since then (0:
  // no byte limit). Entries vary in size (a group holds many writes), so this
  // is what bounds the memory the log keeps.
  std::uint64_t snapshot_log_bytes = 32u << 20;
  std::size_t clients_max = 10000;
  std::size_t request_bytes_max = 512u << 20;
  std::size_t bulk_bytes_max = 512u << 20;
  std::size_t pipeline_commands_max = 4096;  // unanswered commands per connection
  // Bytes of recently read keys kept in memory in front of RocksDB (with a
  // data_dir; 0: off). See server/rocks_engine.h.
  std::size_t read_cache_bytes = 64u << 20;
  bool json_logs = false;
  // The read level a new connection starts with ("strong", "lease" or
  // "eventual"); CONSISTENCY changes it per connection. Validated by the CLI.
  std::string default_consistency = "strong";
  // The password a connection must give (AUTH, or HELLO ... AUTH) before
  // any other command, and that the HTTP API's changes (members, leader
  // transfer, snapshot) must carry as a bearer token. Empty: neither is
  // asked for. Never logged.
  std::string requirepass;
  // Which keyspace notifications the node publishes to its subscribers
  // (notify-keyspace-events' letters parsed by kv::ParseKeyspaceEventFlags;
  // 0: none). CONFIG SET changes it while the node runs.
  std::uint32_t keyspace_events = 0;
  // TLS on a second RESP port (0: none). With tls_port set, resp_port 0
  // means no plain RESP port at all. The files are PEM: the certificate
  // chain, its key, and the CAs that client certificates are checked
  // against; tls_auth_clients is "no", "optional" or "yes" (server/tls.h).
  // Raft and HTTP stay plain (docs/operations.md, Security).
  std::uint16_t tls_port = 0;
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string tls_ca_cert_file;
  std::string tls_auth_clients = "no";
};

class Node {
 public:
  explicit Node(NodeOptions options);
  ~Node();

  // Opens the log, restores state, binds the three ports.
  Status Start();
  // Serves until SIGTERM/SIGINT or RequestStop(): then stops accepting,
  // finishes writing replies, closes, and returns.
  void Run();
  void RequestStop();

  // Opaque outside src/server (defined in node_impl.h).
  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace cairn::server
