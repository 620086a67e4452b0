// libFuzzer target: arbitrary bytes as an HTTP request to the node's API:
// Beast's parser with the node's limits, then the route table (with the
// node's real route shapes) and the admin body parsers. Every request must
// get exactly one answer, and errors must be 4xx.
#include <cstdlib>

#include "server/admin_requests.h"
#include "server/http_router.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cairn::server;
  using namespace cairn::server::http;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  static const Router* router = [] {
    auto* r = new Router();
    auto ok = [](const Request&, const std::vector<std::string>&, Respond done) {
      done({200, "text/plain", "ok\n"});
    };
    for (const char* p : {"/health", "/ready", "/metrics", "/v1/status", "/v1/members"}) {
      r->Add(Verb::get, p, ok);
    }
    r->Add(Verb::post, "/v1/members", [](const Request& req, const std::vector<std::string>&, Respond done) {
      auto m = ParseAddMember(req.body());
      done(m.ok() ? Response{200, "text/plain", "ok\n"} : JsonError(400, m.status().message()));
    });
    r->Add(Verb::delete_, "/v1/members/{}", [](const Request&, const std::vector<std::string>& params, Respond done) {
      auto id = ParseNodeId(params.at(0));
      done(id.ok() ? Response{200, "text/plain", "ok\n"} : JsonError(400, id.status().message()));
    });
    r->Add(Verb::post, "/v1/transfer-leader", [](const Request& req, const std::vector<std::string>&, Respond done) {
      auto to = ParseTransferTarget(req.body());
      done(to.ok() ? Response{200, "text/plain", "ok\n"} : JsonError(400, to.status().message()));
    });
    return r;
  }();
  Request req;
  Response out;
  if (!ParseRequest(in, &req, &out)) {
    if (out.status < 400 || out.status >= 500) std::abort();
    return 0;
  }
  int calls = 0;
  router->Dispatch(req, [&](Response r) {
    ++calls;
    if (r.status != 200 && (r.status < 400 || r.status >= 500)) std::abort();
    (void)Serialize(r);
  });
  if (calls != 1) std::abort();
  (void)ParseAddMember(in);
  (void)ParseTransferTarget(in);
  return 0;
}
