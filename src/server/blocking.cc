// Blocking commands (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP, BZPOPMIN,
// BZPOPMAX, BZMPOP) and CLIENT UNBLOCK:
// the connection's side (Session::Blocked, session.h) and the node's wake-ups.
//
// A blocking command is an ordinary log write whose op answers null when it
// finds nothing to pop (kv: kLPopFirst, kZPopFirst, kLMove), so the pop
// itself is ordered by the log and happens on every replica alike. Waiting
// is this node's business alone: the connection parks on the command's keys
// and proposes the op again each time an applied entry writes one of them
// (on a follower, the forwarded proposal goes to the leader again). Two
// waiting connections woken by one push both propose; the one the log
// orders first gets the element, the other parks again.
#include "kv/parse.h"
#include "server/node_impl.h"
#include "server/session.h"
#include "server/tracking.h"

namespace cairn::server {

void Node::Impl::WakeBlocked(std::uint64_t index, std::string_view entry_bytes) {
  std::vector<std::uint64_t> woken;
  auto visit = [&](std::string_view bytes) {
    auto entry = kv::Decode(bytes);
    if (!entry.ok()) return;  // Apply accepted it, so this cannot happen
    for (const std::string& key : WrittenKeys(*entry).keys) {
      // Only a key this entry changed (its version is the entry's index):
      // WrittenKeys names every key an op may write, and a waiter's own
      // retry that popped nothing names its keys too. Waking on those, two
      // waiters on one key would wake each other for ever. A key the entry
      // deleted has nothing to pop either.
      auto version = sm->KeyVersion(key, 0);
      if (!version.ok() || *version != index) continue;
      auto it = blocked_keys.find(key);
      if (it != blocked_keys.end()) woken.insert(woken.end(), it->second.begin(), it->second.end());
    }
  };
  if (kv::IsGroup(entry_bytes)) {
    auto members = kv::SplitGroup(entry_bytes);
    if (!members.ok()) return;
    for (std::string_view m : *members) visit(m);
  } else {
    visit(entry_bytes);
  }
  for (std::uint64_t id : woken) {
    auto it = sessions.find(id);
    if (it == sessions.end()) continue;
    // Not inline: the entry is still being applied.
    if (auto s = it->second.lock()) asio::post(io, [s] { s->WakeFromBlock(); });
  }
}

void Session::StartBlocking(std::uint64_t seq, std::vector<std::string>& args, kv::LogEntry entry,
                            std::int64_t timeout_ms) {
  blocked_ = Blocked{};
  blocked_->seq = seq;
  blocked_->args = args;
  blocked_->entry = std::move(entry);
  const kv::Op& op = blocked_->entry.ops.at(0);
  if (op.code == kv::OpCode::kLMove) {
    blocked_->keys = {op.args[0]};  // only the source can unblock it
  } else if (op.code == kv::OpCode::kXReadGroup) {  // group consumer key... id...
    blocked_->keys.assign(op.args.begin() + 2,
                          op.args.begin() + 2 + static_cast<std::ptrdiff_t>(op.num2));
  } else {
    blocked_->keys = op.args;
  }
  ArmBlockTimer(seq, timeout_ms);
  WatchWhileBlocked();
  ProposeBlocked();
}

void Session::StartBlockingRead(std::uint64_t seq, std::vector<std::string>& args, kv::Op op,
                                std::int64_t timeout_ms) {
  ++reads_in_flight_;
  blocked_ = Blocked{};
  blocked_->seq = seq;
  blocked_->args = args;
  blocked_->read = true;
  const auto n = static_cast<std::size_t>(op.num2);
  blocked_->keys.assign(op.args.begin(), op.args.begin() + static_cast<std::ptrdiff_t>(n));
  const bool pin = std::find(op.args.begin() + static_cast<std::ptrdiff_t>(n), op.args.end(),
                             "$") != op.args.end();
  blocked_->op = std::move(op);
  ArmBlockTimer(seq, timeout_ms);
  WatchWhileBlocked();
  if (!pin) return ProposeBlocked();
  // "$": entries after the last one now. Pinned once, or a retry would skip
  // the entry that woke it. "Now" is this node's state, at least this
  // connection's own writes (a session read at its last write's index).
  kv::Op last_ids = blocked_->op;
  last_ids.flags = kv::kXReadLastIds;
  ReadPolicy at_own_writes;
  at_own_writes.level = Consistency::kSession;
  at_own_writes.session_index = std::max(policy_.session_index, written_index_);
  node_.ServeRead(std::move(last_ids), at_own_writes, [self = shared_from_this(), seq](Reply r) {
    if (!self->blocked_ || self->blocked_->seq != seq) return;
    if (self->closed_) return self->blocked_.reset();
    if (r.value.is_error() || r.value.elems.size() != self->blocked_->keys.size()) {
      return self->FinishBlocked(r.value);  // WRONGTYPE, an invalid ID, TIMEOUT...
    }
    const std::size_t keys = self->blocked_->keys.size();
    auto& text = self->blocked_->args;  // a forwarded read sends the command's text
    for (std::size_t i = 0; i < keys; ++i) {
      self->blocked_->op.args[keys + i] = r.value.elems[i].str;
      text[text.size() - keys + i] = r.value.elems[i].str;
    }
    self->ProposeBlocked();
  });
}

void Session::ArmBlockTimer(std::uint64_t seq, std::int64_t timeout_ms) {
  if (timeout_ms > 0) {
    block_timer_.expires_after(std::chrono::milliseconds(timeout_ms));
    block_timer_.async_wait([self = shared_from_this(), seq](boost::system::error_code ec) {
      if (ec || !self->blocked_ || self->blocked_->seq != seq) return;
      if (!self->blocked_->parked) {
        self->blocked_->timed_out = true;  // its proposal answers it
        return;
      }
      self->Unpark();
      self->FinishBlocked(self->EndOfWait());
    });
  }
}

void Session::WatchWhileBlocked() {
  // After the wait ends, Run reads again; a stale watch then reads nothing.
  auto wanted = [self = shared_from_this(), seq = blocked_->seq] {
    return self->blocked_ && self->blocked_->seq == seq && !self->close_after_flush_;
  };
  conn_.WatchRead(
      wanted, [self = shared_from_this()](boost::system::error_code ec, std::string_view bytes) {
        if (ec) {  // gone: stop waiting; Run ends the session
          self->Unpark();
          self->blocked_.reset();
          self->block_timer_.cancel();
          self->close_after_flush_ = true;
          self->resume_.cancel();
          return;
        }
        self->node_.metrics.client_bytes_in_total += bytes.size();
        self->parser_.Feed(bytes);
        self->WatchWhileBlocked();
      });
}

void Session::ProposeBlocked() {
  blocked_->parked = false;
  if (blocked_->read)
    return node_.ExecuteRead(blocked_->op, blocked_->args, policy_, BlockedAnswer());
  node_.ExecuteWrite(blocked_->args, blocked_->entry, BlockedAnswer());
}

Done Session::BlockedAnswer() {
  return [self = shared_from_this(), seq = blocked_->seq](Reply r) {
    if (!self->blocked_ || self->blocked_->seq != seq) return;
    self->AdvanceToken(r.index);
    if (!self->blocked_->read) self->written_index_ = std::max(self->written_index_, r.index);
    if (self->closed_) {
      self->blocked_.reset();
      return;
    }
    if (!r.value.is_null()) return self->FinishBlocked(r.value);
    if (self->blocked_->timed_out) return self->FinishBlocked(self->EndOfWait());
    self->Park(r.index);
  };
}

void Session::Park(std::uint64_t answered_index) {
  // An entry applied here after the one that answered (this node may be the
  // leader, or a follower behind or level with it) woke no one, as this
  // connection was not parked yet: a key changed since means try again.
  for (const std::string& key : blocked_->keys) {
    auto version = node_.sm->KeyVersion(key, 0);
    if (version.ok() && *version > answered_index) return ProposeBlocked();
  }
  blocked_->parked = true;
  ++node_.blocked_clients;
  for (const std::string& key : blocked_->keys) node_.blocked_keys[key].push_back(id_);
}

void Session::Unpark() {
  if (!blocked_ || !blocked_->parked) return;
  for (const std::string& key : blocked_->keys) {
    auto it = node_.blocked_keys.find(key);
    if (it == node_.blocked_keys.end()) continue;
    std::erase(it->second, id_);
    if (it->second.empty()) node_.blocked_keys.erase(it);
  }
  blocked_->parked = false;
  --node_.blocked_clients;
}

bool Session::Unblock(bool with_error) {
  if (!blocked_ || closed_) return false;
  blocked_->unblock_error = with_error;
  if (!blocked_->parked) {
    blocked_->timed_out = true;  // its proposal answers it, as at a timeout
    return true;
  }
  Unpark();
  FinishBlocked(EndOfWait());
  return true;
}

resp::Value Session::EndOfWait() const {
  if (blocked_ && blocked_->unblock_error) {
    return resp::Value::Error("UNBLOCKED client unblocked via CLIENT UNBLOCK");
  }
  return resp::Value::NullArray();
}

void Session::WakeFromBlock() {
  if (!blocked_ || !blocked_->parked || closed_) return;
  Unpark();
  ProposeBlocked();
}

void Session::FinishBlocked(const resp::Value& value) {
  const std::uint64_t seq = blocked_->seq;
  const bool read = blocked_->read;
  blocked_.reset();
  block_timer_.cancel();
  Complete(seq, value);
  Answered(/*write=*/!read);
  resume_.cancel();  // Run resumes parsing
}

}  // namespace cairn::server
