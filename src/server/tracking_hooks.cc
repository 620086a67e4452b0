// The node's side of CLIENT TRACKING: the command, remembering reads, and
// pushing invalidations when committed entries apply (see tracking.h).
#include <algorithm>
#include <charconv>
#include <optional>

#include "kv/parse.h"
#include "server/node_impl.h"
#include "server/session.h"
#include "server/tracking.h"

namespace cairn::server {
namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// Above this many tracked keys an active-expiry entry invalidates everything
// instead of checking each tracked key for existence.
constexpr std::size_t kExpiryCheckKeysMax = 10'000;

}  // namespace

// CLIENT TRACKING ON|OFF [REDIRECT id] [BCAST] [PREFIX p ...] [NOLOOP]
resp::Value Node::Impl::ClientTracking(std::uint64_t conn, const std::vector<std::string>& args,
                                       bool resp3) {
  if (args.size() < 3) {
    return resp::Value::Error("ERR wrong number of arguments for 'client|tracking' command");
  }
  std::string on = Lower(args[2]);
  if (on != "on" && on != "off") return resp::Value::Error("ERR syntax error");
  bool bcast = false, optin = false, optout = false;
  std::optional<std::uint64_t> redirect;
  std::vector<std::string> prefixes;
  for (std::size_t i = 3; i < args.size(); ++i) {
    std::string word = Lower(args[i]);
    if (word == "bcast") {
      bcast = true;
    } else if (word == "prefix" && i + 1 < args.size()) {
      prefixes.push_back(args[++i]);
    } else if (word == "redirect" && i + 1 < args.size()) {
      std::uint64_t target = 0;
      const std::string& text = args[++i];
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), target);
      if (ec != std::errc() || end != text.data() + text.size()) {
        return resp::Value::Error("ERR value is not an integer or out of range");
      }
      redirect = target;
    } else if (word == "noloop") {
      // Accepted: this node then also tells the writer, which is only extra work.
    } else if (word == "optin") {
      optin = true;
    } else if (word == "optout") {
      optout = true;
    } else {
      return resp::Value::Error("ERR syntax error");
    }
  }
  if (on == "off") {
    tracking.Disable(conn);
    tracking_redirects.erase(conn);
    tracking_optin.erase(conn);
    return resp::Value::Simple("OK");
  }
  if (redirect) {
    if (*redirect != conn && sessions.count(*redirect) == 0) {
      return resp::Value::Error("ERR The client ID you want redirect to does not exist");
    }
  } else if (!resp3) {
    return resp::Value::Error(
        "ERR CLIENT TRACKING in RESP2 needs REDIRECT to a connection subscribed to "
        "__redis__:invalidate (or use RESP3: HELLO 3)");
  }
  if (!prefixes.empty() && !bcast) {
    return resp::Value::Error("ERR PREFIX option requires BCAST mode to be enabled");
  }
  if (tracking.IsTracking(conn) && (tracking.BroadcastPrefixes(conn) != nullptr) != bcast) {
    return resp::Value::Error(
        "ERR You can't switch BCAST mode on/off before disabling tracking for this client, and "
        "then re-enabling it with a different mode.");
  }
  if (bcast && (optin || optout)) {
    return resp::Value::Error("ERR OPTIN and OPTOUT are not compatible with BCAST");
  }
  if (optin && optout)
    return resp::Value::Error("ERR You can't specify both OPTIN mode and OPTOUT mode");
  const auto was = tracking_optin.find(conn);
  const int old_opt = !tracking.IsTracking(conn) || was == tracking_optin.end() ? 0
                      : was->second                                             ? 1
                                                                                : 2;
  if (tracking.IsTracking(conn) && old_opt != (optin ? 1 : optout ? 2 : 0)) {
    return resp::Value::Error(
        "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and "
        "then re-enabling it with a different mode.");
  }
  if (bcast) {
    tracking.EnableBroadcast(conn, std::move(prefixes));
  } else {
    tracking.EnableDefault(conn);
  }
  if (redirect) {
    tracking_redirects[conn] = *redirect;
  } else {
    tracking_redirects.erase(conn);
  }
  if (optin || optout) {
    tracking_optin[conn] = optin;
  } else {
    tracking_optin.erase(conn);
  }
  return resp::Value::Simple("OK");
}

void Node::Impl::TrackRead(std::uint64_t conn, const kv::Op& op) {
  for (const std::string& key : ReadKeys(op)) SendInvalidations(tracking.Track(conn, key));
}

void Node::Impl::NotifyTracking(std::string_view entry_bytes) {
  if (kv::IsGroup(entry_bytes)) {
    auto members = kv::SplitGroup(entry_bytes);
    if (!members.ok()) return;  // Apply accepted it, so this cannot happen
    for (std::string_view m : *members) NotifyTracking(m);
    return;
  }
  auto entry = kv::Decode(entry_bytes);
  if (!entry.ok()) return;  // Apply accepted it, so this cannot happen
  WrittenSet written = WrittenKeys(*entry);
  if (written.expiry) {
    if (tracking.has_broadcast() || tracking.tracked_keys() > kExpiryCheckKeysMax) {
      written.all = true;
    } else {
      for (const std::string& key : tracking.TrackedKeys()) {
        auto version = sm->KeyVersion(key, 0);
        if (!version.ok() || *version == 0) written.keys.push_back(key);
      }
    }
  }
  if (written.all) return InvalidateAllTracking();
  SendInvalidations(tracking.OnWrite(written.keys));
}

// Also for state replaced wholesale (a snapshot installed): every key may differ.
void Node::Impl::InvalidateAllTracking() {
  for (std::uint64_t conn : tracking.OnFlushAll()) DeliverInvalidation(conn, nullptr);
}

void Node::Impl::SendInvalidations(const Invalidations& inv) {
  for (const auto& [conn, keys] : inv) DeliverInvalidation(conn, &keys);
}

// To the connection itself (a RESP3 push), or, with REDIRECT, to the
// connection it names, as a `__redis__:invalidate` pub/sub message (if that
// one is gone, the invalidation is lost, as in Redis).
void Node::Impl::DeliverInvalidation(std::uint64_t conn, const std::vector<std::string>* keys) {
  auto redirect = tracking_redirects.find(conn);
  const bool redirected = redirect != tracking_redirects.end();
  auto it = sessions.find(redirected ? redirect->second : conn);
  if (it == sessions.end()) return;
  auto s = it->second.lock();
  if (!s) return;
  if (redirected) {
    s->PublishInvalidate(keys);
  } else {
    s->PushInvalidate(keys);
  }
}

// `>2 invalidate [keys]` (null: every key) goes out at once, ahead of any
// reply still waiting for its turn: a push is not a reply, and sending it
// early is what bounds how long the client may serve the old value.
void Session::PushInvalidate(const std::vector<std::string>* keys) {
  if (closed_ || protocol_ != resp::Protocol::kResp3) return;
  resp::Value list = resp::Value::Null();
  if (keys != nullptr) {
    list = resp::Value::Array();
    for (const std::string& k : *keys) list.elems.push_back(resp::Value::Bulk(k));
  }
  resp::Writer(&out_, resp::Protocol::kResp3)
      .Write(resp::Value::Push({resp::Value::Bulk("invalidate"), std::move(list)}));
  Flush();
}

// REDIRECT target: a connection that ran SUBSCRIBE __redis__:invalidate
// gets the keys as a pub/sub message (RESP2 array, RESP3 push).
void Session::PublishInvalidate(const std::vector<std::string>* keys) {
  if (closed_ || !node_.pubsub.ChannelsOf(id_).contains(std::string(kInvalidateChannel))) return;
  resp::Value list = resp::Value::NullArray();
  if (keys != nullptr) {
    list = resp::Value::Array();
    for (const std::string& k : *keys) list.elems.push_back(resp::Value::Bulk(k));
  }
  std::vector<resp::Value> parts{resp::Value::Bulk("message"), resp::Value::Bulk(kInvalidateChannel),
                                 std::move(list)};
  resp::Writer(&out_, protocol_)
      .Write(protocol_ == resp::Protocol::kResp3 ? resp::Value::Push(std::move(parts))
                                                 : resp::Value::Array(std::move(parts)));
  Flush();
}

}  // namespace cairn::server
