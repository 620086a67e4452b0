// `cairn ctl status|members|add|remove|transfer-leader`: a node's HTTP API
// (docs/operations.md). Any member will do: a follower forwards changes to
// its leader.
#include <cstdio>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/http_get.h"

namespace cairn::cli {
namespace {

int Fail(const std::string& message) {
  std::fprintf(stderr, "cairn ctl: %s\n", message.c_str());
  return 1;
}

std::string Str(const nlohmann::json& j, const char* key, const char* none = "-") {
  if (!j.contains(key)) return none;
  const auto& v = j[key];
  if (v.is_string()) return v.get<std::string>().empty() ? none : v.get<std::string>();
  return v.dump();
}

// Sends the request; prints the reply (raw with --json) and returns the exit
// code. `table` prints a successful reply readably.
template <typename Table>
int Call(const CtlOptions& o, const std::string& method, const std::string& path,
         const std::string& body, Table table) {
  auto reply = HttpRequest(o.address, method, path, body, o.password);
  if (!reply.ok()) return Fail(std::string(reply.status().message()));
  nlohmann::json j = nlohmann::json::parse(reply->body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    return Fail(fmt::format("HTTP {} from {} (not JSON): {}", reply->status, o.address, reply->body));
  }
  if (reply->status != 200) {
    if (o.json) std::printf("%s\n", j.dump(2).c_str());
    return Fail(fmt::format("{} (HTTP {})", Str(j, "error", "request refused"), reply->status));
  }
  if (o.json) {
    // `members --json` prints the member list itself (as before /v1/members).
    const nlohmann::json& out = o.what == "members" && j.contains("members") ? j["members"] : j;
    std::printf("%s\n", out.dump(2).c_str());
  } else {
    table(j);
  }
  return 0;
}

void StatusTable(const nlohmann::json& j) {
  std::printf("%-6s %-10s %-7s %-6s %-8s %-8s %-6s\n", "NODE", "ROLE", "LEADER", "TERM", "COMMIT",
              "APPLIED", "KEYS");
  std::printf("%-6s %-10s %-7s %-6s %-8s %-8s %-6s\n", Str(j, "id").c_str(), Str(j, "role").c_str(),
              Str(j, "leader").c_str(), Str(j, "term").c_str(), Str(j, "commit_index").c_str(),
              Str(j, "applied_index").c_str(), Str(j, "keys").c_str());
}

void MembersTable(const nlohmann::json& j) {
  std::printf("%-6s %-8s %-22s %-22s %-7s %-10s %-6s\n", "ID", "ROLE", "RAFT ADDRESS", "HTTP ADDRESS",
              "LEADER", "CONNECTED", "MATCH");
  for (const auto& m : j.value("members", nlohmann::json::array())) {
    std::printf("%-6s %-8s %-22s %-22s %-7s %-10s %-6s\n", Str(m, "id").c_str(),
                Str(m, "role").c_str(), Str(m, "raft_address").c_str(),
                Str(m, "http_address").c_str(), m.value("leader", false) ? "yes" : "",
                m.value("self", false) ? "self" : (m.value("connected", false) ? "yes" : "no"),
                Str(m, "match_index").c_str());
  }
  std::printf("(as seen by node %s, term %s; match is known on the leader only)\n",
              Str(j, "id").c_str(), Str(j, "term").c_str());
}

}  // namespace

int RunCtl(const CtlOptions& o) {
  if (o.what == "status") return Call(o, "GET", "/v1/status", "", StatusTable);
  if (o.what == "members") return Call(o, "GET", "/v1/members", "", MembersTable);
  if (o.what == "add") {
    if (o.node == 0 || o.raft_address.empty()) {
      std::fprintf(stderr, "usage: cairn ctl add <id> --raft-address host:port [--http-address host:port]\n");
      return 2;
    }
    nlohmann::json body;
    body["id"] = o.node;
    body["raft_address"] = o.raft_address;
    if (!o.http_address.empty()) body["http_address"] = o.http_address;
    return Call(o, "POST", "/v1/members", body.dump(), [](const nlohmann::json& j) {
      std::printf("node %s added as a learner at index %s; it becomes a voter once caught up\n",
                  Str(j, "id").c_str(), Str(j, "index").c_str());
    });
  }
  if (o.what == "remove") {
    if (o.node == 0) {
      std::fprintf(stderr, "usage: cairn ctl remove <id>\n");
      return 2;
    }
    return Call(o, "DELETE", fmt::format("/v1/members/{}", o.node), "", [](const nlohmann::json& j) {
      std::printf("node %s removed (index %s)\n", Str(j, "id").c_str(), Str(j, "index").c_str());
    });
  }
  if (o.what == "snapshot") {
    return Call(o, "POST", "/v1/snapshot", "", [](const nlohmann::json& j) {
      std::printf("snapshot at index %s; the log below it is compacted\n",
                  Str(j, "snapshot_index").c_str());
    });
  }
  nlohmann::json body = nlohmann::json::object();
  if (o.to != 0) body["to"] = o.to;
  return Call(o, "POST", "/v1/transfer-leader", body.dump(), [](const nlohmann::json& j) {
    std::printf("leader is now node %s\n", Str(j, "leader").c_str());
  });
}

}  // namespace cairn::cli
