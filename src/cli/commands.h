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
  bool keep_data = false;
};
int RunDev(const DevOptions& options);
int RunCtl(const std::string& what, const std::string& address, bool json);

}  // namespace cairn::cli
