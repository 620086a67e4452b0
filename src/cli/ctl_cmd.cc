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

namespace cairn::cli {
namespace {

Result<std::string> HttpGet(const std::string& address, const std::string& path) {
  std::size_t colon = address.rfind(':');
  if (colon == std::string::npos) return Status::InvalidArgument("address must be host:port");
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  std::string host = address.substr(0, colon), port = address.substr(colon + 1);
  if (::getaddrinfo(host.c_str(), port.c_str(), &hints, &res) != 0 || res == nullptr) {
    return Status::InvalidArgument("cannot resolve " + address);
  }
  int fd = ::socket(res->ai_family, res->ai_socktype, res->ai_protocol);
  bool connected = fd >= 0 && ::connect(fd, res->ai_addr, res->ai_addrlen) == 0;
  ::freeaddrinfo(res);
  if (!connected) {
    if (fd >= 0) ::close(fd);
    return Status::Unavailable("cannot connect to " + address);
  }
  std::string req = fmt::format("GET {} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n", path, address);
  if (::write(fd, req.data(), req.size()) != static_cast<ssize_t>(req.size())) {
    ::close(fd);
    return Status::Unavailable("write to " + address + " failed");
  }
  std::string resp;
  char buf[4096];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) resp.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  std::size_t body = resp.find("\r\n\r\n");
  if (body == std::string::npos) return Status::Unavailable("bad HTTP reply from " + address);
  return resp.substr(body + 4);
}

}  // namespace

int RunCtl(const std::string& what, const std::string& address, bool json) {
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
