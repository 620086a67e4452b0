// `cairn ctl status|members`: GET /v1/status from a node's HTTP API.
#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/http_get.h"

namespace cairn::cli {

int RunCtl(const std::string& what, const std::string& address, bool json) {
  if (what == "snapshot") {  // POST /v1/snapshot: checkpoint and compact the log now
    auto reply = HttpPost(address, "/v1/snapshot");
    if (!reply.ok()) {
      std::fprintf(stderr, "cairn ctl: %s\n", std::string(reply.status().message()).c_str());
      return 1;
    }
    std::printf("%s", reply->c_str());
    return 0;
  }
  auto body = HttpGet(address, "/v1/status");
  if (!body.ok()) {
    std::fprintf(stderr, "cairn ctl: %s\n", std::string(body.status().message()).c_str());
    return 1;
  }
  nlohmann::json j = nlohmann::json::parse(*body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    std::fprintf(stderr, "cairn ctl: the node did not answer JSON\n");
    return 1;
  }
  if (json) {
    std::printf("%s\n", (what == "members" ? j["members"] : j).dump(2).c_str());
    return 0;
  }
  if (what == "status") {
    std::printf("%-6s %-10s %-7s %-6s %-8s %-8s %-6s\n", "NODE", "ROLE", "LEADER", "TERM", "COMMIT",
                "APPLIED", "KEYS");
    std::printf("%-6s %-10s %-7s %-6s %-8s %-8s %-6s\n", j["id"].dump().c_str(),
                j["role"].get<std::string>().c_str(), j["leader"].dump().c_str(),
                j["term"].dump().c_str(), j["commit_index"].dump().c_str(),
                j["applied_index"].dump().c_str(), j["keys"].dump().c_str());
    return 0;
  }
  std::printf("%-6s %-22s %-7s %-10s %-6s\n", "ID", "RAFT ADDRESS", "LEADER", "CONNECTED", "MATCH");
  for (const auto& m : j["members"]) {
    std::printf("%-6s %-22s %-7s %-10s %-6s\n", m["id"].dump().c_str(),
                m["raft_address"].get<std::string>().c_str(), m["leader"].get<bool>() ? "yes" : "",
                m["connected"].get<bool>() ? "yes" : "no",
                m.contains("match_index") ? m["match_index"].dump().c_str() : "-");
  }
  return 0;
}

}  // namespace cairn::cli
