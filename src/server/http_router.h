#pragma once
// The HTTP API's pure half: request limits and parsing (Boost.Beast's
// parser), the route table, and response bytes. No sockets and no Asio
// coroutines here, so unit tests and the libFuzzer target
// (fuzz/server/http_router_fuzz) drive it with plain bytes; http.cc runs it
// on the node's io_context.
//
// A route is one line: router.Add(verb, "/v1/members/{}", handler). A `{}`
// segment matches one non-empty path segment and is handed to the handler
// in `params`. The query string is ignored for routing.
//
// Errors: bad requests get a 4xx, never an exception or a crash —
//   400 malformed request line, headers or body; 404 unknown path; 405 known
//   path, other method; 413 body over kHttpBodyBytesMax; 431 headers over
//   kHttpHeaderBytesMax. Error bodies are JSON {"error": "..."} on /v1/
//   routes and plain text elsewhere (as before Beast).
//
// Thread-safety: a Router is immutable once built; Dispatch may be called
// from one thread at a time per request (handlers run on the caller's thread).

#include <utility>  // before Boost (1.74)

#include <boost/beast/http.hpp>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace cairn::server::http {

namespace beast_http = boost::beast::http;
using Verb = beast_http::verb;
using Request = beast_http::request<beast_http::string_body>;

inline constexpr std::size_t kHttpHeaderBytesMax = 8 << 10;
inline constexpr std::size_t kHttpBodyBytesMax = 64 << 10;

struct Response {
  int status = 200;
  std::string content_type = "text/plain";
  std::string body;
};
// Called exactly once per request, maybe later (after a Raft commit).
using Respond = std::function<void(Response)>;
using Handler =
    std::function<void(const Request& req, const std::vector<std::string>& params, Respond done)>;

// {"error": message} with `status` (a JSON body ends in "\n").
Response JsonError(int status, std::string_view message);
Response Json(int status, const std::string& json_text);

// `handler`, run only for a request that carries `password` as
// "Authorization: Bearer <password>"; any other gets 401 and a JSON error.
// An empty password guards nothing: `handler` itself is returned.
Handler RequireBearer(std::string password, Handler handler);

class Router {
 public:
  void Add(Verb method, std::string pattern, Handler handler);
  // Runs the matching handler, or answers 404/405 itself.
  void Dispatch(const Request& req, const Respond& done) const;

 private:
  struct Route {
    Verb method;
    std::vector<std::string> segments;  // "{}" matches any one segment
    Handler handler;
  };
  std::vector<Route> routes_;
};

// A request parser with the limits above (headers, then body).
using Parser = beast_http::request_parser<beast_http::string_body>;
void ConfigureParser(Parser* parser);
// The 4xx for a parse error (body_limit -> 413, header_limit -> 431, else 400).
Response ParseErrorResponse(const boost::system::error_code& ec);
// Parses one complete request from `bytes` (tests and the fuzzer; the node
// reads from its socket with the same parser settings). On failure *error
// holds the 4xx to send.
bool ParseRequest(std::string_view bytes, Request* out, Response* error);

// The bytes on the wire: status line, Content-Type, Content-Length,
// Connection: close (one request per connection), body.
std::string Serialize(const Response& r);

// A node id in a path or body: decimal, 1..2^64-1, nothing else.
Result<std::uint64_t> ParseNodeId(std::string_view text);

}  // namespace cairn::server::http
