#include "server/http_router.h"

#include <nlohmann/json.hpp>

#include "common/secret.h"

namespace cairn::server::http {
namespace {

std::vector<std::string> SplitPath(std::string_view path) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos < path.size()) {
    if (path[pos] == '/') {
      ++pos;
      continue;
    }
    std::size_t slash = path.find('/', pos);
    if (slash == std::string_view::npos) slash = path.size();
    out.emplace_back(path.substr(pos, slash - pos));
    pos = slash;
  }
  return out;
}

bool IsApi(std::string_view path) { return path.rfind("/v1/", 0) == 0; }

Response PlainOrJson(std::string_view path, int status, std::string_view text) {
  if (IsApi(path)) return JsonError(status, text);
  return Response{status, "text/plain", std::string(text) + "\n"};
}

}  // namespace

Response JsonError(int status, std::string_view message) {
  nlohmann::json j;
  j["error"] = std::string(message);
  return Json(status, j.dump());
}

Response Json(int status, const std::string& json_text) {
  return Response{status, "application/json", json_text + "\n"};
}

Handler RequireBearer(std::string password, Handler handler) {
  if (password.empty()) return handler;
  return [password = std::move(password), handler = std::move(handler)](
             const Request& req, const std::vector<std::string>& params, Respond done) {
    constexpr std::string_view kScheme = "Bearer ";
    auto it = req.find(beast_http::field::authorization);
    std::string_view value = it == req.end()
                                 ? std::string_view()
                                 : std::string_view(it->value().data(), it->value().size());
    const bool has_scheme = value.substr(0, kScheme.size()) == kScheme;
    if (!has_scheme || !SecretMatches(value.substr(kScheme.size()), password)) {
      return done(JsonError(401,
                            "authentication required: send the node's requirepass as "
                            "'Authorization: Bearer <password>' (cairn ctl --password)"));
    }
    handler(req, params, std::move(done));
  };
}

void Router::Add(Verb method, std::string pattern, Handler handler) {
  routes_.push_back({method, SplitPath(pattern), std::move(handler)});
}

void Router::Dispatch(const Request& req, const Respond& done) const {
  if (req.version() != 10 && req.version() != 11) {
    return done(JsonError(400, "unsupported HTTP version"));
  }
  std::string_view target(req.target().data(), req.target().size());
  std::string_view path = target.substr(0, target.find('?'));
  if (path.empty() || path.front() != '/') return done(JsonError(400, "bad request target"));
  std::vector<std::string> segments = SplitPath(path);
  bool path_known = false;
  for (const Route& r : routes_) {
    if (r.segments.size() != segments.size()) continue;
    std::vector<std::string> params;
    bool match = true;
    for (std::size_t i = 0; i < segments.size() && match; ++i) {
      if (r.segments[i] == "{}") {
        params.push_back(segments[i]);
      } else {
        match = r.segments[i] == segments[i];
      }
    }
    if (!match) continue;
    path_known = true;
    if (r.method != req.method()) continue;
    return r.handler(req, params, done);
  }
  if (path_known) return done(PlainOrJson(path, 405, "method not allowed"));
  done(PlainOrJson(path, 404, "not found"));
}

void ConfigureParser(Parser* parser) {
  parser->header_limit(static_cast<std::uint32_t>(kHttpHeaderBytesMax));
  parser->body_limit(kHttpBodyBytesMax);
}

Response ParseErrorResponse(const boost::system::error_code& ec) {
  if (ec == beast_http::error::body_limit) return JsonError(413, "request body too large");
  if (ec == beast_http::error::header_limit) return JsonError(431, "request headers too large");
  return JsonError(400, "malformed HTTP request: " + ec.message());
}

bool ParseRequest(std::string_view bytes, Request* out, Response* error) {
  Parser parser;
  ConfigureParser(&parser);
  parser.eager(true);
  boost::system::error_code ec;
  std::size_t used = 0;
  while (used < bytes.size() && !parser.is_done()) {
    std::size_t n = parser.put(boost::asio::buffer(bytes.data() + used, bytes.size() - used), ec);
    if (ec == beast_http::error::need_more) break;
    if (ec) {
      *error = ParseErrorResponse(ec);
      return false;
    }
    if (n == 0) break;
    used += n;
  }
  if (!parser.is_done()) {
    *error = JsonError(400, "incomplete HTTP request");
    return false;
  }
  *out = parser.release();
  return true;
}

// Beast writes the fields in the order they are set: the same bytes the
// hand-written responder produced before.
std::string Serialize(const Response& r) {
  beast_http::response<beast_http::string_body> res{beast_http::int_to_status(r.status), 11};
  if (res.result() == beast_http::status::unknown) res.result(r.status);
  res.set(beast_http::field::content_type, r.content_type);
  res.set(beast_http::field::content_length, std::to_string(r.body.size()));
  res.set(beast_http::field::connection, "close");
  res.body() = r.body;
  beast_http::serializer<false, beast_http::string_body> sr{res};
  std::string out;
  boost::system::error_code ec;
  do {
    sr.next(ec, [&](boost::system::error_code&, const auto& buffers) {
      std::size_t n = 0;
      for (auto b : boost::beast::buffers_range_ref(buffers)) {
        out.append(static_cast<const char*>(b.data()), b.size());
        n += b.size();
      }
      sr.consume(n);
    });
  } while (!ec && !sr.is_done());
  return out;
}

Result<std::uint64_t> ParseNodeId(std::string_view text) {
  if (text.empty() || text.size() > 20) return Status::InvalidArgument("node id: not a number");
  std::uint64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return Status::InvalidArgument("node id: not a number");
    std::uint64_t d = static_cast<std::uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return Status::InvalidArgument("node id: out of range");
    v = v * 10 + d;
  }
  if (v == 0) return Status::InvalidArgument("node id: must be at least 1");
  return v;
}

}  // namespace cairn::server::http
