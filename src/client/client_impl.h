#pragma once
// Client::Impl: the state behind Client (private to src/client).
//
// Everything below `io` is owned by the io thread: only code running there
// (posted lambdas, connection callbacks) touches nodes, leader, the picker,
// or the tracking connection. Public methods post to it. The few fields read
// from other threads are atomics.
#include <atomic>
#include <memory>
#include <mutex>
#include <thread>

#include "client/client.h"
#include "client/internal/connection.h"
#include "common/random.h"
#include "lb/health.h"
#include "lb/picker.h"
#include "resilience/pipeline.h"

namespace cairn::client {

struct Client::Impl {
  struct Node {
    std::string host;
    std::uint16_t port = 0;
    std::string address;
    std::uint64_t id = 0;
    bool leader = false;
    std::uint64_t leader_id = 0;  // the leader this node named (INFO leader_id), 0 = none
    std::shared_ptr<internal::Connection> conn;
    // What this connection was told (so CONSISTENCY is sent only on change).
    Consistency level_sent = Consistency::kStrong;
    std::uint32_t bounded_sent = 0;
    std::uint64_t session_sent = 0;
  };
  struct Request {
    std::vector<std::string> args;
    bool is_write = false;
    bool tracked = false;  // on the tracking connection
    std::uint32_t attempt = 0;
    bool retry = true;     // async path: retry kUnavailable here
    Nanos previous_delay{0};
    Callback done;
  };

  explicit Impl(ClientOptions o);

  // io thread only.
  void Start(std::shared_ptr<Request> req);
  void Route(std::shared_ptr<Request> req);
  void Finish(std::shared_ptr<Request> req, int node, Reply r, Nanos started);
  void Refresh(std::function<void()> then);
  void FinishRefresh();
  std::shared_ptr<internal::Connection> Conn(int node);
  void SendLevel(Node& n);
  int Pick(const Request& req);
  void RebuildPicker();
  void SendTracked(std::shared_ptr<Request> req);
  void OnPush(const resp::Value& v);
  void AdvanceToken(std::uint64_t token);  // any thread

  const ClientOptions opt;
  std::unique_ptr<boost::asio::ssl::context> tls_context;  // opt.tls.enabled only
  boost::asio::io_context io{1};
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work;
  std::thread thread;
  std::thread::id thread_id;
  std::unique_ptr<resilience::Pipeline> pipeline;

  std::atomic<Consistency> level;
  std::atomic<std::uint32_t> bounded_ms;
  std::atomic<std::uint64_t> session_token{0};
  std::atomic<bool> cairn{false};

  // --- io thread only ---
  std::vector<Node> nodes;
  // Where writes and strong/lease reads go: a seed that says it leads, or,
  // when no seed does but a Cairn follower among them names a leader (one
  // outside the seeds, or one this client cannot reach), that follower, which
  // forwards. A forwarder is a stand-in: the topology is asked again once
  // `forwarder_until` has passed, so the client returns to the leader itself
  // when one of its seeds leads again.
  int leader = -1;
  bool via_forwarder = false;
  Nanos forwarder_until{0};
  bool stale = true;
  bool refreshing = false;
  std::vector<std::function<void()>> after_refresh;
  int refresh_outstanding = 0;
  // An error a node answered the last refresh's INFO with (NOAUTH, when the
  // client has no password or a wrong one), told to callers instead of "no
  // leader known".
  std::string refresh_refusal;
  std::uint64_t refresh_gen = 0;  // answers of an older round are ignored
  boost::asio::steady_timer refresh_timer{io};
  std::unique_ptr<lb::HealthTracker> health;
  std::unique_ptr<lb::Picker> picker;
  Xoshiro256 random{0x5eed};
  bool stopping = false;
  // The tracking connection and its handlers.
  TrackingHandlers tracking;
  std::shared_ptr<internal::Connection> tracking_conn;
  int tracking_node = -1;

  mutable std::mutex nodes_mu;  // guards `snapshot` (Nodes() from other threads)
  std::vector<NodeInfo> snapshot;
};

}  // namespace cairn::client
