#pragma once
// ACL: Redis's access-control command, answered for Cairn's one user.
//
// A node has one user, `default`, whose password is the node's requirepass
// (none: any client may do anything). So WHOAMI and USERS name `default`,
// LIST and GETUSER describe it with every command, key and channel allowed
// (`+@all ~* &*`; `nopass` without a requirepass; the password's SHA-256,
// which Redis shows, is not), CAT lists Redis's 21 categories and, for one
// of them, the commands the command table puts in it (by its group and
// flags: an approximation of Redis's own lists), DRYRUN answers OK for any
// known command of `default`, GENPASS draws from the system's random
// source, and LOG is always empty. SETUSER, DELUSER, LOAD and SAVE are
// refused: there are no other users to make.
//
// Thread-safety: none needed; a pure function of its arguments (GENPASS
// reads std::random_device).

#include <string>
#include <vector>

#include "resp/value.h"

namespace cairn::server {

// args[0] is "ACL"; `has_password`: the node has a requirepass.
resp::Value AclCommand(const std::vector<std::string>& args, bool has_password);

}  // namespace cairn::server
