// cairn: the node binary. `cairn server`, `cairn dev`, `cairn ctl`, `cairn import`.
#include <CLI/CLI.hpp>
#include <cstdlib>

#include "cli/commands.h"

int main(int argc, char** argv) {
  using namespace cairn::cli;
  CLI::App app{"Cairn: a Raft-replicated, Redis-compatible data platform"};
  app.require_subcommand(1);

  auto* server = app.add_subcommand("server", "Run one node (flags > CAIRN_* env > YAML file > defaults)");
  std::string config_path;
  server->add_option("-c,--config", config_path, "YAML file of settings (also CAIRN_CONFIG)");
  std::map<std::string, std::string> flag_values;
  std::map<std::string, CLI::Option*> flag_opts;
  const std::map<std::string, std::string> help = {
      {"id", "this node's id (>= 1)"},
      {"peers", "every voter: 1=127.0.0.1:7001,2=127.0.0.1:7002,..."},
      {"bind", "address to listen on for RESP, HTTP and Raft (default 127.0.0.1)"},
      {"resp_port", "Redis protocol port (default 6379)"},
      {"http_port", "HTTP API port (default 8080)"},
      {"data_dir", "directory of the Raft log (empty: in memory, for tests)"},
      {"tick_ms", "Raft tick (default 10 ms; election 10-20 ticks)"},
      {"request_timeout_ms", "deadline of a request (default 5000)"},
      {"max_clients", "connections accepted at once (default 10000)"},
      {"max_request_bytes", "bytes of one command (default 512 MiB)"},
      {"max_bulk_bytes", "bytes of one argument (default 512 MiB)"},
      {"max_pipeline", "unanswered commands per connection before reading pauses (default 4096)"},
      {"log_format", "text or json"},
      {"default_consistency",
       "read level of a new connection: strong (default), lease or eventual"},
      {"join",
       "join a running cluster: --peers lists its founding voters and this node; "
       "add it with `cairn ctl add` (docs/operations.md)"},
      {"snapshot_entries",
       "snapshot and compact the log every this many applied entries (default 100000, 0: never)"},
      {"snapshot_log_mb",
       "... or every this many MiB of applied log entries (default 32, 0: no byte limit)"},
      {"read_cache_mb",
       "MiB of recently read values kept in memory in front of RocksDB (default 64, 0: off)"},
      {"requirepass",
       "password clients give with AUTH before other commands, also asked of HTTP API changes "
       "(default: none; prefer CAIRN_REQUIREPASS or the YAML file, as flags show in ps)"},
      {"notify_keyspace_events",
       "keyspace notifications this node publishes, as Redis's notify-keyspace-events "
       "(e.g. KEA; default: none; CONFIG SET changes it while the node runs)"},
      {"tls_port",
       "a second RESP port that speaks TLS (default: none; resp_port 0 then turns "
       "the plain one off)"},
      {"tls_cert_file", "PEM certificate chain the TLS port presents"},
      {"tls_key_file", "PEM private key of that certificate"},
      {"tls_ca_cert_file", "PEM CA certificates that client certificates are checked against"},
      {"tls_auth_clients",
       "client certificates on the TLS port: no, optional or yes (default: yes with "
       "tls_ca_cert_file, else no)"}};
  for (const auto& key : SettingKeys()) {
    std::string flag = "--" + key;
    for (auto& c : flag) c = c == '_' ? '-' : c;
    if (key == "join") {
      flag_opts[key] = server->add_flag(flag, help.at(key));
    } else {
      flag_opts[key] = server->add_option(flag, flag_values[key], help.at(key));
    }
  }

  auto* dev = app.add_subcommand("dev", "Start a local cluster as child processes");
  DevOptions dev_opts;
  dev->add_option("--nodes", dev_opts.nodes, "number of nodes (default 3)")->check(CLI::Range(1, 9));
  dev->add_option("--resp-base", dev_opts.resp_base, "RESP port of node 1 (default 7379)");
  dev->add_option("--raft-base", dev_opts.raft_base, "Raft port of node 1 (default 7001)");
  dev->add_option("--http-base", dev_opts.http_base, "HTTP port of node 1 (default 8081)");
  dev->add_option(
      "--tls-base", dev_opts.tls_base,
      "also serve RESP over TLS from this port on, with a throwaway CA (default: no TLS)");
  dev->add_flag("--keep-data", dev_opts.keep_data, "keep the temporary data directory");

  auto* ctl = app.add_subcommand("ctl", "Query and change a cluster through a node's HTTP API");
  CtlOptions ctl_opts;
  ctl->add_option("what", ctl_opts.what, "status | members | add | remove | transfer-leader | snapshot")
      ->required()
      ->check(CLI::IsMember({"status", "members", "add", "remove", "transfer-leader", "snapshot"}));
  ctl->add_option("node", ctl_opts.node, "node id (add, remove)");
  ctl->add_option("--addr", ctl_opts.address, "host:port of any node's HTTP API (default 127.0.0.1:8081)");
  ctl->add_option("--raft-address", ctl_opts.raft_address, "add: the new node's Raft host:port");
  ctl->add_option("--http-address", ctl_opts.http_address, "add: the new node's HTTP host:port");
  ctl->add_option("--to", ctl_opts.to, "transfer-leader: target node id (default: most caught-up voter)");
  ctl->add_flag("--json", ctl_opts.json, "print the raw JSON");
  ctl->add_option("--password", ctl_opts.password,
                  "the nodes' requirepass, asked for by the changes (default: $CAIRN_PASSWORD)");

  auto* imp = app.add_subcommand(
      "import", "Copy keys from a Redis (or Cairn) server into this cluster: SCAN, DUMP, RESTORE");
  ImportOptions imp_opts;
  imp->add_option("--from", imp_opts.from, "host:port of the source's RESP port")->required();
  imp->add_option("--to", imp_opts.to,
                  "host:port of any Cairn node's RESP port (default 127.0.0.1:7379)");
  imp->add_option("--match", imp_opts.match, "copy only the keys matching this glob (SCAN MATCH)");
  imp->add_flag("--replace", imp_opts.replace, "overwrite keys the cluster already has");
  imp->add_option("--batch", imp_opts.batch,
                  "keys per SCAN page and pipelined round (default 500)");
  imp->add_option("--from-password", imp_opts.from_password, "the source's password (AUTH)");
  imp->add_option("--to-password", imp_opts.to_password,
                  "the cluster's requirepass (default: $CAIRN_PASSWORD)");
  imp->add_flag("--from-tls", imp_opts.from_tls, "connect to the source over TLS");
  imp->add_flag("--to-tls", imp_opts.to_tls, "connect to the cluster over TLS (its tls_port)");
  imp->add_option("--cacert", imp_opts.tls_ca_file,
                  "TLS: PEM CA file the servers' certificates are checked against (default: the "
                  "system's)");
  imp->add_option("--cert", imp_opts.tls_cert_file, "TLS: PEM client certificate");
  imp->add_option("--key", imp_opts.tls_key_file, "TLS: PEM key of the client certificate");
  imp->add_flag("--json", imp_opts.json, "print the counts as JSON");

  CLI11_PARSE(app, argc, argv);
  if (server->parsed()) {
    Settings flags;
    for (const auto& [key, opt] : flag_opts) {
      if (opt->count() > 0) flags[key] = key == "join" ? "true" : flag_values[key];
    }
    return RunServer(flags, config_path);
  }
  if (dev->parsed()) return RunDev(dev_opts);
  if (imp->parsed()) {
    if (imp_opts.to_password.empty()) {
      if (const char* pw = std::getenv("CAIRN_PASSWORD")) imp_opts.to_password = pw;
    }
    return RunImport(imp_opts);
  }
  if (ctl_opts.password.empty()) {
    if (const char* pw = std::getenv("CAIRN_PASSWORD")) ctl_opts.password = pw;
  }
  return RunCtl(ctl_opts);
}
