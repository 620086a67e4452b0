// COMMAND GETKEYS: the keys a command names, where Redis 7.0 finds them:
// at the command table's fixed positions, or, for the commands whose keys
// move (a numkeys argument, STREAMS, STORE), where their arguments say.
#include <optional>

#include "kv/command_table.h"
#include "kv/parse.h"

namespace cairn::kv {
namespace {

using resp::Value;

// The count at `at`, if it is an integer in [1, what follows it].
std::optional<std::size_t> NumKeys(const Args& a, std::size_t at) {
  std::int64_t n = 0;
  if (at >= a.size() || !ParseStrictInt64(a[at], &n) || n <= 0) return std::nullopt;
  if (static_cast<std::uint64_t>(n) > a.size() - at - 1) return std::nullopt;
  return static_cast<std::size_t>(n);
}

// The keys of a command whose keys move (nullopt from MovableKeys: not one
// of them), or `invalid`: its arguments do not say where they are.
struct Movable {
  std::vector<std::string> keys;
  bool invalid = false;
};

std::optional<Movable> MovableKeys(std::string_view name, const Args& a) {
  Movable m;
  auto counted = [&](std::size_t count_at, std::optional<std::size_t> first_key) {
    auto n = NumKeys(a, count_at);
    if (!n) {
      m.invalid = true;
      return m;
    }
    if (first_key) m.keys.push_back(a[*first_key]);
    m.keys.insert(m.keys.end(), a.begin() + static_cast<std::ptrdiff_t>(count_at + 1),
                  a.begin() + static_cast<std::ptrdiff_t>(count_at + 1 + *n));
    return m;
  };
  if (name == "eval" || name == "evalsha" || name == "eval_ro" || name == "evalsha_ro") {
    // A bad numkeys gives no keys (not an error), as Redis's evalGetKeys.
    if (auto n = NumKeys(a, 2))
      m.keys.assign(a.begin() + 3, a.begin() + 3 + static_cast<std::ptrdiff_t>(*n));
    return m;
  }
  if (name == "zunionstore" || name == "zinterstore" || name == "zdiffstore") return counted(2, 1);
  if (name == "zunion" || name == "zinter" || name == "zdiff" || name == "zintercard" ||
      name == "sintercard" || name == "lmpop" || name == "zmpop") {
    return counted(1, std::nullopt);
  }
  if (name == "blmpop" || name == "bzmpop") return counted(2, std::nullopt);
  if (name == "xread" || name == "xreadgroup") {
    for (std::size_t i = 1; i < a.size(); ++i) {
      if (!IsKeyword(a[i], "streams")) continue;
      const std::size_t n = (a.size() - i - 1) / 2;
      if (n == 0) break;
      m.keys.assign(a.begin() + static_cast<std::ptrdiff_t>(i + 1),
                    a.begin() + static_cast<std::ptrdiff_t>(i + 1 + n));
      return m;
    }
    m.invalid = true;
    return m;
  }
  if (name == "sort" || name == "sort_ro" || name == "georadius" || name == "georadiusbymember") {
    // The key, then a STORE (or STOREDIST) destination wherever it stands.
    const bool geo = name[0] == 'g';
    m.keys.push_back(a[1]);
    for (std::size_t i = geo ? 5 : 2; i + 1 < a.size(); ++i) {
      if (IsKeyword(a[i], "store") || (geo && IsKeyword(a[i], "storedist"))) {
        m.keys.push_back(a[++i]);
      } else if (!geo && IsKeyword(a[i], "limit")) {
        i += 2;
      } else if (!geo && (IsKeyword(a[i], "by") || IsKeyword(a[i], "get"))) {
        ++i;
      }
    }
    if (m.keys.size() > 2) m.keys.erase(m.keys.begin() + 1, m.keys.end() - 1);  // the last STORE
    return m;
  }
  if (name == "object" || name == "memory" || name == "xinfo" || name == "xgroup") {
    // A container: its keyed subcommands name the key after themselves.
    const std::string sub = AsciiLower(a[1]);
    const bool keyed = name == "object"   ? sub != "help"
                       : name == "memory" ? sub == "usage"
                       : name == "xinfo"  ? sub == "stream" || sub == "groups" || sub == "consumers"
                                          : sub != "help";
    if (!keyed || a.size() < 3) return std::nullopt;  // no key arguments
    m.keys.push_back(a[2]);
    return m;
  }
  return std::nullopt;
}

}  // namespace

Value CommandGetKeys(const Args& args) {
  if (args.size() < 4)
    return Value::Error("ERR wrong number of arguments for 'command|getkeys' command");
  const Args cmd(args.begin() + 2, args.end());
  const CommandSpec* spec = FindCommand(cmd[0]);
  if (spec == nullptr) return Value::Error("ERR Invalid command specified");
  if (!ArityOk(*spec, cmd.size())) {
    return Value::Error("ERR Invalid number of arguments specified for command");
  }
  auto keys = [](std::vector<std::string> names) {
    Value out = Value::Array();
    for (std::string& k : names) out.elems.push_back(Value::BulkOwned(std::move(k)));
    return out;
  };
  if (auto m = MovableKeys(spec->name, cmd)) {
    if (m->invalid) return Value::Error("ERR Invalid arguments specified for command");
    return keys(std::move(m->keys));
  }
  if (spec->first_key <= 0) return Value::Error("ERR The command has no key arguments");
  const int argc = static_cast<int>(cmd.size());
  const int last = spec->last_key < 0 ? argc + spec->last_key : spec->last_key;
  std::vector<std::string> found;
  for (int i = spec->first_key; i <= last && i < argc; i += spec->step) found.push_back(cmd[i]);
  return keys(std::move(found));
}

}  // namespace cairn::kv
