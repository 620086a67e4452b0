#include "server/acl_command.h"

#include <array>
#include <random>
#include <string_view>

#include "kv/command_table.h"
#include "kv/parse.h"
#include "kv/subcommand_help.h"

namespace cairn::server {
namespace {

using resp::Value;

constexpr std::array<std::string_view, 21> kCategories = {
    "keyspace", "read",   "write",       "set",       "sortedset",  "list",        "hash",
    "string",   "bitmap", "hyperloglog", "geo",       "stream",     "pubsub",      "admin",
    "fast",     "slow",   "blocking",    "dangerous", "connection", "transaction", "scripting"};

// Whether the command table puts `spec` in `category`.
bool InCategory(const kv::CommandSpec& spec, std::string_view category) {
  const std::string_view g = spec.group;
  if (category == "read") return spec.flags & kv::kCmdReadonly;
  if (category == "write") return spec.flags & kv::kCmdWrite;
  if (category == "fast") return spec.flags & kv::kCmdFast;
  if (category == "slow") return !(spec.flags & kv::kCmdFast);
  if (category == "blocking") return spec.flags & kv::kCmdBlocking;
  if (category == "admin" || category == "dangerous") {
    return (spec.flags & kv::kCmdAdmin) || g == "server";
  }
  if (category == "keyspace") return g == "generic";
  if (category == "sortedset") return g == "sorted_set";
  if (category == "transaction") return g == "transactions";
  return g == category;  // set, list, hash, string, bitmap, ...
}

Value User(bool has_password) {
  Value flags = Value::Set({Value::Bulk("on")});
  if (!has_password) flags.elems.push_back(Value::Bulk("nopass"));
  return Value::Map({Value::Bulk("flags"), std::move(flags), Value::Bulk("passwords"),
                     Value::Array(), Value::Bulk("commands"), Value::Bulk("+@all"),
                     Value::Bulk("keys"), Value::Bulk("~*"), Value::Bulk("channels"),
                     Value::Bulk("&*"), Value::Bulk("selectors"), Value::Array()});
}

Value WrongArity(const std::string& sub) {
  return Value::Error("ERR wrong number of arguments for 'acl|" + sub + "' command");
}

Value GenPass(const std::vector<std::string>& args) {
  std::int64_t bits = 256;
  if (args.size() == 3 && (!kv::ParseStrictInt64(args[2], &bits) || bits <= 0 || bits > 4096)) {
    return Value::Error(
        "ERR ACL GENPASS argument must be the number of bits for the output password, a "
        "positive number up to 4096");
  }
  std::random_device source;  // the kernel's random source
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::int64_t i = 0; i < (bits + 3) / 4; ++i) out.push_back(kHex[source() & 15]);
  return Value::BulkOwned(std::move(out));
}

}  // namespace

Value AclCommand(const std::vector<std::string>& args, bool has_password) {
  if (args.size() < 2) return Value::Error("ERR wrong number of arguments for 'acl' command");
  const std::string sub = kv::AsciiLower(args[1]);
  const std::size_t argc = args.size();
  if (sub == "whoami") return argc == 2 ? Value::Bulk("default") : WrongArity(sub);
  if (sub == "users") return argc == 2 ? Value::Array({Value::Bulk("default")}) : WrongArity(sub);
  if (sub == "list") {
    if (argc != 2) return WrongArity(sub);
    return Value::Array({Value::Bulk(has_password ? "user default on ~* &* +@all"
                                                  : "user default on nopass ~* &* +@all")});
  }
  if (sub == "getuser") {
    if (argc != 3) return WrongArity(sub);
    return args[2] == "default" ? User(has_password) : Value::Null();
  }
  if (sub == "cat") {
    if (argc > 3) return WrongArity(sub);
    Value out = Value::Array();
    if (argc == 2) {
      for (std::string_view c : kCategories) out.elems.push_back(Value::Bulk(c));
      return out;
    }
    const std::string category = kv::AsciiLower(args[2]);
    bool known = false;
    for (std::string_view c : kCategories) known |= c == category;
    if (!known) return Value::Error("ERR Unknown category '" + args[2] + "'");
    for (const kv::CommandSpec& spec : kv::AllCommands()) {
      if (InCategory(spec, category)) out.elems.push_back(Value::Bulk(spec.name));
    }
    return out;
  }
  if (sub == "dryrun") {
    if (argc < 4) return WrongArity(sub);
    if (args[2] != "default") return Value::Error("ERR User '" + args[2] + "' not found");
    const kv::CommandSpec* spec = kv::FindCommand(args[3]);
    if (spec == nullptr) return Value::Error("ERR Command '" + args[3] + "' not found");
    return Value::Simple("OK");
  }
  if (sub == "genpass") return argc <= 3 ? GenPass(args) : WrongArity(sub);
  if (sub == "log") {
    if (argc > 3) return WrongArity(sub);
    if (argc == 3 && kv::AsciiLower(args[2]) == "reset") return Value::Simple("OK");
    std::int64_t count = 0;
    if (argc == 3 && !kv::ParseStrictInt64(args[2], &count)) {
      return Value::Error("ERR value is not an integer or out of range");
    }
    return Value::Array();
  }
  if (sub == "setuser" || sub == "deluser" || sub == "load" || sub == "save") {
    return Value::Error(
        "ERR Cairn has one user, 'default', whose password is the node's "
        "requirepass: ACL " +
        kv::AsciiLower(args[1]) + " is not supported");
  }
  if (sub == "help" && argc == 2) {
    return kv::HelpLines({
        "ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CAT [<category>]",
        "    The command categories, or the commands in one (from the command table).",
        "DRYRUN <username> <command> [<arg> ...]",
        "    Whether the user may run the command: 'default' may run them all.",
        "GETUSER <username>",
        "    The user's rules ('default': everything allowed).",
        "GENPASS [<bits>]",
        "    A random password of <bits> bits (default 256), in hexadecimal.",
        "LIST",
        "    The users' rules in ACL file form.",
        "LOG [<count> | RESET]",
        "    Refused commands and authentications: none are logged (always empty).",
        "USERS",
        "    The user names: 'default', the only user, whose password is requirepass.",
        "WHOAMI",
        "    The current connection's user: 'default'.",
        "SETUSER, DELUSER, LOAD, SAVE",
        "    Refused: Cairn has one user.",
        "HELP",
        "    This text.",
    });
  }
  return Value::Error("ERR unknown subcommand '" + args[1] + "'. Try ACL HELP.");
}

}  // namespace cairn::server
