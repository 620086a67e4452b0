#pragma once
// The HELP subcommands of Cairn's container commands (XINFO HELP, XGROUP
// HELP): Redis's reply shape (one status line per line, the subcommands
// each followed by an indented description), in Cairn's own words.
//
// Thread-safety: a pure function.

#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "resp/value.h"

namespace cairn::kv {

// The help reply if `args` is exactly `<container> HELP` (any case) for a
// container that has one; nullopt otherwise (the parser then answers, e.g.
// the arity error of `XINFO HELP extra`).
std::optional<resp::Value> SubcommandHelp(const std::vector<std::string>& args);
// A HELP reply in that shape: one status line per line (the server's own
// containers, CONFIG and SLOWLOG, use it too).
resp::Value HelpLines(std::initializer_list<const char*> lines);

}  // namespace cairn::kv
