#pragma once
// `cairn server` configuration: defaults < YAML file < CAIRN_* environment <
// command-line flags (docs/operations.md lists every key).
//
// Thread-safety: plain functions over values.

#include <map>
#include <string>

#include "common/status.h"
#include "server/node.h"

namespace cairn::cli {

// Every setting as text, keyed by its YAML name (e.g. "resp_port"), so the
// three sources merge uniformly before one typed conversion.
using Settings = std::map<std::string, std::string>;

// The YAML keys (and, upper-cased with a CAIRN_ prefix, the env variables).
const std::vector<std::string>& SettingKeys();

Status MergeYamlFile(const std::string& path, Settings* settings);
void MergeEnv(Settings* settings);
// Typed options from merged settings; InvalidArgument names the bad key.
Result<server::NodeOptions> ToNodeOptions(const Settings& settings);
// "1=127.0.0.1:7001,2=127.0.0.1:7002"
Result<std::vector<net::PeerAddress>> ParsePeers(const std::string& text);

}  // namespace cairn::cli
