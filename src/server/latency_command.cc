#include "server/latency_command.h"

#include <cmath>

#include "kv/parse.h"
#include "kv/subcommand_help.h"

namespace cairn::server {
namespace {

using resp::Value;

Value Cdf(const Histogram& h) {
  Value buckets = Value::Map();
  std::uint64_t previous = 0;
  for (std::size_t i = 0; i < Histogram::kBoundsSeconds.size(); ++i) {
    const std::uint64_t count = h.at_or_below(i);
    if (count > previous) {
      const auto usec = static_cast<std::int64_t>(std::llround(Histogram::kBoundsSeconds[i] * 1e6));
      buckets.elems.push_back(Value::Int(usec));
      buckets.elems.push_back(Value::Int(static_cast<std::int64_t>(count)));
    }
    previous = count;
  }
  return Value::Map({Value::Bulk("calls"), Value::Int(static_cast<std::int64_t>(h.count())),
                     Value::Bulk("histogram_usec"), std::move(buckets)});
}

Value Histograms(const std::vector<std::string>& args, const Metrics& metrics) {
  Value out = Value::Map();
  auto add = [&](const std::string& name, const Histogram& h) {
    if (h.count() == 0 || name == "unknown" || name == "protocol_error") return;
    for (std::size_t i = 0; i + 1 < out.elems.size(); i += 2) {
      if (out.elems[i].str == name) return;  // named twice
    }
    out.elems.push_back(Value::Bulk(name));
    out.elems.push_back(Cdf(h));
  };
  if (args.size() == 2) {
    for (const auto& [name, h] : metrics.latency_by_command) add(name, h);
    return out;
  }
  for (std::size_t i = 2; i < args.size(); ++i) {
    const std::string name = kv::AsciiLower(args[i]);
    auto it = metrics.latency_by_command.find(name);
    if (it != metrics.latency_by_command.end()) add(name, it->second);
  }
  return out;
}

Value WrongArity(const std::string& sub) {
  return Value::Error("ERR wrong number of arguments for 'latency|" + sub + "' command");
}

}  // namespace

Value LatencyCommand(const std::vector<std::string>& args, const Metrics& metrics) {
  if (args.size() < 2) return Value::Error("ERR wrong number of arguments for 'latency' command");
  const std::string sub = kv::AsciiLower(args[1]);
  if (sub == "histogram") return Histograms(args, metrics);
  if (sub == "latest") return args.size() == 2 ? Value::Array() : WrongArity(sub);
  if (sub == "history") return args.size() == 3 ? Value::Array() : WrongArity(sub);
  if (sub == "reset") return Value::Int(0);
  if (sub == "graph") {
    if (args.size() != 3) return WrongArity(sub);
    return Value::Error("ERR No samples available for event '" + args[2] + "'");
  }
  if (sub == "doctor") {
    if (args.size() != 2) return WrongArity(sub);
    return Value::Bulk(
        "Cairn keeps no latency-monitor events (latency-monitor-threshold is 0 and fixed). "
        "Per-command latency, from a command's arrival to its reply on this node, is in LATENCY "
        "HISTOGRAM, INFO commandstats and the request-duration histograms of /metrics; the "
        "slowest operations this node ran are in SLOWLOG GET.\n");
  }
  if (sub == "help" && args.size() == 2) {
    return kv::HelpLines({
        "LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "HISTOGRAM [<command> ...]",
        "    The cumulative distribution of each command's latency on this node, from its",
        "    arrival to its reply, at the bounds of the node's histograms (100 us to 2.5 s).",
        "LATEST, HISTORY <event>, RESET [<event> ...], GRAPH <event>",
        "    Answered empty: Cairn keeps no latency-monitor events.",
        "DOCTOR",
        "    Where to look instead.",
        "HELP",
        "    This text.",
    });
  }
  return Value::Error("ERR unknown subcommand '" + args[1] + "'. Try LATENCY HELP.");
}

}  // namespace cairn::server
