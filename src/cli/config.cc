#include "cli/config.h"

#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <limits>
#include <optional>

#include "kv/keyspace_events.h"

namespace cairn::cli {
namespace {

Result<std::uint64_t> ToU64(const Settings& s, const std::string& key, std::uint64_t fallback,
                            std::uint64_t max = std::numeric_limits<std::uint64_t>::max()) {
  auto it = s.find(key);
  if (it == s.end() || it->second.empty()) return fallback;
  const std::string& v = it->second;
  char* end = nullptr;
  errno = 0;
  unsigned long long n = std::strtoull(v.c_str(), &end, 10);
  if (errno != 0 || end == v.c_str() || *end != '\0' || v[0] == '-' || n > max) {
    return Status::InvalidArgument("setting " + key + ": not a number in range: '" + v + "'");
  }
  return static_cast<std::uint64_t>(n);
}

}  // namespace

const std::vector<std::string>& SettingKeys() {
  // clang-format off
  static const std::vector<std::string> keys = {
      "id",          "peers",        "bind",           "resp_port",
      "http_port",   "data_dir",     "tick_ms",        "request_timeout_ms",
      "max_clients", "max_request_bytes", "max_bulk_bytes", "max_pipeline",
      "log_format",  "default_consistency", "join",     "snapshot_entries",
      "snapshot_log_mb", "read_cache_mb", "requirepass", "notify_keyspace_events",
      "tls_port",    "tls_cert_file", "tls_key_file",  "tls_ca_cert_file",
      "tls_auth_clients"};
  // clang-format on
  return keys;
}

Status MergeYamlFile(const std::string& path, Settings* settings) {
  try {
    YAML::Node root = YAML::LoadFile(path);
    if (!root.IsMap()) return Status::InvalidArgument(path + ": expected a mapping of settings");
    for (const auto& kv : root) {
      std::string key = kv.first.as<std::string>();
      bool known = false;
      for (const auto& k : SettingKeys()) known = known || k == key;
      if (!known) return Status::InvalidArgument(path + ": unknown setting '" + key + "'");
      if (kv.second.IsSequence()) {  // peers may be a list
        std::string joined;
        for (const auto& item : kv.second) {
          joined += (joined.empty() ? "" : ",") + item.as<std::string>();
        }
        (*settings)[key] = joined;
      } else {
        (*settings)[key] = kv.second.as<std::string>();
      }
    }
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(path + ": " + e.what());
  }
  return Status::Ok();
}

void MergeEnv(Settings* settings) {
  for (const auto& key : SettingKeys()) {
    std::string env = "CAIRN_";
    for (char c : key) env += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (const char* v = std::getenv(env.c_str())) (*settings)[key] = v;
  }
}

Result<std::vector<net::PeerAddress>> ParsePeers(const std::string& text) {
  std::vector<net::PeerAddress> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t comma = text.find(',', pos);
    std::string item = text.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    pos = comma == std::string::npos ? text.size() : comma + 1;
    std::size_t eq = item.find('='), colon = item.rfind(':');
    if (eq == std::string::npos || colon == std::string::npos || colon < eq) {
      return Status::InvalidArgument("peer '" + item + "': expected id=host:port");
    }
    Settings s{{"id", item.substr(0, eq)}, {"port", item.substr(colon + 1)}};
    auto id = ToU64(s, "id", 0);
    auto port = ToU64(s, "port", 0, 65535);
    if (!id.ok() || *id == 0 || !port.ok() || *port == 0) {
      return Status::InvalidArgument("peer '" + item + "': bad id or port");
    }
    out.push_back({*id, item.substr(eq + 1, colon - eq - 1), static_cast<std::uint16_t>(*port)});
  }
  if (out.empty()) return Status::InvalidArgument("peers: empty list");
  return out;
}

Result<server::NodeOptions> ToNodeOptions(const Settings& s) {
  server::NodeOptions o;
  CAIRN_ASSIGN_OR_RETURN(o.id, ToU64(s, "id", 1));
  if (o.id == 0) return Status::InvalidArgument("setting id: must be at least 1");
  CAIRN_ASSIGN_OR_RETURN(auto resp_port, ToU64(s, "resp_port", 6379, 65535));
  CAIRN_ASSIGN_OR_RETURN(auto http_port, ToU64(s, "http_port", 8080, 65535));
  o.resp_port = static_cast<std::uint16_t>(resp_port);
  o.http_port = static_cast<std::uint16_t>(http_port);
  CAIRN_ASSIGN_OR_RETURN(auto tls_port, ToU64(s, "tls_port", 0, 65535));
  o.tls_port = static_cast<std::uint16_t>(tls_port);
  for (auto [key, field] :
       {std::pair{"tls_cert_file", &o.tls_cert_file}, std::pair{"tls_key_file", &o.tls_key_file},
        std::pair{"tls_ca_cert_file", &o.tls_ca_cert_file}}) {
    if (s.count(key)) *field = s.at(key);
  }
  if (s.count("tls_auth_clients") && !s.at("tls_auth_clients").empty()) {
    o.tls_auth_clients = s.at("tls_auth_clients");
  } else if (!o.tls_ca_cert_file.empty()) {
    o.tls_auth_clients = "yes";  // a CA given is a CA to check clients against
  }
  {
    const std::string& a = o.tls_auth_clients;
    if (a != "no" && a != "optional" && a != "yes") {
      return Status::InvalidArgument("setting tls_auth_clients: no, optional or yes");
    }
  }
  if (o.tls_port != 0 && (o.tls_cert_file.empty() || o.tls_key_file.empty())) {
    return Status::InvalidArgument("setting tls_port: needs tls_cert_file and tls_key_file");
  }
  if (o.tls_port == 0 && (!o.tls_cert_file.empty() || !o.tls_key_file.empty())) {
    return Status::InvalidArgument("setting tls_cert_file/tls_key_file: set tls_port too");
  }
  std::string peers = s.count("peers") ? s.at("peers") : "1=127.0.0.1:7001";
  CAIRN_ASSIGN_OR_RETURN(o.peers, ParsePeers(peers));
  if (s.count("join") && !s.at("join").empty()) {
    const std::string& j = s.at("join");
    if (j == "true" || j == "1" || j == "yes") {
      o.join = true;
    } else if (j != "false" && j != "0" && j != "no") {
      return Status::InvalidArgument("setting join: true or false");
    }
  }
  bool self_listed = false, others_listed = false;
  for (const auto& p : o.peers) {
    self_listed = self_listed || p.id == o.id;
    others_listed = others_listed || p.id != o.id;
  }
  if (!self_listed) {
    return Status::InvalidArgument("setting peers: must list this node's own id=host:port");
  }
  if (o.join && !others_listed) {
    return Status::InvalidArgument("setting join: peers must also list the cluster's founding voters");
  }
  if (s.count("bind")) o.bind_host = s.at("bind");
  if (s.count("data_dir")) o.data_dir = s.at("data_dir");
  CAIRN_ASSIGN_OR_RETURN(auto tick, ToU64(s, "tick_ms", 10, 1000));
  if (tick == 0) return Status::InvalidArgument("setting tick_ms: must be at least 1");
  o.tick_ms = static_cast<std::uint32_t>(tick);
  CAIRN_ASSIGN_OR_RETURN(auto timeout, ToU64(s, "request_timeout_ms", 5000, 3600000));
  o.request_timeout_ms = static_cast<std::uint32_t>(timeout);
  CAIRN_ASSIGN_OR_RETURN(o.snapshot_entries, ToU64(s, "snapshot_entries", 100000));
  CAIRN_ASSIGN_OR_RETURN(auto log_mb, ToU64(s, "snapshot_log_mb", 32, 1u << 20));
  o.snapshot_log_bytes = log_mb << 20;
  CAIRN_ASSIGN_OR_RETURN(o.clients_max, ToU64(s, "max_clients", 10000));
  CAIRN_ASSIGN_OR_RETURN(o.request_bytes_max, ToU64(s, "max_request_bytes", 512u << 20));
  CAIRN_ASSIGN_OR_RETURN(o.bulk_bytes_max, ToU64(s, "max_bulk_bytes", 512u << 20));
  CAIRN_ASSIGN_OR_RETURN(o.pipeline_commands_max, ToU64(s, "max_pipeline", 4096));
  CAIRN_ASSIGN_OR_RETURN(auto cache_mb, ToU64(s, "read_cache_mb", 64, 1u << 20));
  o.read_cache_bytes = static_cast<std::size_t>(cache_mb) << 20;
  if (o.pipeline_commands_max == 0) return Status::InvalidArgument("setting max_pipeline: >= 1");
  std::string fmt = s.count("log_format") ? s.at("log_format") : "text";
  if (fmt != "text" && fmt != "json") return Status::InvalidArgument("log_format: text or json");
  o.json_logs = fmt == "json";
  if (s.count("default_consistency") && !s.at("default_consistency").empty()) {
    o.default_consistency = s.at("default_consistency");
    const auto& c = o.default_consistency;
    if (c != "strong" && c != "lease" && c != "eventual") {
      return Status::InvalidArgument("setting default_consistency: strong, lease or eventual");
    }
  }
  if (s.count("requirepass")) o.requirepass = s.at("requirepass");
  if (s.count("notify_keyspace_events")) {
    std::optional<std::uint32_t> flags =
        kv::ParseKeyspaceEventFlags(s.at("notify_keyspace_events"));
    if (!flags) {
      return Status::InvalidArgument(
          "setting notify_keyspace_events: letters from Ag$lshzxeKEtmdn (Redis's "
          "notify-keyspace-events)");
    }
    o.keyspace_events = *flags;
  }
  return o;
}

}  // namespace cairn::cli
