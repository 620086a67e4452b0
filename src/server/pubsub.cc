#include "server/pubsub.h"

#include "kv/glob.h"

namespace cairn::server {
namespace {

const std::set<std::string> kNone;

bool Add(std::map<std::string, std::set<std::uint64_t>, std::less<>>* index,
         std::set<std::string>* mine, std::uint64_t conn, const std::string& name) {
  if (!mine->insert(name).second) return false;
  (*index)[name].insert(conn);
  return true;
}

bool Remove(std::map<std::string, std::set<std::uint64_t>, std::less<>>* index,
            std::set<std::string>* mine, std::uint64_t conn, const std::string& name) {
  if (mine->erase(name) == 0) return false;
  auto it = index->find(name);
  it->second.erase(conn);
  if (it->second.empty()) index->erase(it);
  return true;
}

}  // namespace

bool PubSubTable::Subscribe(std::uint64_t conn, const std::string& channel) {
  return Add(&channels_, &by_conn_[conn].channels, conn, channel);
}

bool PubSubTable::PSubscribe(std::uint64_t conn, const std::string& pattern) {
  return Add(&patterns_, &by_conn_[conn].patterns, conn, pattern);
}

bool PubSubTable::SSubscribe(std::uint64_t conn, const std::string& channel) {
  return Add(&shards_, &by_conn_[conn].shards, conn, channel);
}

bool PubSubTable::Leave(std::uint64_t conn, const std::string& name, Kind kind) {
  auto it = by_conn_.find(conn);
  if (it == by_conn_.end()) return false;
  Of& of = it->second;
  bool removed = false;
  switch (kind) {
    case Kind::kChannel: removed = Remove(&channels_, &of.channels, conn, name); break;
    case Kind::kPattern: removed = Remove(&patterns_, &of.patterns, conn, name); break;
    case Kind::kShard: removed = Remove(&shards_, &of.shards, conn, name); break;
  }
  if (of.empty()) by_conn_.erase(it);
  return removed;
}

bool PubSubTable::Unsubscribe(std::uint64_t conn, const std::string& channel) {
  return Leave(conn, channel, Kind::kChannel);
}

bool PubSubTable::PUnsubscribe(std::uint64_t conn, const std::string& pattern) {
  return Leave(conn, pattern, Kind::kPattern);
}

bool PubSubTable::SUnsubscribe(std::uint64_t conn, const std::string& channel) {
  return Leave(conn, channel, Kind::kShard);
}

void PubSubTable::Drop(std::uint64_t conn) {
  auto it = by_conn_.find(conn);
  if (it == by_conn_.end()) return;
  Of of = std::move(it->second);
  by_conn_.erase(it);
  // (Remove takes each name out of `of` too: copy it first)
  while (!of.channels.empty())
    Remove(&channels_, &of.channels, conn, std::string(*of.channels.begin()));
  while (!of.patterns.empty())
    Remove(&patterns_, &of.patterns, conn, std::string(*of.patterns.begin()));
  while (!of.shards.empty()) Remove(&shards_, &of.shards, conn, std::string(*of.shards.begin()));
}

std::vector<std::uint64_t> PubSubTable::ShardReceivers(std::string_view channel) const {
  auto it = shards_.find(channel);
  if (it == shards_.end()) return {};
  return {it->second.begin(), it->second.end()};
}

std::size_t PubSubTable::ShardCount(std::string_view channel) const {
  auto it = shards_.find(channel);
  return it == shards_.end() ? 0 : it->second.size();
}

std::vector<PubSubTable::Receiver> PubSubTable::Receivers(std::string_view channel) const {
  std::vector<Receiver> out;
  if (auto it = channels_.find(channel); it != channels_.end()) {
    for (std::uint64_t conn : it->second) out.push_back({conn, nullptr});
  }
  for (const auto& [pattern, conns] : patterns_) {
    if (!kv::GlobMatch(pattern, channel)) continue;
    for (std::uint64_t conn : conns) out.push_back({conn, &pattern});
  }
  return out;
}

std::size_t PubSubTable::Count(std::string_view channel) const {
  std::size_t n = 0;
  if (auto it = channels_.find(channel); it != channels_.end()) n += it->second.size();
  for (const auto& [pattern, conns] : patterns_) {
    if (kv::GlobMatch(pattern, channel)) n += conns.size();
  }
  return n;
}

const std::set<std::string>& PubSubTable::ChannelsOf(std::uint64_t conn) const {
  auto it = by_conn_.find(conn);
  return it == by_conn_.end() ? kNone : it->second.channels;
}

const std::set<std::string>& PubSubTable::PatternsOf(std::uint64_t conn) const {
  auto it = by_conn_.find(conn);
  return it == by_conn_.end() ? kNone : it->second.patterns;
}

const std::set<std::string>& PubSubTable::ShardChannelsOf(std::uint64_t conn) const {
  auto it = by_conn_.find(conn);
  return it == by_conn_.end() ? kNone : it->second.shards;
}

std::size_t PubSubTable::ShardSubscriptionsOf(std::uint64_t conn) const {
  auto it = by_conn_.find(conn);
  return it == by_conn_.end() ? 0 : it->second.shards.size();
}

std::size_t PubSubTable::SubscriptionsOf(std::uint64_t conn) const {
  auto it = by_conn_.find(conn);
  return it == by_conn_.end() ? 0 : it->second.channels.size() + it->second.patterns.size();
}

namespace {

std::vector<std::string> Names(
    const std::map<std::string, std::set<std::uint64_t>, std::less<>>& index,
    const std::string* pattern) {
  std::vector<std::string> out;
  for (const auto& [name, conns] : index) {
    if (pattern == nullptr || kv::GlobMatch(*pattern, name)) out.push_back(name);
  }
  return out;
}

std::size_t Subscribers(const std::map<std::string, std::set<std::uint64_t>, std::less<>>& index,
                        const std::string& name) {
  auto it = index.find(name);
  return it == index.end() ? 0 : it->second.size();
}

}  // namespace

std::vector<std::string> PubSubTable::Channels(const std::string* pattern) const {
  return Names(channels_, pattern);
}

std::size_t PubSubTable::NumSub(const std::string& channel) const {
  return Subscribers(channels_, channel);
}

std::vector<std::string> PubSubTable::ShardChannels(const std::string* pattern) const {
  return Names(shards_, pattern);
}

std::size_t PubSubTable::ShardNumSub(const std::string& channel) const {
  return Subscribers(shards_, channel);
}

}  // namespace cairn::server
