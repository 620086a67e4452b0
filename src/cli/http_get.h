#pragma once
// Blocking HTTP/1.1 requests for the CLI (`cairn ctl`, `cairn dev`).
// Errors: InvalidArgument for a bad address, Unavailable when the node cannot
// be reached or answers something that is not HTTP. Thread-safety: pure
// functions.
#include <string>

#include "common/status.h"

namespace cairn::cli {

struct HttpReply {
  int status = 0;
  std::string body;
};

// One request (Connection: close); any status code is a reply, not an error.
// A non-empty `bearer` is sent as "Authorization: Bearer <bearer>" (the
// node's requirepass, which its HTTP API's changes ask for).
Result<HttpReply> HttpRequest(const std::string& address, const std::string& method,
                              const std::string& path, const std::string& body = "",
                              const std::string& bearer = "");
// GET: the body whatever the status.
Result<std::string> HttpGet(const std::string& address, const std::string& path);

}  // namespace cairn::cli
