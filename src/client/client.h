#pragma once
// cairn::client::Client — libcairn, the C++ client for Cairn (and any Redis).
//
//   auto c = Client::Connect({.seeds = {"127.0.0.1:7001", "127.0.0.1:7002", "127.0.0.1:7003"}});
//   if (!c.ok()) ...;
//   Status s = (*c)->Set("k", "v");
//   Result<std::optional<std::string>> v = (*c)->Get("k");
//
// Transport: one pipelined RESP3 connection per node (HELLO 3; RESP2 if the
// server refuses), all driven by one Asio io_context on a thread the client
// owns; replies are matched to requests in order, so any number of requests
// may be in flight per connection.
//
// Routing: the client asks every seed for INFO (node_id, role, leader_id) and
// sends writes and strong/lease reads to the leader (no forwarding hop). Reads
// at eventual, bounded and session levels go to any node, chosen by a src/lb
// picker. TRYAGAIN or a lost connection marks the topology stale: the next
// attempt asks the nodes again. Seeds should list every node (Cairn does not
// advertise its peers' client addresses): when no seed leads but a follower
// among them names a leader, writes and strong/lease reads go to that
// follower, which forwards them (one more hop), and the seeds are asked again
// every 2 s until one of them leads.
//
// Consistency is per client (SetConsistency) and sent to each node as
// CONSISTENCY before the first read that needs it. At the session level every
// command is followed, pipelined on the same connection, by SESSION; the
// client keeps the highest token and reads on other nodes wait for it
// (read-your-writes and monotonic reads across nodes).
// session_token()/AdvanceSessionToken() carry it between clients.
//
// Error model (client/errors.h): kUnavailable = nothing applied, safe to
// retry (TRYAGAIN, not connected, no leader, request never written);
// kDeadlineExceeded = outcome unknown (TIMEOUT from the node, or the
// connection failed after a write was written): never retried for writes;
// kInvalidArgument / kFailedPrecondition = the command is wrong (ERR,
// WRONGTYPE); kCancelled = the client is shutting down.
//
// Resilience: the blocking calls run inside a src/resilience Pipeline (retry
// on kUnavailable with jittered backoff, optional circuit breaker and
// bulkhead); a read that timed out is retried too (reads are idempotent).
// The async calls retry kUnavailable with the same backoff.
//
// Thread-safety: every public method may be called from any thread, except
// that blocking methods must not be called from a callback (they would wait
// on the thread that must answer them; they return kFailedPrecondition).
// Callbacks run on the client's io thread: keep them short.
#include <utility>  // before Asio (Boost 1.74)

#include <boost/asio.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "resilience/bulkhead.h"
#include "resilience/circuit_breaker.h"
#include "resilience/retry.h"
#include "resp/value.h"

namespace cairn::resilience {
class Pipeline;
}

namespace cairn::client {

enum class Consistency : std::uint8_t { kStrong, kLease, kBounded, kSession, kEventual };
// How follower reads pick a node (src/lb pickers).
enum class Balancer : std::uint8_t { kRoundRobin, kLeastOutstanding, kPeakEwma };

struct ResilienceOptions {
  bool enabled = true;
  resilience::RetryConfig retry = DefaultRetry();
  std::optional<resilience::CircuitBreakerConfig> breaker;  // off by default
  std::optional<resilience::BulkheadConfig> bulkhead;       // off by default
  static resilience::RetryConfig DefaultRetry();
};

struct ClientOptions {
  std::vector<std::string> seeds;  // "host:port" of every node (or one Redis)
  Consistency consistency = Consistency::kStrong;
  std::uint32_t bounded_ms = 100;  // for kBounded
  Balancer balancer = Balancer::kLeastOutstanding;
  std::uint32_t connect_timeout_ms = 1000;
  // Longer than the node's request_timeout_ms (5000), so the node's own
  // TIMEOUT reply normally arrives first.
  std::uint32_t request_timeout_ms = 6000;
  ResilienceOptions resilience;
  std::string name;  // CLIENT SETNAME, if not empty
  // Sent with AUTH first on every connection, if not empty (the node's
  // requirepass, or a Redis's). A refusal fails that connection's calls
  // with the node's NOAUTH or WRONGPASS error.
  std::string password;
  // TLS to every seed (a Cairn node's tls_port, or a Redis's), when
  // `enabled`. The server's certificate is checked against `ca_file` (PEM;
  // empty: the system's CAs) and must name the seed's host (its IP address
  // or DNS name); `cert_file` and `key_file` (PEM) are sent to servers that
  // ask for a client certificate. Files that cannot be read fail Connect
  // with kInvalidArgument; a failed handshake counts as a node that does
  // not answer (kUnavailable).
  struct Tls {
    bool enabled = false;
    std::string ca_file;
    std::string cert_file;
    std::string key_file;
  } tls;
};

// The reply of an async call: status OK and a value (which may itself be an
// aggregate holding error elements, e.g. EXEC), or a non-OK status.
struct Reply {
  Status status;
  resp::Value value;
};
using Callback = std::function<void(Reply)>;

struct NodeInfo {
  std::string address;
  std::uint64_t id = 0;  // 0 for a plain Redis
  bool leader = false;
  bool connected = false;
};

class Client {
 public:
  // Starts the io thread and learns the topology. Fails with kUnavailable if
  // no seed answers, kInvalidArgument for bad options.
  static Result<std::unique_ptr<Client>> Connect(ClientOptions options);
  ~Client();  // fails calls still waiting with kCancelled, joins the thread
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // --- blocking facade (resilience pipeline around each call) ---
  // Any command; a top-level error reply becomes a Status (see errors.h).
  Result<resp::Value> Command(std::vector<std::string> args);
  Result<std::optional<std::string>> Get(const std::string& key);
  Status Set(const std::string& key, const std::string& value,
             std::chrono::milliseconds ttl = std::chrono::milliseconds(0));
  Result<std::int64_t> Del(const std::vector<std::string>& keys);

  // --- async (pipelined) ---
  // Queues the command; `done` runs on the client's io thread.
  void CommandAsync(std::vector<std::string> args, Callback done);
  // Asio-style: any completion token (use_awaitable, a callback, use_future).
  template <typename Token>
  auto AsyncCommand(std::vector<std::string> args, Token&& token) {
    return boost::asio::async_initiate<Token, void(Reply)>(
        [this](auto handler, std::vector<std::string> a) {
          auto h = std::make_shared<decltype(handler)>(std::move(handler));
          CommandAsync(std::move(a), [h](Reply r) {
            auto ex = boost::asio::get_associated_executor(*h);
            boost::asio::dispatch(ex, [h, r = std::move(r)]() mutable { (*h)(std::move(r)); });
          });
        },
        token, std::move(args));
  }

  // --- consistency and sessions ---
  void SetConsistency(Consistency level, std::uint32_t bounded_ms = 0);
  Consistency consistency() const;
  // The highest log index this client's writes and reads reached (session
  // level only): a write's index, or the applied index a read was served from.
  std::uint64_t session_token() const;
  // Makes later session-level reads observe at least `token` (e.g. another client's).
  void AdvanceSessionToken(std::uint64_t token);

  // --- introspection ---
  std::vector<NodeInfo> Nodes() const;
  bool is_cairn() const;  // false for a plain Redis
  resilience::Pipeline* pipeline();  // nullptr if resilience is disabled

  // --- advanced: the tracking connection (used by MultiLevelCache) ---
  // One RESP3 connection to the leader with CLIENT TRACKING ON. `on_invalidate`
  // gets the keys of each `invalidate` push (nullopt: every key); `on_lost`
  // runs when that connection closes (its invalidations may be lost). Both
  // run on the io thread. Set once, before the first TrackedCommandAsync.
  struct TrackingHandlers {
    std::function<void(const std::optional<std::vector<std::string>>&)> on_invalidate;
    std::function<void(const Status&)> on_lost;
  };
  void SetTrackingHandlers(TrackingHandlers handlers);
  // Sends on the tracking connection (opened, to the current leader, on first use).
  void TrackedCommandAsync(std::vector<std::string> args, Callback done);
  // Closes the tracking connection (on_lost runs); the next tracked command
  // opens a new one to the then-current leader.
  void ResetTracking();
  // The client's io_context (its thread runs every callback).
  boost::asio::io_context& io();

  struct Impl;

 private:
  explicit Client(std::unique_ptr<Impl> impl);
  Result<resp::Value> Blocking(std::vector<std::string> args, bool tracked);
  std::unique_ptr<Impl> impl_;
};

}  // namespace cairn::client
