#pragma once
// MemberInfo: how to reach a cluster member, carried in the context of its
// configuration-change entry (raft::ConfChange::context) so that every node
// learns it from the log: when the entry arrives, and again after a restart.
//
//   context = u8 version (1) | u32 len | raft address | u32 len | http address
//
// Addresses are "host:port" text; the HTTP address may be empty (unknown).
// Decode checks every length and the address syntax, and rejects trailing
// bytes, so any input yields a value or InvalidArgument (fuzzed by
// fuzz/net/member_info_fuzz).
//
// Thread-safety: pure functions over values.

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace cairn::net {

inline constexpr std::size_t kAddressBytesMax = 255;

struct MemberInfo {
  std::string raft_address;  // host:port of the peer transport
  std::string http_address;  // host:port of the HTTP API, or empty
  friend bool operator==(const MemberInfo&, const MemberInfo&) = default;
};

struct HostPort {
  std::string host;
  std::uint16_t port = 0;
};

// "host:port" (host non-empty, no spaces or control bytes, port 1..65535;
// IPv6 as "[::1]:7001"). InvalidArgument otherwise.
Result<HostPort> ParseHostPort(std::string_view text);

std::string EncodeMemberInfo(const MemberInfo& info);
// The raft address must parse; the HTTP address must parse if not empty.
Result<MemberInfo> DecodeMemberInfo(std::string_view data);

}  // namespace cairn::net
