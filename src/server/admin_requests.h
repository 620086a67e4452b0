#pragma once
// JSON bodies of the admin routes (POST /v1/members, POST
// /v1/transfer-leader). Pure parsing: anything malformed is InvalidArgument
// with a message fit for the HTTP client; never an exception.
//
// Thread-safety: pure functions.

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace cairn::server {

struct AddMemberRequest {
  std::uint64_t id = 0;
  std::string raft_address;  // host:port, required
  std::string http_address;  // host:port, optional
};

// {"id": 4, "raft_address": "127.0.0.1:7004", "http_address": "127.0.0.1:8084"}
Result<AddMemberRequest> ParseAddMember(std::string_view body);
// Empty body, {} or {"to": N}; 0 means "pick the most caught-up voter".
Result<std::uint64_t> ParseTransferTarget(std::string_view body);

}  // namespace cairn::server
