#include "net/member_info.h"

#include "net/raft_codec.h"

namespace cairn::net {

Result<HostPort> ParseHostPort(std::string_view text) {
  if (text.empty() || text.size() > kAddressBytesMax) {
    return Status::InvalidArgument("address must be host:port");
  }
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || c == '/' || c == '@') {
      return Status::InvalidArgument("address has a character a host:port cannot hold");
    }
  }
  std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size()) {
    return Status::InvalidArgument("address must be host:port");
  }
  std::string_view host = text.substr(0, colon), port = text.substr(colon + 1);
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') return Status::InvalidArgument("bad IPv6 host");
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return Status::InvalidArgument("IPv6 hosts are written [addr]:port");
  }
  if (port.size() > 5) return Status::InvalidArgument("port out of range");
  std::uint32_t n = 0;
  for (char c : port) {
    if (c < '0' || c > '9') return Status::InvalidArgument("port is not a number");
    n = n * 10 + static_cast<std::uint32_t>(c - '0');
  }
  if (n == 0 || n > 65535) return Status::InvalidArgument("port out of range");
  return HostPort{std::string(host), static_cast<std::uint16_t>(n)};
}

std::string EncodeMemberInfo(const MemberInfo& info) {
  std::string out;
  ByteWriter w(&out);
  w.U8(1);
  w.Bytes(info.raft_address);
  w.Bytes(info.http_address);
  return out;
}

Result<MemberInfo> DecodeMemberInfo(std::string_view data) {
  ByteReader r(data);
  std::uint8_t version = 0;
  std::string_view raft, http;
  if (!r.U8(&version)) return Status::InvalidArgument("member info: empty");
  if (version != 1) return Status::InvalidArgument("member info: unknown version");
  if (!r.Bytes(&raft) || !r.Bytes(&http)) return Status::InvalidArgument("member info: truncated");
  if (r.remaining() != 0) return Status::InvalidArgument("member info: trailing bytes");
  if (auto hp = ParseHostPort(raft); !hp.ok()) {
    return Status::InvalidArgument("member info: raft address: " + std::string(hp.status().message()));
  }
  if (!http.empty()) {
    if (auto hp = ParseHostPort(http); !hp.ok()) {
      return Status::InvalidArgument("member info: http address: " +
                                     std::string(hp.status().message()));
    }
  }
  return MemberInfo{std::string(raft), std::string(http)};
}

}  // namespace cairn::net
