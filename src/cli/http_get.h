#pragma once
// A blocking HTTP/1.1 GET for the CLI (`cairn ctl`, `cairn dev`): returns the
// body, or Unavailable/InvalidArgument. Thread-safety: a pure function.
#include <string>

#include "common/status.h"

namespace cairn::cli {
Result<std::string> HttpGet(const std::string& address, const std::string& path);
// A blocking POST with an empty body: the reply's body on a 2xx status,
// else Unavailable carrying the status line and body.
Result<std::string> HttpPost(const std::string& address, const std::string& path);
}  // namespace cairn::cli
