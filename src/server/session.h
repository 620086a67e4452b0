#pragma once
// Session: one RESP client connection (private to src/server).
//
// Commands are parsed as bytes arrive (pipelining); each gets a reply slot in
// arrival order, filled when its request completes (at once, or after Raft),
// and the finished prefix of slots is written out in order. Reading pauses
// while pipeline_commands_max replies are outstanding.
//
// Connection-level commands are served here (PING, ECHO, HELLO, SELECT,
// CLIENT, QUIT, COMMAND, INFO, CONFIG, CONSISTENCY, SESSION); everything else
// goes through kv::Session (MULTI/EXEC/WATCH, parsing), then Node::Impl.
#include "server/node_impl.h"

#include <deque>

#include "kv/session.h"
#include "resp/request_parser.h"
#include "resp/writer.h"

namespace cairn::server {

// The one pub/sub channel Cairn serves: CLIENT TRACKING REDIRECT targets.
inline constexpr std::string_view kInvalidateChannel = "__redis__:invalidate";

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Node::Impl& node, asio::ip::tcp::socket socket, std::uint64_t id);
  asio::awaitable<void> Run();
  void Shutdown();  // stop reading; pending replies are still written
  std::string Describe() const;  // one CLIENT LIST line
  // Sends a RESP3 `invalidate` push for `keys` (nullptr: every key); tracking_hooks.cc.
  void PushInvalidate(const std::vector<std::string>* keys);
  // For CLIENT TRACKING REDIRECT: a `message __redis__:invalidate [keys]`
  // (null: everything), if this connection subscribed to that channel.
  void PublishInvalidate(const std::vector<std::string>* keys);

 private:
  struct Slot {
    bool done = false;
    resp::Protocol protocol = resp::Protocol::kResp2;
    std::string bytes;
    std::string command;  // for the latency histogram
    std::chrono::steady_clock::time_point start;
  };

  void Dispatch(std::vector<std::string>& args);
  bool DispatchConnectionCommand(const std::string& name, std::vector<std::string>& args,
                                 std::uint64_t seq);
  void RunKvAction(kv::Session::Action action, std::vector<std::string>& args,
                   std::uint64_t seq);
  void Hello(std::vector<std::string>& args, std::uint64_t seq);
  void Client(std::vector<std::string>& args, std::uint64_t seq);
  void SetConsistency(std::vector<std::string>& args, std::uint64_t seq);
  void Subscribe(std::vector<std::string>& args, std::uint64_t seq, bool on);
  Done Completion(std::uint64_t seq);
  void Complete(std::uint64_t seq, const resp::Value& value);
  void Flush();

  Node::Impl& node_;
  asio::ip::tcp::socket socket_;
  const std::uint64_t id_;
  std::string name_;
  resp::Protocol protocol_ = resp::Protocol::kResp2;
  ReadPolicy policy_;
  resp::RequestParser parser_;

  kv::Session kv_;  // MULTI/EXEC/WATCH state and command classification

  std::deque<Slot> slots_;
  std::uint64_t first_seq_ = 0;  // sequence number of slots_.front()
  std::string out_;              // finished replies not yet handed to the socket
  std::string writing_;          // the buffer of the write in flight
  bool write_in_flight_ = false;
  bool close_after_flush_ = false;
  bool closed_ = false;
  bool subscribed_invalidate_ = false;  // SUBSCRIBE __redis__:invalidate
  asio::steady_timer resume_;  // wakes the reader when the backlog drains
  std::uint64_t commands_ = 0;
};

}  // namespace cairn::server
