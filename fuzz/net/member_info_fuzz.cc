// libFuzzer target: arbitrary bytes as the payload of a configuration-change
// entry (raft::DecodeConfChange) and as its context (net::DecodeMemberInfo).
// Whatever decodes must re-encode to the same bytes.
#include <cstdlib>

#include "net/member_info.h"
#include "raft/membership.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cairn;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto cc = raft::DecodeConfChange(in);
  if (cc.ok()) {
    if (raft::EncodeConfChange(*cc) != in) std::abort();
    auto nested = net::DecodeMemberInfo(cc->context);
    if (nested.ok() && net::EncodeMemberInfo(*nested) != cc->context) std::abort();
  }
  auto info = net::DecodeMemberInfo(in);
  if (info.ok() && net::EncodeMemberInfo(*info) != in) std::abort();
  (void)net::ParseHostPort(in);
  return 0;
}
