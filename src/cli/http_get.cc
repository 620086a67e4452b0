#include "cli/http_get.h"

#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cstdio>

namespace cairn::cli {

Result<HttpReply> HttpRequest(const std::string& address, const std::string& method,
                              const std::string& path, const std::string& body,
                              const std::string& bearer) {
  std::size_t colon = address.rfind(':');
  if (colon == std::string::npos) return Status::InvalidArgument("address must be host:port");
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  std::string host = address.substr(0, colon), port = address.substr(colon + 1);
  if (::getaddrinfo(host.c_str(), port.c_str(), &hints, &res) != 0 || res == nullptr) {
    return Status::InvalidArgument("cannot resolve " + address);
  }
  int fd = ::socket(res->ai_family, res->ai_socktype, res->ai_protocol);
  bool connected = fd >= 0 && ::connect(fd, res->ai_addr, res->ai_addrlen) == 0;
  ::freeaddrinfo(res);
  if (!connected) {
    if (fd >= 0) ::close(fd);
    return Status::Unavailable("cannot connect to " + address);
  }
  std::string req = fmt::format(
      "{} {} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Type: application/json\r\n"
      "{}Content-Length: {}\r\n\r\n{}",
      method, path, address, bearer.empty() ? "" : "Authorization: Bearer " + bearer + "\r\n",
      body.size(), body);
  if (::write(fd, req.data(), req.size()) != static_cast<ssize_t>(req.size())) {
    ::close(fd);
    return Status::Unavailable("write to " + address + " failed");
  }
  std::string resp;
  char buf[4096];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) resp.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  std::size_t end = resp.find("\r\n\r\n");
  int status = 0;
  if (end == std::string::npos || std::sscanf(resp.c_str(), "HTTP/1.%*d %d", &status) != 1) {
    return Status::Unavailable("bad HTTP reply from " + address);
  }
  return HttpReply{status, resp.substr(end + 4)};
}

Result<std::string> HttpGet(const std::string& address, const std::string& path) {
  CAIRN_ASSIGN_OR_RETURN(HttpReply r, HttpRequest(address, "GET", path));
  return r.body;
}

}  // namespace cairn::cli
