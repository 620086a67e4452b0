#include "client/errors.h"

namespace cairn::client {
namespace {

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

}  // namespace

Status ErrorReplyToStatus(std::string_view error) {
  if (StartsWith(error, "TRYAGAIN") || StartsWith(error, "LOADING") ||
      StartsWith(error, "BUSY") || StartsWith(error, "MASTERDOWN") ||
      StartsWith(error, "READONLY")) {
    return Status::Unavailable(error);
  }
  if (StartsWith(error, "TIMEOUT")) {
    return Status::DeadlineExceeded(std::string("outcome unknown: ") + std::string(error));
  }
  if (StartsWith(error, "ERR max number of clients")) return Status::ResourceExhausted(error);
  if (StartsWith(error, "WRONGTYPE")) return Status::FailedPrecondition(error);
  return Status::InvalidArgument(error);
}

std::string InfoField(std::string_view info, std::string_view key) {
  std::size_t pos = 0;
  while (pos < info.size()) {
    std::size_t end = info.find('\n', pos);
    if (end == std::string_view::npos) end = info.size();
    std::string_view line = info.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.size() > key.size() && StartsWith(line, key) && line[key.size()] == ':') {
      return std::string(line.substr(key.size() + 1));
    }
    pos = end + 1;
  }
  return {};
}

}  // namespace cairn::client
