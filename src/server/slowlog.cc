#include "server/slowlog.h"

#include "kv/op_name.h"
#include "kv/parse.h"
#include "kv/subcommand_help.h"

namespace cairn::server {
namespace {

constexpr std::size_t kArgsMax = 32;
constexpr std::size_t kArgBytesMax = 128;

}  // namespace

void SlowLog::Add(const kv::Op& op, std::int64_t micros, std::int64_t unix_seconds) {
  if (max_len_ == 0) return;
  Entry e{next_id_++, unix_seconds, micros, {std::string(kv::OpCommandName(op))}};
  const std::size_t argc = op.args.size() + 1;
  const std::size_t kept = std::min(argc, kArgsMax);
  for (std::size_t i = 1; i < kept; ++i) {
    const std::string& a = op.args[i - 1];
    if (i == kArgsMax - 1 && argc > kArgsMax) {
      e.args.push_back("... (" + std::to_string(argc - kArgsMax + 1) + " more arguments)");
      break;
    }
    if (a.size() > kArgBytesMax) {
      e.args.push_back(a.substr(0, kArgBytesMax) + "... (" +
                       std::to_string(a.size() - kArgBytesMax) + " more bytes)");
    } else {
      e.args.push_back(a);
    }
  }
  entries_.push_front(std::move(e));
  while (entries_.size() > max_len_) entries_.pop_back();
}

void SlowLog::set_max_len(std::size_t n) {
  max_len_ = n;
  while (entries_.size() > max_len_) entries_.pop_back();
}

resp::Value SlowLog::Command(const std::vector<std::string>& args) {
  using resp::Value;
  const std::string sub = args.size() > 1 ? args[1] : "";
  auto is = [&](const char* word) { return kv::IsKeyword(sub, word); };
  if (is("get") && args.size() <= 3) {
    std::int64_t count = 10;
    if (args.size() == 3 && (!kv::ParseStrictInt64(args[2], &count) || count < -1)) {
      return Value::Error("ERR count should be greater than or equal to -1");
    }
    Value out = Value::Array();
    for (const Entry& e : entries_) {
      if (count != -1 && static_cast<std::int64_t>(out.elems.size()) >= count) break;
      Value argv = Value::Array();
      for (const std::string& a : e.args) argv.elems.push_back(Value::Bulk(a));
      // (Redis's last two: the client's address and name. The op may have
      // come from another node's client, or from the log: none is named.)
      out.elems.push_back(
          Value::Array({Value::Int(static_cast<std::int64_t>(e.id)), Value::Int(e.unix_seconds),
                        Value::Int(e.micros), std::move(argv), Value::Bulk(""), Value::Bulk("")}));
    }
    return out;
  }
  if (is("len") && args.size() == 2) return Value::Int(static_cast<std::int64_t>(entries_.size()));
  if (is("reset") && args.size() == 2) {
    entries_.clear();
    return Value::Simple("OK");
  }
  if (is("help") && args.size() == 2) {
    return kv::HelpLines({
        "SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "GET [<count>]",
        "    The newest <count> entries (default 10, -1 for all): id, Unix time,",
        "    microseconds, the operation and its arguments, and two empty strings",
        "    (Redis's client address and name).",
        "LEN",
        "    How many entries the log holds.",
        "RESET",
        "    Empties the log.",
        "HELP",
        "    This text.",
    });
  }
  if (args.size() < 2 || is("get") || is("len") || is("reset") || is("help")) {
    return Value::Error(
        "ERR wrong number of arguments for '" +
        (args.size() < 2 ? std::string("slowlog") : "slowlog|" + kv::AsciiLower(sub)) +
        "' command");
  }
  return Value::Error("ERR unknown subcommand '" + sub + "'. Try SLOWLOG HELP.");
}

}  // namespace cairn::server
