#include "kv/subcommand_help.h"

#include <strings.h>

#include <initializer_list>

namespace cairn::kv {
resp::Value HelpLines(std::initializer_list<const char*> lines) {
  resp::Value out = resp::Value::Array();
  for (const char* line : lines) out.elems.push_back(resp::Value::Simple(line));
  return out;
}

std::optional<resp::Value> SubcommandHelp(const std::vector<std::string>& args) {
  if (args.size() != 2 || strcasecmp(args[1].c_str(), "help") != 0) return std::nullopt;
  if (strcasecmp(args[0].c_str(), "xinfo") == 0) {
    return HelpLines({
        "XINFO <subcommand> [<arg> ...]. Subcommands are:",
        "STREAM <key> [FULL [COUNT <count>]]",
        "    The stream's length, IDs and counters, its first and last entries; with FULL,",
        "    its entries and its groups' pending entries (up to <count> of each, default 10,",
        "    0 for all) and consumers.",
        "GROUPS <key>",
        "    The stream's consumer groups, with their pending counts, entries read and lag.",
        "CONSUMERS <key> <group>",
        "    The group's consumers, with their pending counts and idle times.",
        "HELP",
        "    This text.",
    });
  }
  if (strcasecmp(args[0].c_str(), "object") == 0) {
    return HelpLines({
        "OBJECT <subcommand> [<arg> ...]. Subcommands are:",
        "ENCODING <key>",
        "    The name Redis gives the representation of a value like the key's (Cairn",
        "    keeps every value as one record).",
        "FREQ <key>",
        "    The key's access frequency: refused, as no LFU eviction policy is set.",
        "IDLETIME <key>",
        "    The seconds since the key was last read or written: refused, Cairn does",
        "    not track access times.",
        "REFCOUNT <key>",
        "    References to the value, as Redis counts them.",
        "HELP",
        "    This text.",
    });
  }
  if (strcasecmp(args[0].c_str(), "xgroup") == 0) {
    return HelpLines({
        "XGROUP <subcommand> [<arg> ...]. Subcommands are:",
        "CREATE <key> <group> <id|$> [MKSTREAM] [ENTRIESREAD <n>]",
        "    A new group that delivers the entries after <id> ($: after the last one);",
        "    MKSTREAM makes an empty stream if there is none; ENTRIESREAD sets its read",
        "    counter (from which XINFO derives the lag).",
        "SETID <key> <group> <id|$> [ENTRIESREAD <n>]",
        "    Moves the group's last delivered ID (and sets its read counter).",
        "DESTROY <key> <group>",
        "    Removes the group and its pending entries.",
        "CREATECONSUMER <key> <group> <consumer>",
        "    Adds a consumer to the group.",
        "DELCONSUMER <key> <group> <consumer>",
        "    Removes a consumer and drops its pending entries.",
        "HELP",
        "    This text.",
    });
  }
  if (strcasecmp(args[0].c_str(), "memory") == 0) {
    return HelpLines({
        "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "USAGE <key> [SAMPLES <count>]",
        "    The bytes the key takes in the store (its stored key and record).",
        "DOCTOR",
        "    Where this node's memory goes.",
        "MALLOC-STATS",
        "    Not kept for this allocator.",
        "PURGE",
        "    Accepted: there is nothing to hand back.",
        "HELP",
        "    This text.",
    });
  }
  return std::nullopt;
}

}  // namespace cairn::kv
