#pragma once
// The `cairn` subcommands. Each returns the process exit code.
#include <string>
#include <vector>

#include "cli/config.h"

namespace cairn::cli {

int RunServer(const Settings& flags, const std::string& config_path);
struct DevOptions {
  int nodes = 3;
  int resp_base = 7379;  // node i: RESP resp_base+i-1, Raft raft_base+i-1, HTTP http_base+i-1
  int raft_base = 7001;
  int http_base = 8081;
  // > 0: node i also serves RESP over TLS on tls_base+i-1, with a throwaway
  // CA and certificate made by the openssl tool in the data directory.
  int tls_base = 0;
  bool keep_data = false;
};
int RunDev(const DevOptions& options);
struct CtlOptions {
  std::string what;  // status | members | add | remove | transfer-leader
  std::string address = "127.0.0.1:8081";
  std::uint64_t node = 0;                  // add, remove
  std::string raft_address, http_address;  // add
  std::uint64_t to = 0;                    // transfer-leader (0: the node picks)
  bool json = false;
  // The cluster's requirepass, for add, remove, transfer-leader and
  // snapshot (--password, else CAIRN_PASSWORD); empty: none sent.
  std::string password;
};
// Exit codes: 0 success, 1 the node refused or could not be reached, 2 usage.
int RunCtl(const CtlOptions& options);

struct ImportOptions {
  std::string from;                   // a Redis (or Cairn) RESP host:port
  std::string to = "127.0.0.1:7379";  // any node of the Cairn cluster
  std::string match;                  // SCAN MATCH pattern; empty: every key
  bool replace = false;               // RESTORE ... REPLACE
  int batch = 500;                    // keys per SCAN page (and per pipelined round)
  std::string from_password, to_password;
  // TLS to the source and/or the cluster (its nodes' tls_port), with the
  // CA file the servers' certificates are checked against and a client
  // certificate for servers that ask for one (client::ClientOptions::Tls).
  bool from_tls = false, to_tls = false;
  std::string tls_ca_file, tls_cert_file, tls_key_file;
  bool json = false;
};
// Exit codes: 0 every key copied or accounted for, 1 a failure (a key that
// failed, or a side that could not be reached), 2 usage.
int RunImport(const ImportOptions& options);

}  // namespace cairn::cli
