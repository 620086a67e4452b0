#include "server/config_command.h"

#include <strings.h>

#include <functional>
#include <optional>
#include <utility>

#include "kv/glob.h"
#include "kv/keyspace_events.h"
#include "kv/parse.h"
#include "kv/subcommand_help.h"

namespace cairn::server {
namespace {

using resp::Value;

struct Setting {
  const char* name;
  std::function<std::string()> value;
};

// The settings CONFIG GET knows, with this node's values: what Redis tools
// read (redis-benchmark reads save and appendonly, client libraries
// databases and maxmemory...) and Cairn's equivalents of its options.
std::vector<Setting> Settings(const NodeOptions& opt, const RuntimeSettings* runtime) {
  auto fixed = [](const char* v) { return [v] { return std::string(v); }; };
  auto number = [](std::uint64_t v) { return [v] { return std::to_string(v); }; };
  return {
      {"notify-keyspace-events",
       [runtime] { return kv::FormatKeyspaceEventFlags(runtime->keyspace_events); }},
      {"slowlog-log-slower-than",
       [runtime] { return std::to_string(runtime->slowlog_slower_than_us); }},
      {"slowlog-max-len", [runtime] { return std::to_string(runtime->slowlog_max_len); }},
      // Every acknowledged write is in a majority's fsynced log: no RDB
      // snapshots to schedule; "appendonly no" as the earlier answer to
      // redis-benchmark, which prints it.
      {"save", fixed("")},
      {"appendonly", fixed("no")},
      {"appendfsync", fixed("always")},
      {"databases", fixed("1")},
      {"maxmemory", fixed("0")},
      {"maxmemory-policy", fixed("noeviction")},
      {"bind", [&opt] { return opt.bind_host; }},
      {"port", number(opt.resp_port)},
      {"tls-port", number(opt.tls_port)},
      {"tls-cert-file", [&opt] { return opt.tls_cert_file; }},
      {"tls-key-file", [&opt] { return opt.tls_key_file; }},
      {"tls-ca-cert-file", [&opt] { return opt.tls_ca_cert_file; }},
      {"tls-auth-clients", [&opt] { return opt.tls_auth_clients; }},
      {"dir", [&opt] { return opt.data_dir; }},
      {"maxclients", number(opt.clients_max)},
      {"proto-max-bulk-len", number(opt.bulk_bytes_max)},
      {"client-query-buffer-limit", number(opt.request_bytes_max)},
      {"timeout", fixed("0")},
      {"latency-monitor-threshold", fixed("0")},  // no latency-monitor events (LATENCY)
  };
}

Value Help() {
  return kv::HelpLines({
      "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "GET <pattern> [<pattern> ...]",
      "    The settings whose names match a glob pattern, with this node's values.",
      "SET <name> <value> [<name> <value> ...]",
      "    Changes notify-keyspace-events, slowlog-log-slower-than or slowlog-max-len",
      "    on this node (others only to the value they have: they are fixed while the",
      "    node runs).",
      "HELP",
      "    This text.",
  });
}

Value Get(const std::vector<std::string>& args, const std::vector<Setting>& settings) {
  Value out = Value::Map();
  for (const Setting& s : settings) {
    bool match = false;
    for (std::size_t i = 2; i < args.size() && !match; ++i) {
      match = kv::GlobMatch(kv::AsciiLower(args[i]), s.name);
    }
    if (!match) continue;
    out.elems.push_back(Value::Bulk(s.name));
    out.elems.push_back(Value::BulkOwned(s.value()));
  }
  return out;
}

Value Set(const std::vector<std::string>& args, const std::vector<Setting>& settings,
          RuntimeSettings* runtime) {
  if (args.size() < 4 || args.size() % 2 != 0) {
    return Value::Error("ERR wrong number of arguments for 'config|set' command");
  }
  // Every pair is checked before any is applied, as Redis does.
  RuntimeSettings next = *runtime;
  for (std::size_t i = 2; i < args.size(); i += 2) {
    const std::string name = kv::AsciiLower(args[i]);
    const std::string& value = args[i + 1];
    auto failed = [&](std::string_view why) {
      return Value::Error("ERR CONFIG SET failed (possibly related to argument '" + args[i] +
                          "') - " + std::string(why));
    };
    const Setting* known = nullptr;
    for (const Setting& s : settings) {
      if (name == s.name) known = &s;
    }
    if (known == nullptr) {
      return Value::Error("ERR Unknown option or number of arguments for CONFIG SET - '" + args[i] +
                          "'");
    }
    auto integer = [&](std::int64_t min, std::int64_t* out) -> std::optional<Value> {
      std::int64_t v = 0;
      if (!kv::ParseStrictInt64(value, &v))
        return failed("argument couldn't be parsed into an integer");
      if (v < min) {
        return failed("argument must be between " + std::to_string(min) +
                      " and 9223372036854775807 inclusive");
      }
      *out = v;
      return std::nullopt;
    };
    if (name == "notify-keyspace-events") {
      std::optional<std::uint32_t> flags = kv::ParseKeyspaceEventFlags(value);
      if (!flags) return failed("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");
      next.keyspace_events = *flags;
    } else if (name == "slowlog-log-slower-than") {
      if (auto error = integer(-1, &next.slowlog_slower_than_us)) return *error;
    } else if (name == "slowlog-max-len") {
      if (auto error = integer(0, &next.slowlog_max_len)) return *error;
    } else if (strcasecmp(value.c_str(), known->value().c_str()) != 0) {
      return failed("Cairn does not change this setting while the node runs");
    }
  }
  *runtime = next;
  return Value::Simple("OK");
}

}  // namespace

resp::Value ConfigCommand(const std::vector<std::string>& args, const NodeOptions& opt,
                          RuntimeSettings* runtime) {
  if (args.size() < 2) return Value::Error("ERR wrong number of arguments for 'config' command");
  const std::string sub = kv::AsciiLower(args[1]);
  const std::vector<Setting> settings = Settings(opt, runtime);
  if (sub == "get") {
    if (args.size() < 3)
      return Value::Error("ERR wrong number of arguments for 'config|get' command");
    return Get(args, settings);
  }
  if (sub == "set") return Set(args, settings, runtime);
  if (sub == "help" && args.size() == 2) return Help();
  if (sub == "resetstat" || sub == "rewrite") {
    if (args.size() != 2) {
      return Value::Error("ERR wrong number of arguments for 'config|" + sub + "' command");
    }
    return Value::Error(sub == "rewrite"
                            ? "ERR Cairn does not rewrite its configuration file: change the "
                              "YAML file, flags or CAIRN_* variables (docs/operations.md)"
                            : "ERR CONFIG RESETSTAT is not supported by Cairn (its counters "
                              "are Prometheus counters, which never go back)");
  }
  if (sub == "help") return Value::Error("ERR wrong number of arguments for 'config|help' command");
  return Value::Error("ERR unknown subcommand '" + args[1] + "'. Try CONFIG HELP.");
}

}  // namespace cairn::server
