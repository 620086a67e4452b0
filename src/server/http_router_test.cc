// Goal: the HTTP API's routing answers bad, oversized and unknown requests
// with the right 4xx (never a crash), dispatches path parameters, and writes
// the same response bytes as the responder it replaced.
#include "server/http_router.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

namespace cairn::server::http {
namespace {

Router TestRouter(std::vector<std::string>* seen) {
  Router r;
  r.Add(Verb::get, "/health", [](const Request&, const std::vector<std::string>&, Respond done) {
    done({200, "text/plain", "ok\n"});
  });
  r.Add(Verb::get, "/v1/members", [](const Request&, const std::vector<std::string>&,
                                     Respond done) { done(Json(200, "[]")); });
  r.Add(Verb::delete_, "/v1/members/{}",
        [seen](const Request&, const std::vector<std::string>& params, Respond done) {
          *seen = params;
          done(Json(200, "{}"));
        });
  r.Add(Verb::post, "/v1/transfer-leader", [](const Request& req, const std::vector<std::string>&,
                                              Respond done) { done(Json(200, req.body())); });
  return r;
}

// Parses `bytes` and dispatches; the response (or the parse error).
Response Send(const Router& router, std::string_view bytes) {
  Request req;
  Response out;
  if (!ParseRequest(bytes, &req, &out)) return out;
  int calls = 0;
  router.Dispatch(req, [&](Response r) {
    ++calls;
    out = std::move(r);
  });
  EXPECT_EQ(calls, 1);
  return out;
}

TEST(HttpRouter, RoutesByPathAndMethodWithParameters) {
  std::vector<std::string> seen;
  Router r = TestRouter(&seen);
  EXPECT_EQ(Send(r, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n").body, "ok\n");
  EXPECT_EQ(Send(r, "GET /health?verbose=1 HTTP/1.1\r\n\r\n").status, 200);
  EXPECT_EQ(Send(r, "DELETE /v1/members/42 HTTP/1.1\r\n\r\n").status, 200);
  EXPECT_EQ(seen, std::vector<std::string>{"42"});
  Response post = Send(r, "POST /v1/transfer-leader HTTP/1.1\r\nContent-Length: 9\r\n\r\n{\"to\": 2}");
  EXPECT_EQ(post.status, 200);
  EXPECT_EQ(post.body, "{\"to\": 2}\n");
}

TEST(HttpRouter, UnknownRouteAndWrongMethod) {
  std::vector<std::string> seen;
  Router r = TestRouter(&seen);
  Response unknown = Send(r, "GET /nope HTTP/1.1\r\n\r\n");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.body, "not found\n");
  Response api_unknown = Send(r, "GET /v1/nope HTTP/1.1\r\n\r\n");
  EXPECT_EQ(api_unknown.status, 404);
  EXPECT_EQ(api_unknown.content_type, "application/json");
  EXPECT_EQ(Send(r, "POST /health HTTP/1.1\r\nContent-Length: 0\r\n\r\n").status, 405);
  EXPECT_EQ(Send(r, "GET /v1/members/1/extra HTTP/1.1\r\n\r\n").status, 404);
  EXPECT_EQ(Send(r, "GET /v1/members/ HTTP/1.1\r\n\r\n").status, 200) << "trailing slash";
  EXPECT_TRUE(seen.empty());
}

TEST(HttpRouter, RequireBearerAsksForThePassword) {
  Router r;
  int ran = 0;
  r.Add(Verb::post, "/v1/snapshot",
        RequireBearer("s3cret", [&](const Request&, const std::vector<std::string>&, Respond done) {
          ++ran;
          done(Json(200, "{}"));
        }));
  r.Add(Verb::get, "/open",
        RequireBearer("", [](const Request&, const std::vector<std::string>&, Respond done) {
          done(Json(200, "{}"));
        }));
  const std::string head = "POST /v1/snapshot HTTP/1.1\r\nContent-Length: 0\r\n";
  Response none = Send(r, head + "\r\n");
  EXPECT_EQ(none.status, 401);
  EXPECT_NE(none.body.find("Authorization: Bearer"), std::string::npos) << none.body;
  EXPECT_EQ(Send(r, head + "Authorization: Bearer s3cre\r\n\r\n").status, 401);
  EXPECT_EQ(Send(r, head + "Authorization: Bearer s3cret2\r\n\r\n").status, 401);
  EXPECT_EQ(Send(r, head + "Authorization: Basic s3cret\r\n\r\n").status, 401);
  EXPECT_EQ(Send(r, head + "Authorization: s3cret\r\n\r\n").status, 401);
  EXPECT_EQ(ran, 0);
  EXPECT_EQ(Send(r, head + "Authorization: Bearer s3cret\r\n\r\n").status, 200);
  EXPECT_EQ(ran, 1);
  EXPECT_EQ(Send(r, "GET /open HTTP/1.1\r\n\r\n").status, 200) << "no password, no guard";
}

TEST(HttpRouter, BadAndOversizedRequestsGet4xx) {
  std::vector<std::string> seen;
  Router r = TestRouter(&seen);
  EXPECT_EQ(Send(r, "garbage\r\n\r\n").status, 400);
  EXPECT_EQ(Send(r, "GET /health HTTP/1.1\r\n").status, 400) << "incomplete";
  EXPECT_EQ(Send(r, "GET /health HTTP/9.9\r\n\r\n").status, 400);
  EXPECT_EQ(Send(r, "GET /health HTTP/1.1\r\nContent-Length: x\r\n\r\n").status, 400);
  EXPECT_EQ(Send(r, "GET * HTTP/1.1\r\n\r\n").status, 400) << "not a path";
  std::string big_body = "POST /v1/transfer-leader HTTP/1.1\r\nContent-Length: " +
                         std::to_string(kHttpBodyBytesMax + 1) + "\r\n\r\n" +
                         std::string(kHttpBodyBytesMax + 1, 'x');
  EXPECT_EQ(Send(r, big_body).status, 413);
  std::string big_header = "GET /health HTTP/1.1\r\nX-Big: " +
                           std::string(kHttpHeaderBytesMax, 'y') + "\r\n\r\n";
  EXPECT_EQ(Send(r, big_header).status, 431);
  EXPECT_TRUE(seen.empty());
}

TEST(HttpRouter, ResponseBytesMatchTheOldResponder) {
  EXPECT_EQ(Serialize({200, "text/plain", "ok\n"}),
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n"
            "Connection: close\r\n\r\nok\n");
  EXPECT_EQ(Serialize({503, "text/plain", "not ready\n"}),
            "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: 10\r\n"
            "Connection: close\r\n\r\nnot ready\n");
  EXPECT_EQ(Serialize(JsonError(400, "bad \"x\"")),
            "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: 22\r\n"
            "Connection: close\r\n\r\n{\"error\":\"bad \\\"x\\\"\"}\n");
}

TEST(HttpRouter, NodeIds) {
  EXPECT_EQ(*ParseNodeId("7"), 7u);
  EXPECT_EQ(*ParseNodeId("18446744073709551615"), UINT64_MAX);
  for (const char* bad : {"", "0", "-1", "1x", " 1", "18446744073709551616", "99999999999999999999"}) {
    EXPECT_FALSE(ParseNodeId(bad).ok()) << bad;
  }
}

RC_GTEST_PROP(HttpRouter, AnyBytesGetOneAnswer, (std::string bytes)) {
  std::vector<std::string> seen;
  Router r = TestRouter(&seen);
  Request req;
  Response out;
  if (!ParseRequest(bytes, &req, &out)) {
    RC_ASSERT(out.status >= 400 && out.status < 500);
    return;
  }
  int calls = 0;
  r.Dispatch(req, [&](Response) { ++calls; });
  RC_ASSERT(calls == 1);
}

}  // namespace
}  // namespace cairn::server::http
