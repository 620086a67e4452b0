#pragma once
// PubSubTable: which of this node's connections listen on which channels
// (SUBSCRIBE), glob patterns (PSUBSCRIBE) and shard channels (SSUBSCRIBE).
// Shard channels are a namespace of their own, as in Redis 7: SPUBLISH
// reaches only SSUBSCRIBE, PUBLISH never does. (The whole keyspace is one
// shard here, so every node's shard subscribers get every SPUBLISH.)
//
// PUBLISH goes through the Raft log (kv::OpCode::kPublish): every node, as
// it applies the entry, asks this table who receives the message and sends
// it to them, so subscribers on every node get the cluster's messages in one
// order, the log's. The table itself is node-local, as Redis Cluster's is:
// PUBSUB CHANNELS / NUMSUB / NUMPAT and PUBLISH's count describe this node.
//
// Thread-safety: none; the node's loop thread owns it.
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace cairn::server {

class PubSubTable {
 public:
  // Each returns whether the subscription was new (removed, for the Un*).
  bool Subscribe(std::uint64_t conn, const std::string& channel);
  bool Unsubscribe(std::uint64_t conn, const std::string& channel);
  bool PSubscribe(std::uint64_t conn, const std::string& pattern);
  bool PUnsubscribe(std::uint64_t conn, const std::string& pattern);
  bool SSubscribe(std::uint64_t conn, const std::string& channel);
  bool SUnsubscribe(std::uint64_t conn, const std::string& channel);
  // A closed connection: every subscription of it goes.
  void Drop(std::uint64_t conn);

  // One delivery of a message: to `conn`, for its subscription to the
  // channel itself (pattern nullptr) or to `*pattern`. Channel subscribers
  // come first, then pattern ones (by pattern, in byte order); a connection
  // subscribed both ways gets the message once per subscription.
  struct Receiver {
    std::uint64_t conn = 0;
    const std::string* pattern = nullptr;  // valid until the table changes
  };
  std::vector<Receiver> Receivers(std::string_view channel) const;
  // How many deliveries a message on `channel` makes (PUBLISH's reply).
  std::size_t Count(std::string_view channel) const;

  // SPUBLISH's: a shard channel's subscribers, and their count.
  std::vector<std::uint64_t> ShardReceivers(std::string_view channel) const;
  std::size_t ShardCount(std::string_view channel) const;

  bool active() const { return !by_conn_.empty(); }
  // The connection's channels, patterns and shard channels, sorted; the
  // total of its channels and patterns (what SUBSCRIBE and PSUBSCRIBE
  // confirm), and of its shard channels (what SSUBSCRIBE confirms).
  const std::set<std::string>& ChannelsOf(std::uint64_t conn) const;
  const std::set<std::string>& PatternsOf(std::uint64_t conn) const;
  const std::set<std::string>& ShardChannelsOf(std::uint64_t conn) const;
  std::size_t SubscriptionsOf(std::uint64_t conn) const;
  std::size_t ShardSubscriptionsOf(std::uint64_t conn) const;
  // Whether the connection listens on anything (RESP2's subscribed mode).
  bool Subscribed(std::uint64_t conn) const { return by_conn_.count(conn) > 0; }

  // PUBSUB CHANNELS [pattern]: the channels with a subscriber, sorted
  // (matching `pattern` if given); NUMSUB: a channel's subscribers
  // (patterns not counted); NUMPAT: distinct patterns subscribed to.
  std::vector<std::string> Channels(const std::string* pattern) const;
  std::size_t NumSub(const std::string& channel) const;
  std::size_t NumPat() const { return patterns_.size(); }
  std::size_t NumChannels() const { return channels_.size(); }
  // PUBSUB SHARDCHANNELS [pattern] and SHARDNUMSUB, as the two above.
  std::vector<std::string> ShardChannels(const std::string* pattern) const;
  std::size_t ShardNumSub(const std::string& channel) const;
  std::size_t NumShardChannels() const { return shards_.size(); }

 private:
  enum class Kind { kChannel, kPattern, kShard };
  // UNSUBSCRIBE / PUNSUBSCRIBE / SUNSUBSCRIBE of one name.
  bool Leave(std::uint64_t conn, const std::string& name, Kind kind);
  struct Of {
    std::set<std::string> channels, patterns, shards;
    bool empty() const { return channels.empty() && patterns.empty() && shards.empty(); }
  };
  // Invariant: a name is a key of channels_ (patterns_, shards_) exactly
  // when some connection's Of lists it, and its set names exactly those
  // connections; no set is empty, and no connection's Of is empty.
  std::map<std::string, std::set<std::uint64_t>, std::less<>> channels_;
  std::map<std::string, std::set<std::uint64_t>, std::less<>> patterns_;
  std::map<std::string, std::set<std::uint64_t>, std::less<>> shards_;
  std::map<std::uint64_t, Of> by_conn_;
};

}  // namespace cairn::server
