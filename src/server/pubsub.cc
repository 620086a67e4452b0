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

bool PubSubTable::Leave(std::uint64_t conn, const std::string& name, bool pattern) {
  auto it = by_conn_.find(conn);
  if (it == by_conn_.end()) return false;
  Of& of = it->second;
  const bool removed = pattern ? Remove(&patterns_, &of.patterns, conn, name)
                               : Remove(&channels_, &of.channels, conn, name);
  if (of.channels.empty() && of.patterns.empty()) by_conn_.erase(it);
  return removed;
}

bool PubSubTable::Unsubscribe(std::uint64_t conn, const std::string& channel) {
  return Leave(conn, channel, /*pattern=*/false);
}

bool PubSubTable::PUnsubscribe(std::uint64_t conn, const std::string& pattern) {
  return Leave(conn, pattern, /*pattern=*/true);
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

std::size_t PubSubTable::SubscriptionsOf(std::uint64_t conn) const {
  auto it = by_conn_.find(conn);
  return it == by_conn_.end() ? 0 : it->second.channels.size() + it->second.patterns.size();
}

std::vector<std::string> PubSubTable::Channels(const std::string* pattern) const {
  std::vector<std::string> out;
  for (const auto& [channel, conns] : channels_) {
    if (pattern == nullptr || kv::GlobMatch(*pattern, channel)) out.push_back(channel);
  }
  return out;
}

std::size_t PubSubTable::NumSub(const std::string& channel) const {
  auto it = channels_.find(channel);
  return it == channels_.end() ? 0 : it->second.size();
}

}  // namespace cairn::server
