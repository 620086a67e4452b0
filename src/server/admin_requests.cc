#include "server/admin_requests.h"

#include <nlohmann/json.hpp>

#include "net/member_info.h"

namespace cairn::server {
namespace {

Result<nlohmann::json> ParseObject(std::string_view body) {
  nlohmann::json j = nlohmann::json::parse(body.begin(), body.end(), nullptr,
                                           /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return Status::InvalidArgument("body must be a JSON object");
  }
  return j;
}

Result<std::uint64_t> NodeIdField(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end()) return std::uint64_t{0};
  if (!it->is_number_unsigned() || it->get<std::uint64_t>() == 0) {
    return Status::InvalidArgument(std::string(key) + " must be a node id (an integer >= 1)");
  }
  return it->get<std::uint64_t>();
}

Result<std::string> AddressField(const nlohmann::json& j, const char* key, bool required) {
  auto it = j.find(key);
  if (it == j.end() || (it->is_string() && it->get<std::string>().empty() && !required)) {
    if (required) return Status::InvalidArgument(std::string(key) + " is required (host:port)");
    return std::string();
  }
  if (!it->is_string()) return Status::InvalidArgument(std::string(key) + " must be a string");
  std::string text = it->get<std::string>();
  auto hp = net::ParseHostPort(text);
  if (!hp.ok()) return Status::InvalidArgument(std::string(key) + ": " + std::string(hp.status().message()));
  return text;
}

}  // namespace

Result<AddMemberRequest> ParseAddMember(std::string_view body) {
  CAIRN_ASSIGN_OR_RETURN(nlohmann::json j, ParseObject(body));
  AddMemberRequest r;
  CAIRN_ASSIGN_OR_RETURN(r.id, NodeIdField(j, "id"));
  if (r.id == 0) return Status::InvalidArgument("id is required (an integer >= 1)");
  CAIRN_ASSIGN_OR_RETURN(r.raft_address, AddressField(j, "raft_address", true));
  CAIRN_ASSIGN_OR_RETURN(r.http_address, AddressField(j, "http_address", false));
  for (const auto& item : j.items()) {
    const std::string& key = item.key();
    if (key != "id" && key != "raft_address" && key != "http_address") {
      return Status::InvalidArgument("unknown field '" + key + "'");
    }
  }
  return r;
}

Result<std::uint64_t> ParseTransferTarget(std::string_view body) {
  bool blank = true;
  for (char c : body) blank = blank && (c == ' ' || c == '\t' || c == '\r' || c == '\n');
  if (blank) return std::uint64_t{0};
  CAIRN_ASSIGN_OR_RETURN(nlohmann::json j, ParseObject(body));
  for (const auto& item : j.items()) {
    const std::string& key = item.key();
    if (key != "to") return Status::InvalidArgument("unknown field '" + key + "'");
  }
  return NodeIdField(j, "to");
}

}  // namespace cairn::server
