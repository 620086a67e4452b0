#include "client/multi_level_cache.h"

#include <future>

#include "client/errors.h"
#include "kv/glob.h"

namespace cairn::client {
namespace {

constexpr char kFenceKey[] = "__cairn:fence";

// Runs an async call and waits for it (never on the io thread).
Reply Wait(Client& c, std::vector<std::string> args, bool tracked) {
  std::promise<Reply> p;
  auto done = [&p](Reply r) { p.set_value(std::move(r)); };
  if (tracked) {
    c.TrackedCommandAsync(std::move(args), done);
  } else {
    c.CommandAsync(std::move(args), done);
  }
  return p.get_future().get();
}

}  // namespace

MultiLevelCache::MultiLevelCache(Client& client, MultiLevelCacheOptions options, Backend backend)
    : client_(client),
      opt_(options),
      backend_(std::move(backend)),
      clock_(options.clock ? *options.clock : SystemClock::Instance()),
      l1_(cache::CacheOptions{.max_entries = options.l1_entries_max,
                              .clock = const_cast<Clock*>(options.clock)}) {
  client_.SetTrackingHandlers(
      {[this](const std::optional<std::vector<std::string>>& keys) { OnInvalidate(keys); },
       [this](const Status&) { FlushL1(); }});
  if (opt_.probe) {
    probe_timer_ = std::make_shared<boost::asio::steady_timer>(client_.io());
    boost::asio::post(client_.io(), [this] { SchedulePoll(); });
  }
}

MultiLevelCache::~MultiLevelCache() {
  // Stop the probe loop and detach the handlers on the io thread, then wait.
  std::promise<void> p;
  boost::asio::post(client_.io(), [this, &p] {
    alive_->store(false);
    if (probe_timer_) probe_timer_->cancel();
    p.set_value();
  });
  p.get_future().wait();
  client_.SetTrackingHandlers({});
}

bool MultiLevelCache::FenceOpen() const {
  std::int64_t sent = fence_sent_ns_.load(std::memory_order_acquire);
  if (sent == 0) return false;
  return clock_.Now().count() - sent <= std::chrono::nanoseconds(opt_.fence).count();
}

// io thread: a push from the tracking connection.
void MultiLevelCache::OnInvalidate(const std::optional<std::vector<std::string>>& keys) {
  if (!keys) return FlushL1();
  std::lock_guard lock(mu_);
  for (const std::string& k : *keys) {
    l1_.Invalidate(k);
    keys_.erase(k);
    if (fills_.count(k)) {
      poisoned_.insert(k);
    }
    ++counters_.invalidations;
  }
}

// Every entry (and every fill in flight) becomes stale at once: entries of an
// older generation read as misses; the fence stays shut until a new probe.
void MultiLevelCache::FlushL1() {
  std::lock_guard lock(mu_);
  generation_.fetch_add(1, std::memory_order_acq_rel);
  fence_sent_ns_.store(0, std::memory_order_release);
  keys_.clear();
  keys_incomplete_ = false;
  for (auto& [k, n] : fills_) poisoned_.insert(k);
  ++counters_.flushes;
}

// io thread: probe every fence/4 (re-armed after each answer or failure).
void MultiLevelCache::SchedulePoll() {
  if (!alive_->load()) return;
  std::int64_t sent = clock_.Now().count();
  std::uint64_t gen = generation_.load();
  auto alive = alive_;
  auto answered = std::make_shared<int>(0);
  auto ok = std::make_shared<bool>(true);
  auto finish = [this, alive, answered, ok, sent, gen](bool good, bool leader_lost) {
    if (!alive->load()) return;
    *ok = *ok && good;
    if (leader_lost) client_.ResetTracking();
    if (++*answered < 2) return;
    if (*ok && generation_.load() == gen) {
      std::int64_t cur = fence_sent_ns_.load();
      while (cur < sent && !fence_sent_ns_.compare_exchange_weak(cur, sent)) {
      }
    }
    probe_timer_->expires_after(opt_.fence / 4);
    probe_timer_->async_wait([this, alive](boost::system::error_code ec) {
      if (!ec && alive->load()) SchedulePoll();
    });
  };
  client_.TrackedCommandAsync({"EXISTS", kFenceKey}, [finish](Reply r) { finish(r.status.ok(), false); });
  // A node that is no longer the leader forwards strong reads but applies
  // behind the leader: its invalidations would lag, so start over elsewhere.
  client_.TrackedCommandAsync({"INFO", "replication"}, [finish](Reply r) {
    bool leader = r.status.ok() && InfoField(r.value.str, "role") == "master";
    finish(leader, r.status.ok() && !leader);
  });
}

Status MultiLevelCache::ProbeNow() {
  std::int64_t sent = clock_.Now().count();
  std::uint64_t gen = generation_.load();
  std::promise<Reply> p1;
  client_.TrackedCommandAsync({"EXISTS", kFenceKey}, [&p1](Reply r) { p1.set_value(std::move(r)); });
  Reply info = Wait(client_, {"INFO", "replication"}, true);
  Reply r = p1.get_future().get();
  if (!r.status.ok()) return r.status;
  if (!info.status.ok()) return info.status;
  if (InfoField(info.value.str, "role") != "master") {
    client_.ResetTracking();
    return Status::Unavailable("tracking node is not the leader");
  }
  std::lock_guard lock(mu_);
  if (generation_.load() != gen) return Status::Unavailable("L1 flushed during the probe");
  std::int64_t cur = fence_sent_ns_.load();
  while (cur < sent && !fence_sent_ns_.compare_exchange_weak(cur, sent)) {
  }
  return Status::Ok();
}

std::optional<std::string> MultiLevelCache::PeekL1(const std::string& key) {
  if (!FenceOpen()) return std::nullopt;
  auto v = l1_.Get(key);
  if (!v || v->generation != generation_.load() || !v->value) return std::nullopt;
  return v->value;
}

// L2 read on the tracking connection: GET and PTTL, pipelined. `*found` says
// whether L2 had the key; the L1 entry is stored unless an invalidation or a
// flush raced with the read.
Result<std::optional<std::string>> MultiLevelCache::FillFromL2(const std::string& key,
                                                               bool* found) {
  std::uint64_t gen;
  {
    std::lock_guard lock(mu_);
    gen = generation_.load();
    ++fills_[key];
  }
  std::int64_t sent = clock_.Now().count();
  std::promise<Reply> pget;
  client_.TrackedCommandAsync({"GET", key}, [&pget](Reply r) { pget.set_value(std::move(r)); });
  Reply pttl = Wait(client_, {"PTTL", key}, true);
  Reply get = pget.get_future().get();
  std::lock_guard lock(mu_);
  bool poisoned = poisoned_.count(key) != 0 || generation_.load() != gen;
  if (--fills_[key] == 0) {
    fills_.erase(key);
    poisoned_.erase(key);
  }
  if (!get.status.ok()) return get.status;
  *found = !get.value.is_null();
  std::optional<std::string> value;
  if (*found) value = get.value.str;
  if (poisoned) {
    ++counters_.poisoned_fills;
    return value;
  }
  // Never outlive the key's own expiry: measured from before the read.
  Nanos ttl = opt_.l1_ttl;
  if (pttl.status.ok() && pttl.value.type == resp::Type::kInteger && pttl.value.integer > 0) {
    Nanos left = std::chrono::milliseconds(pttl.value.integer) - (clock_.Now() - Nanos(sent));
    if (left.count() <= 0) return value;
    ttl = std::min(ttl, left);
  }
  if (*found) {
    l1_.Put(key, L1Value{gen, value}, ttl);
    keys_.insert(key);
    if (keys_.size() > 4 * opt_.l1_entries_max) {  // bound the index; see InvalidatePattern
      keys_.clear();
      keys_incomplete_ = true;
    }
  }
  return value;
}

Result<std::optional<std::string>> MultiLevelCache::Get(const std::string& key) {
  if (auto v = l1_.Get(key); v && v->generation == generation_.load() && v->value) {
    if (FenceOpen()) {
      ++counters_.l1_hits;
      return v->value;
    }
    ++counters_.fenced_hits;
  }
  bool found = false;
  auto l2 = FillFromL2(key, &found);
  if (!l2.ok() && !backend_.load) return l2.status();
  if (l2.ok() && found) {
    ++counters_.l2_hits;
    return l2;
  }
  if (!backend_.load) {
    ++counters_.misses;
    return std::optional<std::string>();
  }
  CAIRN_ASSIGN_OR_RETURN(std::optional<std::string> loaded, backend_.load(key));
  ++(loaded ? counters_.l3_loads : counters_.misses);
  // Fill L2 only; L1 fills come from tracked reads (the next Get).
  if (loaded && l2.ok()) (void)WriteL2(key, loaded, opt_.l2_ttl);
  return loaded;
}

Status MultiLevelCache::WriteL2(const std::string& key, const std::optional<std::string>& value,
                                std::chrono::milliseconds ttl) {
  Result<resp::Value> r = Status::Internal("unset");
  if (!value) {
    r = client_.Command({"DEL", key});
  } else if (ttl.count() > 0) {
    r = client_.Command({"SET", key, *value, "PX", std::to_string(ttl.count())});
  } else {
    r = client_.Command({"SET", key, *value});
  }
  return r.ok() ? Status::Ok() : r.status();
}

void MultiLevelCache::InvalidateL1(const std::string& key) {
  std::lock_guard lock(mu_);
  l1_.Invalidate(key);
  keys_.erase(key);
  if (fills_.count(key)) poisoned_.insert(key);
}

Status MultiLevelCache::Put(const std::string& key, const std::string& value) {
  std::optional<std::string> v = value;
  switch (opt_.write_mode) {
    case WriteMode::kStrong:
      if (backend_.store) CAIRN_RETURN_IF_ERROR(backend_.store(key, v));
      CAIRN_RETURN_IF_ERROR(WriteL2(key, v, opt_.l2_ttl));
      InvalidateL1(key);
      return Status::Ok();
    case WriteMode::kEventual: {
      if (backend_.store) CAIRN_RETURN_IF_ERROR(backend_.store(key, v));
      CAIRN_RETURN_IF_ERROR(WriteL2(key, v, opt_.l2_ttl));
      auto alive = alive_;
      boost::asio::post(client_.io(), [this, alive, key] {
        if (alive->load()) InvalidateL1(key);
      });
      return Status::Ok();
    }
    case WriteMode::kWeak: {
      {
        std::lock_guard lock(mu_);
        l1_.Put(key, L1Value{generation_.load(), v});
        keys_.insert(key);
      }
      // Background write: SET through the async API (retried on TRYAGAIN);
      // the store to L3 runs on the io thread after it.
      auto alive = alive_;
      std::vector<std::string> args{"SET", key, value};
      if (opt_.l2_ttl.count() > 0) {
        args.push_back("PX");
        args.push_back(std::to_string(opt_.l2_ttl.count()));
      }
      client_.CommandAsync(std::move(args), [this, alive, key, v](Reply r) {
        if (!alive->load()) return;
        bool ok = r.status.ok();
        if (ok && backend_.store) ok = backend_.store(key, v).ok();
        if (!ok) ++counters_.background_errors;
      });
      return Status::Ok();
    }
  }
  return Status::Ok();
}

Status MultiLevelCache::Delete(const std::string& key) {
  if (backend_.store) CAIRN_RETURN_IF_ERROR(backend_.store(key, std::nullopt));
  CAIRN_RETURN_IF_ERROR(WriteL2(key, std::nullopt, {}));
  InvalidateL1(key);
  return Status::Ok();
}

Status MultiLevelCache::InvalidatePattern(const std::string& pattern, bool l2) {
  {
    std::lock_guard lock(mu_);
    if (keys_incomplete_) {
      // The key index was cleared to stay bounded: flush everything instead.
      generation_.fetch_add(1);
      keys_.clear();
      keys_incomplete_ = false;
      for (auto& [k, n] : fills_) poisoned_.insert(k);
    }
    for (auto it = keys_.begin(); it != keys_.end();) {
      if (kv::GlobMatch(pattern, *it)) {
        l1_.Invalidate(*it);
        it = keys_.erase(it);
      } else {
        ++it;
      }
    }
    for (auto& [k, n] : fills_) {
      if (kv::GlobMatch(pattern, k)) poisoned_.insert(k);
    }
  }
  if (!l2) return Status::Ok();
  std::string cursor = "0";
  for (int rounds = 0; rounds < 100000; ++rounds) {
    CAIRN_ASSIGN_OR_RETURN(resp::Value page,
                           client_.Command({"SCAN", cursor, "MATCH", pattern, "COUNT", "1000"}));
    if (page.elems.size() != 2) return Status::Internal("SCAN: unexpected reply");
    std::vector<std::string> del{"DEL"};
    for (const auto& k : page.elems[1].elems) del.push_back(k.str);
    if (del.size() > 1) CAIRN_RETURN_IF_ERROR(client_.Command(del).status());
    cursor = page.elems[0].str;
    if (cursor == "0") return Status::Ok();
  }
  return Status::Internal("SCAN did not finish");
}

MultiLevelCacheStats MultiLevelCache::stats() const {
  MultiLevelCacheStats s;
  s.l1_hits = counters_.l1_hits.load();
  s.l2_hits = counters_.l2_hits.load();
  s.l3_loads = counters_.l3_loads.load();
  s.misses = counters_.misses.load();
  s.invalidations = counters_.invalidations.load();
  s.flushes = counters_.flushes.load();
  s.poisoned_fills = counters_.poisoned_fills.load();
  s.fenced_hits = counters_.fenced_hits.load();
  s.background_errors = counters_.background_errors.load();
  return s;
}

}  // namespace cairn::client
