// The stream commands (XADD, XRANGE, XREAD...): their semantics on apply and
// on read, following Redis 7.0. A stream is one record (kv/stream.h).
// Automatic IDs come from the entry's replicated clock, never a node's own,
// so every replica gives an entry the same ID.
#include <strings.h>

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <set>

#include "kv/apply_txn.h"
#include "kv/errors.h"
#include "kv/parse.h"
#include "kv/stream.h"

namespace cairn::kv {
namespace {

using resp::Value;

constexpr std::string_view kStreamTooBig =
    "ERR stream exceeds the maximum record size (512 MiB) in Cairn";
constexpr std::string_view kIdTooSmall =
    "ERR The ID specified in XADD is equal or smaller than the target stream top item";

// [id, [field, value, ...]], as every stream read replies an entry.
Value EntryReply(const StreamEntry& e) {
  Value fields = Value::Array();
  fields.elems.reserve(2 * e.fields.size());
  for (const auto& [f, v] : e.fields) {
    fields.elems.push_back(Value::Bulk(f));
    fields.elems.push_back(Value::Bulk(v));
  }
  return Value::Array({Value::BulkOwned(e.id.ToString()), std::move(fields)});
}

// Removes entries from the front as XTRIM's options say (exactly, at most
// op.num2 if it is not 0); returns how many, and adds the bytes they took
// to *removed_bytes if given.
std::int64_t Trim(Stream* s, const Op& op, const std::string* minid_text,
                  std::size_t* removed_bytes = nullptr) {
  const std::size_t limit = op.num2 > 0 ? static_cast<std::size_t>(op.num2) : SIZE_MAX;
  std::size_t n = 0;
  if (op.flags & kXTrimMaxLen) {
    const auto keep = static_cast<std::size_t>(op.num);
    if (s->entries.size() > keep) n = std::min(s->entries.size() - keep, limit);
  } else if (op.flags & kXTrimMinId) {
    StreamId minid;
    ParseStreamId(*minid_text, 0, true, &minid);  // the parser accepted it
    while (n < s->entries.size() && n < limit && s->entries[n].id < minid) ++n;
  }
  if (removed_bytes != nullptr) {
    for (std::size_t i = 0; i < n; ++i) *removed_bytes += EncodedEntrySize(s->entries[i]);
  }
  s->entries.erase(s->entries.begin(), s->entries.begin() + static_cast<std::ptrdiff_t>(n));
  return static_cast<std::int64_t>(n);
}

Result<Value> Store(ApplyTxn* txn, const std::string& key, const Stream& s,
                    std::int64_t expire_at_ms, Value reply) {
  std::string bytes = EncodeStream(s);
  if (bytes.size() > kValueBytesMax) return Value::Error(kStreamTooBig);
  CAIRN_RETURN_IF_ERROR(txn->Put(key, std::move(bytes), expire_at_ms, kTypeStream));
  return reply;
}

// The ID XADD gives its entry, or the error Redis gives.
Result<StreamId> NextId(const Stream& s, const std::string& spec, std::int64_t clock_ms) {
  StreamId id;
  if (spec == "*") {
    const auto now = static_cast<std::uint64_t>(std::max<std::int64_t>(clock_ms, 0));
    if (now > s.last_id.ms) return StreamId{now, 0};
    id = s.last_id;
    id.Increment();  // the caller ruled out the largest ID
    return id;
  }
  bool seq_given = true;
  ParseStreamId(spec, 0, true, &id, &seq_given);  // the parser accepted it
  if (!seq_given && id.ms == s.last_id.ms) {
    if (s.last_id.seq == UINT64_MAX) return Status::InvalidArgument(kIdTooSmall);
    id.seq = s.last_id.seq + 1;
  }
  if (id <= s.last_id) return Status::InvalidArgument(kIdTooSmall);
  return id;
}

// A stream that a group entry's writes (XADD, XREADGROUP, XACK, XDEL,
// XTRIM) keep changing, decoded once for all of them (ApplyTxn::Decoded).
// `bytes` bounds its encoded size from above: exact when decoded, then each
// entry added counts its size and 10 bytes for counters that may grow, each
// trimmed one its size, and XREADGROUP what it may add at most.
struct DecodedStream final : ApplyTxn::Decoded {
  Stream stream;
  std::size_t bytes = 0;
  std::string Encode() const override { return EncodeStream(stream); }
  void Load(const Record* r) {
    if (r != nullptr) stream = DecodeStream(r->value);
    bytes = r != nullptr ? r->value.size() : EncodeStream(stream).size();
  }
};

Result<Value> ApplyXAdd(ApplyTxn* txn, const Op& op) {
  const std::string& key = op.args[0];
  CAIRN_ASSIGN_OR_RETURN(auto d, DecodedValue<DecodedStream>::Open(txn, key, kTypeStream));
  if (d.wrong_type()) return Value::Error(errors::kWrongType);
  if (d.absent() && (op.flags & kXAddNoMkStream)) return Value::Null();
  Stream& s = d->stream;
  if (s.last_id == kMaxStreamId) {
    return Value::Error(
        "ERR The stream has exhausted the last possible ID, unable to add more items");
  }
  Result<StreamId> id = NextId(s, op.args[1], txn->clock_ms());
  if (!id.ok()) return Value::Error(id.status().message());
  const bool minid = op.flags & kXTrimMinId;
  StreamEntry entry{*id, {}};
  for (std::size_t i = minid ? 3 : 2; i + 1 < op.args.size(); i += 2) {
    entry.fields.emplace_back(op.args[i], op.args[i + 1]);
  }
  // Checked before anything changes, trimming not counted: only a stream
  // within one entry of the limit is refused that trimming would have saved.
  const std::size_t added = EncodedEntrySize(entry) + 10;
  if (d->bytes + added > kValueBytesMax) return Value::Error(kStreamTooBig);
  s.entries.push_back(std::move(entry));
  s.last_id = *id;
  ++s.entries_added;
  std::size_t removed = 0;
  const bool trimmed = Trim(&s, op, minid ? &op.args[2] : nullptr, &removed) > 0;
  d->bytes = d->bytes + added - removed;
  CAIRN_RETURN_IF_ERROR(d.Keep());
  if (trimmed) txn->NoteSideEvent(key, "xtrim");
  return Value::BulkOwned(id->ToString());
}

bool EqualsNoCase(const std::string& a, const char* b) { return strcasecmp(a.c_str(), b) == 0; }

Value NoGroupError(const std::string& key, const std::string& group, const char* context) {
  return Value::Error("NOGROUP No such key '" + key + "' or consumer group '" + group + "'" +
                      context);
}

// The group's consumer of that name, created (last seen now) if absent.
StreamConsumer* Consumer(StreamGroup* g, const std::string& name, std::int64_t now_ms,
                         bool* created = nullptr) {
  auto it =
      std::lower_bound(g->consumers.begin(), g->consumers.end(), name,
                       [](const StreamConsumer& c, const std::string& n) { return c.name < n; });
  if (created != nullptr) *created = it == g->consumers.end() || it->name != name;
  if (it == g->consumers.end() || it->name != name) {
    it = g->consumers.insert(it, StreamConsumer{name, now_ms});
  }
  return &*it;
}

std::vector<StreamPending>::iterator PendingAt(StreamGroup* g, const StreamId& id) {
  return std::lower_bound(g->pending.begin(), g->pending.end(), id,
                          [](const StreamPending& p, const StreamId& v) { return p.id < v; });
}

// XGROUP's subcommands, in Redis 7.0's order of checks: the key (and its
// type), the group, then the ID.
Result<Value> ApplyXGroup(ApplyTxn* txn, const Op& op, const Record* old) {
  const std::string& key = op.args[0];
  const std::string& name = op.args[1];
  const std::uint32_t sub = op.flags & kXGroupSubMask;
  if (old == nullptr && !(op.flags & kXGroupMkStream)) {
    return Value::Error(
        "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want "
        "to use the MKSTREAM option to create an empty stream automatically.");
  }
  Stream s = old != nullptr ? DecodeStream(old->value) : Stream();
  const std::int64_t expire = old != nullptr ? old->expire_at_ms : 0;
  StreamGroup* g = s.FindGroup(name);
  if (g == nullptr && sub != kXGroupCreate && sub != kXGroupDestroy) {
    return Value::Error("NOGROUP No such consumer group '" + name + "' for key name '" + key + "'");
  }
  const std::int64_t now = txn->clock_ms();
  switch (sub) {
    case kXGroupCreate:
    case kXGroupSetId: {
      StreamId id = s.last_id;  // "$"
      // CREATE takes a strict ID, SETID also "-" and "+".
      if (op.args[2] != "$" && !ParseStreamId(op.args[2], 0, sub == kXGroupCreate, &id)) {
        return Value::Error(kBadStreamIdError);
      }
      // ENTRIESREAD, or unknown (a plain SETID forgets the counter).
      const std::int64_t read = (op.flags & kXGroupEntriesRead) ? op.num : kEntriesReadUnknown;
      if (sub == kXGroupSetId) {
        g->last_delivered = id;
        g->entries_read = read;
        return Store(txn, key, s, expire, Value::Simple("OK"));
      }
      if (g != nullptr) return Value::Error("BUSYGROUP Consumer Group name already exists");
      auto at =
          std::lower_bound(s.groups.begin(), s.groups.end(), name,
                           [](const StreamGroup& x, const std::string& n) { return x.name < n; });
      s.groups.insert(at, StreamGroup{name, id, read, {}, {}});
      return Store(txn, key, s, expire, Value::Simple("OK"));
    }
    case kXGroupDestroy: {
      if (g == nullptr) return Value::Int(0);
      s.groups.erase(s.groups.begin() + (g - s.groups.data()));
      return Store(txn, key, s, expire, Value::Int(1));
    }
    case kXGroupCreateConsumer: {
      bool created = false;
      Consumer(g, op.args[2], now, &created);
      if (!created) return Value::Int(0);
      return Store(txn, key, s, expire, Value::Int(1));
    }
    default: {  // kXGroupDelConsumer: replies how many entries it had pending
      auto it = std::find_if(g->consumers.begin(), g->consumers.end(),
                             [&](const StreamConsumer& c) { return c.name == op.args[2]; });
      if (it == g->consumers.end()) return Value::Int(0);
      g->consumers.erase(it);
      const auto n = std::erase_if(
          g->pending, [&](const StreamPending& p) { return p.consumer == op.args[2]; });
      return Store(txn, key, s, expire, Value::Int(static_cast<std::int64_t>(n)));
    }
  }
}

// XREADGROUP: new entries (">": after the group's last delivered ID, added
// to the pending entries unless NOACK) or the consumer's own pending history
// (an ID), following Redis 7.0's xreadCommand and streamReplyWithRange.
Result<Value> ApplyXReadGroup(ApplyTxn* txn, const Op& op) {
  const std::string& group = op.args[0];
  const std::string& consumer = op.args[1];
  const auto n = static_cast<std::size_t>(op.num2);
  const std::int64_t now = txn->clock_ms();
  // Each key opened once, however often it is named.
  std::map<std::string, DecodedValue<DecodedStream>> streams;
  std::vector<StreamId> after(n);
  for (std::size_t i = 0; i < n; ++i) {
    const std::string& key = op.args[2 + i];
    if (!streams.contains(key)) {
      CAIRN_ASSIGN_OR_RETURN(auto d, DecodedValue<DecodedStream>::Open(txn, key, kTypeStream));
      if (d.wrong_type()) return Value::Error(errors::kWrongType);
      if (d.absent()) return NoGroupError(key, group, " in XREADGROUP with GROUP option");
      streams.emplace(key, std::move(d));
    }
    if (streams.at(key)->stream.FindGroup(group) == nullptr) {
      return NoGroupError(key, group, " in XREADGROUP with GROUP option");
    }
    const std::string& id = op.args[2 + n + i];
    if (id == "$") {
      return Value::Error(
          "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history "
          "of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ "
          "ID would just return an empty result set.");
    }
    if (id == ">") {
      after[i] = kMaxStreamId;
    } else if (!ParseStreamId(id, 0, true, &after[i])) {
      return Value::Error(kBadStreamIdError);
    }
  }
  const std::size_t count = op.num > 0 ? static_cast<std::size_t>(op.num) : SIZE_MAX;
  // What the read may add to each stream's encoding, bounded before
  // anything changes so that a refused read changes nothing: a consumer,
  // and per entry it serves a pending entry (or a pending entry's time and
  // count growing).
  std::map<std::string, std::size_t> most_added;
  for (std::size_t i = 0; i < n; ++i) {
    const std::string& key = op.args[2 + i];
    Stream& s = streams.at(key)->stream;
    const StreamGroup* g = s.FindGroup(group);
    std::size_t served = 0;
    if (op.args[2 + n + i] != ">") {
      served = std::min(count, g->pending.size());
    } else {
      auto e = std::upper_bound(s.entries.begin(), s.entries.end(), g->last_delivered,
                                [](const StreamId& v, const StreamEntry& x) { return v < x.id; });
      served = std::min(count, static_cast<std::size_t>(s.entries.end() - e));
    }
    const std::size_t per_entry = 16 + 10 + consumer.size() + 20;
    most_added[key] += 30 + consumer.size() + served * per_entry;
  }
  for (const auto& [key, most] : most_added) {
    if (streams.at(key)->bytes + most > kValueBytesMax) return Value::Error(kStreamTooBig);
  }
  Value out = Value::Map();
  out.pairs_in_resp2 = true;
  // Keys this read changed. A read that only refreshes the consumer's last
  // seen time stores nothing: a waiting XREADGROUP ... BLOCK retries, and a
  // retry that wrote its stream would wake the stream's other waiters, whose
  // retries would wake it (server/blocking.cc).
  std::set<std::string> changed;
  for (std::size_t i = 0; i < n; ++i) {
    const std::string& key = op.args[2 + i];
    Stream& s = streams.at(key)->stream;
    StreamGroup* g = s.FindGroup(group);
    const bool history = op.args[2 + n + i] != ">";
    // ">" with nothing new serves nothing, and creates no consumer (Redis
    // 7.0 creates it only for a stream it serves).
    if (!history && (s.entries.empty() || s.entries.back().id <= g->last_delivered)) continue;
    bool created = false;
    StreamConsumer* c = Consumer(g, consumer, now, &created);
    c->seen_ms = now;
    if (created) {
      changed.insert(key);
      txn->NoteSideEvent(key, "xgroup-createconsumer");
    }
    Value list = Value::Array();
    if (history) {  // the consumer's pending history, after the ID
      StreamId start = after[i];
      start.Increment();
      for (auto it = PendingAt(g, start); it != g->pending.end() && list.elems.size() < count;
           ++it) {
        if (it->consumer != consumer) continue;
        const StreamEntry* e = s.Find(it->id);
        if (e == nullptr) {  // deleted since: the ID, then a null
          list.elems.push_back(
              Value::Array({Value::BulkOwned(it->id.ToString()), Value::NullArray()}));
          continue;
        }
        list.elems.push_back(EntryReply(*e));
        it->delivery_ms = now;
        ++it->delivery_count;
        changed.insert(key);
      }
    } else {
      auto e = std::upper_bound(s.entries.begin(), s.entries.end(), g->last_delivered,
                                [](const StreamId& v, const StreamEntry& x) { return v < x.id; });
      changed.insert(key);
      for (; e != s.entries.end() && list.elems.size() < count; ++e) {
        s.Deliver(g, e->id);
        list.elems.push_back(EntryReply(*e));
        if (op.flags & kXNoAck) continue;
        auto p = PendingAt(g, e->id);
        if (p != g->pending.end() && p->id == e->id) {  // delivered before (SETID went back)
          p->consumer = consumer;
          p->delivery_ms = now;
          p->delivery_count = 1;
        } else {
          g->pending.insert(p, StreamPending{e->id, consumer, now, 1});
        }
      }
    }
    out.elems.push_back(Value::Bulk(key));
    out.elems.push_back(std::move(list));
  }
  for (const std::string& key : changed) {
    DecodedValue<DecodedStream>& d = streams.at(key);
    d->bytes += most_added[key];
    CAIRN_RETURN_IF_ERROR(d.Keep());
  }
  return out.elems.empty() ? Value::NullArray() : out;
}

// XACK: only shrinks the stream, so its bound stays as it was.
Result<Value> ApplyXAck(ApplyTxn* txn, const Op& op) {
  CAIRN_ASSIGN_OR_RETURN(auto d, DecodedValue<DecodedStream>::Open(txn, op.args[0], kTypeStream));
  if (d.wrong_type()) return Value::Error(errors::kWrongType);
  if (d.absent()) return Value::Int(0);
  StreamGroup* g = d->stream.FindGroup(op.args[1]);
  if (g == nullptr) return Value::Int(0);
  std::vector<StreamId> ids(op.args.size() - 2);
  for (std::size_t i = 2; i < op.args.size(); ++i) {
    if (!ParseStreamId(op.args[i], 0, true, &ids[i - 2])) return Value::Error(kBadStreamIdError);
  }
  std::int64_t acked = 0;
  for (const StreamId& id : ids) {
    auto p = PendingAt(g, id);
    if (p == g->pending.end() || p->id != id) continue;
    g->pending.erase(p);
    ++acked;
  }
  if (acked == 0) {  // nothing changed: the version stays (WATCH)
    CAIRN_RETURN_IF_ERROR(d.KeepUnchanged());
    return Value::Int(0);
  }
  CAIRN_RETURN_IF_ERROR(d.Keep());
  return Value::Int(acked);
}

// XDEL and XTRIM: they only shrink the stream, so its bound is kept (less
// what trimming frees). The stream stays, even empty: its last ID must not
// be given out again.
Result<Value> ApplyXDelOrTrim(ApplyTxn* txn, const Op& op) {
  CAIRN_ASSIGN_OR_RETURN(auto d, DecodedValue<DecodedStream>::Open(txn, op.args[0], kTypeStream));
  if (d.wrong_type()) return Value::Error(errors::kWrongType);
  if (d.absent()) return Value::Int(0);
  Stream& s = d->stream;
  std::int64_t removed = 0;
  if (op.code == OpCode::kXTrim) {
    std::size_t freed = 0;
    removed = Trim(&s, op, (op.flags & kXTrimMinId) ? &op.args[1] : nullptr, &freed);
    d->bytes -= freed;
  } else {  // kXDel: every ID is checked before any is deleted
    std::vector<StreamId> ids(op.args.size() - 1);
    for (std::size_t i = 1; i < op.args.size(); ++i) {
      if (!ParseStreamId(op.args[i], 0, true, &ids[i - 1])) return Value::Error(kBadStreamIdError);
    }
    for (const StreamId& id : ids) {
      auto it = std::lower_bound(s.entries.begin(), s.entries.end(), id,
                                 [](const StreamEntry& e, const StreamId& v) { return e.id < v; });
      if (it == s.entries.end() || it->id != id) continue;
      s.entries.erase(it);
      s.max_deleted = std::max(s.max_deleted, id);
      ++removed;
    }
  }
  if (removed == 0) {  // nothing changed: the version stays (WATCH)
    CAIRN_RETURN_IF_ERROR(d.KeepUnchanged());
    return Value::Int(0);
  }
  CAIRN_RETURN_IF_ERROR(d.Keep());
  return Value::Int(removed);
}

// Moves a pending entry to `consumer` as XCLAIM and XAUTOCLAIM do: delivered
// now (or at `delivery_ms`), counted once more unless `count` says otherwise.
void TakeOver(StreamPending* p, const std::string& consumer, std::int64_t delivery_ms,
              std::int64_t retrycount, bool justid) {
  p->consumer = consumer;
  p->delivery_ms = delivery_ms;
  if (retrycount >= 0) {
    p->delivery_count = static_cast<std::uint64_t>(retrycount);
  } else if (!justid) {
    ++p->delivery_count;
  }
}

// XCLAIM, following Redis 7.0's xclaimCommand: the group first, then the
// min-idle time, the IDs (the first that does not parse starts the
// options) and the options; then each ID in turn.
// What claiming `claims` entries for `consumer` may add to a stream's
// encoding: the consumer, and per entry a pending entry (or a pending
// entry's consumer, time and count growing). Checked before anything
// changes, so a refused claim changes nothing.
std::size_t MostAddedByClaims(const std::string& consumer, std::size_t claims) {
  return 30 + consumer.size() + claims * (16 + 10 + consumer.size() + 20);
}

// The end of XCLAIM and XAUTOCLAIM: a claim that changed the stream keeps
// it (its bound grown by what was reserved), one that did not leaves the
// key's version as it was (WATCH).
Result<Value> KeepClaims(DecodedValue<DecodedStream>* d, bool changed, std::size_t most_added,
                         Value out) {
  if (!changed) {
    CAIRN_RETURN_IF_ERROR(d->KeepUnchanged());
    return out;
  }
  (*d)->bytes += most_added;
  CAIRN_RETURN_IF_ERROR(d->Keep());
  return out;
}

// XCLAIM and XAUTOCLAIM work on the stream kept decoded for the entry (as
// XACK does), so consumers claiming from a large stream in one pipeline do
// not decode and encode it once each.
Result<Value> ApplyXClaim(ApplyTxn* txn, const Op& op) {
  const std::string& key = op.args[0];
  const std::string& group = op.args[1];
  const std::string& consumer = op.args[2];
  CAIRN_ASSIGN_OR_RETURN(auto d, DecodedValue<DecodedStream>::Open(txn, key, kTypeStream));
  if (d.wrong_type()) return Value::Error(errors::kWrongType);
  if (d.absent()) return NoGroupError(key, group, "");
  Stream& s = d->stream;
  StreamGroup* g = s.FindGroup(group);
  if (g == nullptr) return NoGroupError(key, group, "");
  std::int64_t minidle = 0;
  if (!ParseStrictInt64(op.args[3], &minidle)) {
    return Value::Error("ERR Invalid min-idle-time argument for XCLAIM");
  }
  minidle = std::max<std::int64_t>(minidle, 0);
  std::vector<StreamId> ids;
  std::size_t j = 4;
  for (StreamId id; j < op.args.size() && ParseStreamId(op.args[j], 0, true, &id); ++j) {
    ids.push_back(id);
  }
  const std::int64_t now = txn->clock_ms();
  std::int64_t retrycount = -1, delivery = -1;
  bool force = false, justid = false;
  StreamId last_id;
  for (; j < op.args.size(); ++j) {
    const std::string& opt = op.args[j];
    const bool more = j + 1 < op.args.size();
    auto number = [&](const char* what, std::int64_t* out) {
      return ParseStrictInt64(op.args[++j], out)
                 ? Value::Null()
                 : Value::Error(std::string("ERR Invalid ") + what + " option argument for XCLAIM");
    };
    Value bad = Value::Null();
    if (EqualsNoCase(opt, "force")) {
      force = true;
    } else if (EqualsNoCase(opt, "justid")) {
      justid = true;
    } else if (EqualsNoCase(opt, "idle") && more) {
      bad = number("IDLE", &delivery);
      delivery = now - delivery;
    } else if (EqualsNoCase(opt, "time") && more) {
      bad = number("TIME", &delivery);
    } else if (EqualsNoCase(opt, "retrycount") && more) {
      bad = number("RETRYCOUNT", &retrycount);
    } else if (EqualsNoCase(opt, "lastid") && more) {
      if (!ParseStreamId(op.args[++j], 0, true, &last_id)) return Value::Error(kBadStreamIdError);
    } else {
      return Value::Error("ERR Unrecognized XCLAIM option '" + opt + "'");
    }
    if (bad.is_error()) return bad;
  }
  const std::size_t most_added = MostAddedByClaims(consumer, ids.size());
  if (d->bytes + most_added > kValueBytesMax) return Value::Error(kStreamTooBig);
  bool changed = false;
  if (last_id > g->last_delivered) {
    g->last_delivered = last_id;
    changed = true;
  }
  if (delivery < 0 || delivery > now) delivery = now;  // bogus or absent: now
  Value out = Value::Array();
  bool have_consumer = false;
  for (const StreamId& id : ids) {
    auto p = PendingAt(g, id);
    const bool pending = p != g->pending.end() && p->id == id;
    const StreamEntry* e = s.Find(id);
    if (e == nullptr) {  // gone from the stream: gone from the pending entries too
      if (pending) {
        g->pending.erase(p);
        changed = true;
      }
      continue;
    }
    bool forced = false;
    if (!pending) {
      if (!force) continue;
      p = g->pending.insert(p, StreamPending{id, "", now, 1});
      forced = true;
    }
    if (!forced && minidle != 0 && now - p->delivery_ms < minidle) continue;
    if (!have_consumer) {
      bool created = false;
      Consumer(g, consumer, now, &created)->seen_ms = now;
      if (created) txn->NoteSideEvent(op.args[0], "xgroup-createconsumer");
      have_consumer = true;
    }
    TakeOver(&*p, consumer, delivery, retrycount, justid);
    changed = true;
    out.elems.push_back(justid ? Value::BulkOwned(id.ToString()) : EntryReply(*e));
  }
  return KeepClaims(&d, changed, most_added, std::move(out));
}

// XAUTOCLAIM, following Redis 7.0's xautoclaimCommand: up to count entries
// pending at least min-idle from `start` on, within count * 10 looked at;
// replies [next start (0-0 at the end), entries, IDs no longer in the stream].
Result<Value> ApplyXAutoClaim(ApplyTxn* txn, const Op& op) {
  const std::string& key = op.args[0];
  const std::string& group = op.args[1];
  CAIRN_ASSIGN_OR_RETURN(auto d, DecodedValue<DecodedStream>::Open(txn, key, kTypeStream));
  if (d.wrong_type()) return Value::Error(errors::kWrongType);
  if (d.absent()) return NoGroupError(key, group, "");
  Stream& s = d->stream;
  StreamGroup* g = s.FindGroup(group);
  if (g == nullptr) return NoGroupError(key, group, "");
  StreamId start, unused;
  if (!ParseStreamRange(op.args[3], "+", &start, &unused).ok())
    return Value::Error(kBadStreamIdError);
  const std::int64_t now = txn->clock_ms();
  const bool justid = op.flags & kXJustId;
  std::int64_t count = op.num2;
  std::int64_t attempts = count * 10;
  const std::size_t most_added = MostAddedByClaims(
      op.args[2], std::min<std::size_t>(static_cast<std::size_t>(count), g->pending.size()));
  if (d->bytes + most_added > kValueBytesMax) return Value::Error(kStreamTooBig);
  Value claimed = Value::Array();
  Value deleted = Value::Array();
  bool have_consumer = false, changed = false, at_end = false;
  std::size_t i = static_cast<std::size_t>(PendingAt(g, start) - g->pending.begin());
  while (true) {
    if (attempts-- == 0 || count == 0) break;
    if (i >= g->pending.size()) {
      at_end = true;
      break;
    }
    StreamPending& p = g->pending[i];
    const StreamEntry* e = s.Find(p.id);
    if (e == nullptr) {
      deleted.elems.push_back(Value::BulkOwned(p.id.ToString()));
      g->pending.erase(g->pending.begin() + static_cast<std::ptrdiff_t>(i));
      changed = true;
      --count;
      continue;
    }
    ++i;
    if (op.num != 0 && now - p.delivery_ms < op.num) continue;
    if (!have_consumer) {
      bool created = false;
      Consumer(g, op.args[2], now, &created)->seen_ms = now;
      if (created) txn->NoteSideEvent(op.args[0], "xgroup-createconsumer");
      have_consumer = true;
    }
    TakeOver(&p, op.args[2], now, -1, justid);
    changed = true;
    claimed.elems.push_back(justid ? Value::BulkOwned(p.id.ToString()) : EntryReply(*e));
    --count;
  }
  StreamId next;
  if (!at_end && i < g->pending.size()) next = g->pending[i].id;
  Value out =
      Value::Array({Value::BulkOwned(next.ToString()), std::move(claimed), std::move(deleted)});
  return KeepClaims(&d, changed, most_added, std::move(out));
}

// XSETID, after the parser's checks: the key, then (unless the stream is
// empty) the top entry and the length, as Redis 7.0 checks them. The last
// ID may go back, down to the top entry; MAXDELETEDID 0-0 changes nothing.
Result<Value> ApplyXSetId(ApplyTxn* txn, const Op& op, const Record* old) {
  if (old == nullptr) return Value::Error("ERR no such key");
  Stream s = DecodeStream(old->value);
  StreamId last;
  ParseStreamId(op.args[1], 0, true, &last);  // the parser accepted it
  const bool added_given = op.flags & kXSetIdEntriesAdded;
  if (!s.entries.empty()) {
    if (last < s.entries.back().id) {
      return Value::Error(
          "ERR The ID specified in XSETID is smaller than the target stream top item");
    }
    if (added_given && static_cast<std::uint64_t>(op.num) < s.entries.size()) {
      return Value::Error(
          "ERR The entries_added specified in XSETID is smaller than the target stream length");
    }
  }
  s.last_id = last;
  if (added_given) s.entries_added = static_cast<std::uint64_t>(op.num);
  StreamId max_deleted;
  if ((op.flags & kXSetIdMaxDeleted) && ParseStreamId(op.args[2], 0, true, &max_deleted) &&
      max_deleted != StreamId{}) {
    s.max_deleted = max_deleted;
  }
  return Store(txn, op.args[0], s, old->expire_at_ms, Value::Simple("OK"));
}

// A count of things, as a reply.
Value Count(std::size_t n) { return Value::Int(static_cast<std::int64_t>(n)); }

Value IdReply(const StreamId& id) { return Value::BulkOwned(id.ToString()); }

// A group's entries-read and lag (nil where unknown).
void AddReadCounters(const Stream& s, const StreamGroup& g, Value* map) {
  map->elems.push_back(Value::Bulk("entries-read"));
  map->elems.push_back(g.entries_read == kEntriesReadUnknown ? Value::Null()
                                                             : Value::Int(g.entries_read));
  map->elems.push_back(Value::Bulk("lag"));
  std::optional<std::int64_t> lag = s.Lag(g);
  map->elems.push_back(lag ? Value::Int(*lag) : Value::Null());
}

// The seven fields XINFO STREAM starts with, plain or FULL. Cairn keeps a
// stream in one record, which it reports as Redis reports a stream held in
// one listpack: one radix-tree key and two nodes (none and one when empty).
Value StreamInfoHead(const Stream& s) {
  const bool empty = s.entries.empty();
  return Value::Map({Value::Bulk("length"), Count(s.entries.size()), Value::Bulk("radix-tree-keys"),
                     Value::Int(empty ? 0 : 1), Value::Bulk("radix-tree-nodes"),
                     Value::Int(empty ? 1 : 2), Value::Bulk("last-generated-id"),
                     IdReply(s.last_id), Value::Bulk("max-deleted-entry-id"),
                     IdReply(s.max_deleted), Value::Bulk("entries-added"),
                     Value::Int(static_cast<std::int64_t>(s.entries_added)),
                     Value::Bulk("recorded-first-entry-id"), IdReply(s.FirstId())});
}

// XINFO STREAM key FULL [COUNT n]: the entries, and each group with its
// pending entries and consumers, up to n of each list (0: all).
Value StreamInfoFull(const Stream& s, std::int64_t count) {
  const std::size_t limit = count > 0 ? static_cast<std::size_t>(count) : SIZE_MAX;
  Value out = StreamInfoHead(s);
  Value entries = Value::Array();
  for (std::size_t i = 0; i < s.entries.size() && i < limit; ++i) {
    entries.elems.push_back(EntryReply(s.entries[i]));
  }
  Value groups = Value::Array();
  for (const StreamGroup& g : s.groups) {
    Value group = Value::Map({Value::Bulk("name"), Value::Bulk(g.name),
                              Value::Bulk("last-delivered-id"), IdReply(g.last_delivered)});
    AddReadCounters(s, g, &group);
    Value pel = Value::Array();
    for (std::size_t i = 0; i < g.pending.size() && i < limit; ++i) {
      const StreamPending& p = g.pending[i];
      pel.elems.push_back(
          Value::Array({IdReply(p.id), Value::Bulk(p.consumer), Value::Int(p.delivery_ms),
                        Value::Int(static_cast<std::int64_t>(p.delivery_count))}));
    }
    Value consumers = Value::Array();
    for (const StreamConsumer& c : g.consumers) {
      Value own = Value::Array();
      std::size_t owned = 0;
      for (const StreamPending& p : g.pending) {
        if (p.consumer != c.name) continue;
        ++owned;
        if (own.elems.size() < limit) {
          own.elems.push_back(
              Value::Array({IdReply(p.id), Value::Int(p.delivery_ms),
                            Value::Int(static_cast<std::int64_t>(p.delivery_count))}));
        }
      }
      consumers.elems.push_back(
          Value::Map({Value::Bulk("name"), Value::Bulk(c.name), Value::Bulk("seen-time"),
                      Value::Int(c.seen_ms), Value::Bulk("pel-count"), Count(owned),
                      Value::Bulk("pending"), std::move(own)}));
    }
    group.elems.push_back(Value::Bulk("pel-count"));
    group.elems.push_back(Count(g.pending.size()));
    group.elems.push_back(Value::Bulk("pending"));
    group.elems.push_back(std::move(pel));
    group.elems.push_back(Value::Bulk("consumers"));
    group.elems.push_back(std::move(consumers));
    groups.elems.push_back(std::move(group));
  }
  out.elems.push_back(Value::Bulk("entries"));
  out.elems.push_back(std::move(entries));
  out.elems.push_back(Value::Bulk("groups"));
  out.elems.push_back(std::move(groups));
  return out;
}

// XINFO STREAM (plain, FULL, or refused options), GROUPS and CONSUMERS,
// with Redis 7.0's fields, after the key is found.
Value ReadXInfo(const Op& op, const Record* rec, std::int64_t now_ms) {
  if (rec == nullptr) return Value::Error("ERR no such key");
  Stream s = DecodeStream(rec->value);
  if (op.flags == kXInfoStream && op.args.size() > 1) {  // options the parser refused
    const std::vector<std::string>& a = op.args;  // key, the subcommand as typed, the options
    const bool shape = a.size() == 5 && EqualsNoCase(a[2], "full") && EqualsNoCase(a[3], "count");
    if (shape) return Value::Error(errors::kNotInteger);
    return Value::Error("ERR unknown subcommand or wrong number of arguments for '" + a[1] +
                        "'. Try XINFO HELP.");
  }
  if (op.flags == kXInfoStreamFull) return StreamInfoFull(s, op.num);
  if (op.flags == kXInfoStream) {
    Value out = StreamInfoHead(s);
    out.elems.push_back(Value::Bulk("groups"));
    out.elems.push_back(Count(s.groups.size()));
    out.elems.push_back(Value::Bulk("first-entry"));
    out.elems.push_back(s.entries.empty() ? Value::Null() : EntryReply(s.entries.front()));
    out.elems.push_back(Value::Bulk("last-entry"));
    out.elems.push_back(s.entries.empty() ? Value::Null() : EntryReply(s.entries.back()));
    return out;
  }
  auto pending_of = [](const StreamGroup& g, const std::string& consumer) {
    return static_cast<std::int64_t>(
        std::count_if(g.pending.begin(), g.pending.end(),
                      [&](const StreamPending& p) { return p.consumer == consumer; }));
  };
  Value out = Value::Array();
  if (op.flags == kXInfoGroups) {
    for (const StreamGroup& g : s.groups) {
      Value group =
          Value::Map({Value::Bulk("name"), Value::Bulk(g.name), Value::Bulk("consumers"),
                      Count(g.consumers.size()), Value::Bulk("pending"), Count(g.pending.size()),
                      Value::Bulk("last-delivered-id"), IdReply(g.last_delivered)});
      AddReadCounters(s, g, &group);
      out.elems.push_back(std::move(group));
    }
    return out;
  }
  const StreamGroup* g = s.FindGroup(op.args[1]);
  if (g == nullptr) {
    return Value::Error("NOGROUP No such consumer group '" + op.args[1] + "' for key name '" +
                        op.args[0] + "'");
  }
  for (const StreamConsumer& c : g->consumers) {
    out.elems.push_back(
        Value::Map({Value::Bulk("name"), Value::Bulk(c.name), Value::Bulk("pending"),
                    Value::Int(pending_of(*g, c.name)), Value::Bulk("idle"),
                    Value::Int(std::max<std::int64_t>(now_ms - c.seen_ms, 0))}));
  }
  return out;
}

// XPENDING's summary, or its entries in a range (each with its idle time).
Value ReadXPending(const Op& op, const Record* rec, std::int64_t now_ms) {
  const std::string& key = op.args[0];
  const std::string& group = op.args[1];
  if (rec == nullptr) return NoGroupError(key, group, "");
  Stream s = DecodeStream(rec->value);
  StreamGroup* g = s.FindGroup(group);
  if (g == nullptr) return NoGroupError(key, group, "");
  if (!(op.flags & kXPendingRange)) {
    if (g->pending.empty()) {
      return Value::Array({Value::Int(0), Value::Null(), Value::Null(), Value::NullArray()});
    }
    Value owners = Value::Array();
    for (const StreamConsumer& c : g->consumers) {
      const auto n = std::count_if(g->pending.begin(), g->pending.end(),
                                   [&](const StreamPending& p) { return p.consumer == c.name; });
      if (n == 0) continue;
      owners.elems.push_back(
          Value::Array({Value::Bulk(c.name), Value::BulkOwned(std::to_string(n))}));
    }
    return Value::Array({Value::Int(static_cast<std::int64_t>(g->pending.size())),
                         Value::BulkOwned(g->pending.front().id.ToString()),
                         Value::BulkOwned(g->pending.back().id.ToString()), std::move(owners)});
  }
  const std::string* consumer = op.args.size() > 4 ? &op.args[4] : nullptr;
  Value out = Value::Array();
  if (consumer != nullptr &&
      std::none_of(g->consumers.begin(), g->consumers.end(),
                   [&](const StreamConsumer& c) { return c.name == *consumer; })) {
    return out;
  }
  StreamId lo, hi;
  if (!ParseStreamRange(op.args[2], op.args[3], &lo, &hi).ok())
    return Value::Error(kBadStreamIdError);
  for (auto it = PendingAt(g, lo); it != g->pending.end() && it->id <= hi &&
                                   out.elems.size() < static_cast<std::size_t>(op.num);
       ++it) {
    if (consumer != nullptr && it->consumer != *consumer) continue;
    const std::int64_t idle = std::max<std::int64_t>(now_ms - it->delivery_ms, 0);
    if (op.num2 != 0 && idle < op.num2) continue;
    out.elems.push_back(Value::Array({Value::BulkOwned(it->id.ToString()),
                                      Value::Bulk(it->consumer), Value::Int(idle),
                                      Value::Int(static_cast<std::int64_t>(it->delivery_count))}));
  }
  return out;
}

}  // namespace

Result<Value> ApplyStreamWrite(ApplyTxn* txn, const Op& op) {
  if (op.code == OpCode::kXReadGroup) return ApplyXReadGroup(txn, op);
  if (op.code == OpCode::kXAdd) return ApplyXAdd(txn, op);
  if (op.code == OpCode::kXAck) return ApplyXAck(txn, op);
  if (op.code == OpCode::kXDel || op.code == OpCode::kXTrim) return ApplyXDelOrTrim(txn, op);
  if (op.code == OpCode::kXClaim) return ApplyXClaim(txn, op);
  if (op.code == OpCode::kXAutoClaim) return ApplyXAutoClaim(txn, op);
  const std::string& key = op.args[0];
  CAIRN_ASSIGN_OR_RETURN(const Record* old, txn->LiveRecord(key));
  if (old != nullptr && old->type != kTypeStream) return Value::Error(errors::kWrongType);
  if (op.code == OpCode::kXGroup) return ApplyXGroup(txn, op, old);
  if (op.code == OpCode::kXSetId) return ApplyXSetId(txn, op, old);
  return Status::InvalidArgument("kv: not a stream write op");
}

Value ReadStream(const Op& op, const std::function<Result<const Record*>(const std::string&)>& load,
                 std::int64_t now_ms) {
  auto storage = [](const Status& st) { return Value::Error("ERR storage: " + st.ToString()); };
  if (op.code == OpCode::kXRead) {
    const auto n = static_cast<std::size_t>(op.num2);
    // Each key's type, then its ID, in order, as Redis checks them.
    std::vector<Stream> streams(n);
    std::vector<StreamId> after(n);
    for (std::size_t i = 0; i < n; ++i) {
      Result<const Record*> r = load(op.args[i]);
      if (!r.ok()) return storage(r.status());
      if (*r != nullptr && (*r)->type != kTypeStream) return Value::Error(errors::kWrongType);
      if (*r != nullptr) streams[i] = DecodeStream((*r)->value);
      const std::string& id = op.args[n + i];
      if (id == "$") {
        after[i] = streams[i].last_id;
      } else if (id == ">") {
        return Value::Error(
            "ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> "
            "<consumer> option.");
      } else if (!ParseStreamId(id, 0, true, &after[i])) {
        return Value::Error(kBadStreamIdError);
      }
    }
    if (op.flags & kXReadLastIds) {
      Value ids = Value::Array();
      for (std::size_t i = 0; i < n; ++i) {
        ids.elems.push_back(op.args[n + i] == "$" ? Value::BulkOwned(streams[i].last_id.ToString())
                                                  : Value::Bulk(op.args[n + i]));
      }
      return ids;
    }
    Value out = Value::Map();
    out.pairs_in_resp2 = true;
    for (std::size_t i = 0; i < n; ++i) {
      const auto& entries = streams[i].entries;
      auto it = std::upper_bound(entries.begin(), entries.end(), after[i],
                                 [](const StreamId& v, const StreamEntry& e) { return v < e.id; });
      if (it == entries.end()) continue;
      Value list = Value::Array();
      for (; it != entries.end() &&
             (op.num <= 0 || list.elems.size() < static_cast<std::size_t>(op.num));
           ++it) {
        list.elems.push_back(EntryReply(*it));
      }
      out.elems.push_back(Value::Bulk(op.args[i]));
      out.elems.push_back(std::move(list));
    }
    return out.elems.empty() ? Value::NullArray() : out;
  }
  Result<const Record*> r = load(op.args[0]);
  if (!r.ok()) return storage(r.status());
  const Record* rec = *r;
  if (rec != nullptr && rec->type != kTypeStream) return Value::Error(errors::kWrongType);
  if (op.code == OpCode::kXPending) return ReadXPending(op, rec, now_ms);
  if (op.code == OpCode::kXInfo) return ReadXInfo(op, rec, now_ms);
  if (op.code == OpCode::kXLen) {
    return Value::Int(
        rec != nullptr ? static_cast<std::int64_t>(DecodeStream(rec->value).entries.size()) : 0);
  }
  // kXRange
  if (rec == nullptr) return Value::Array();
  if (op.num == 0) return Value::NullArray();  // COUNT 0, as Redis 7.0 answers it
  StreamId lo, hi;
  Status bounds = ParseStreamRange(op.args[1], op.args[2], &lo, &hi);
  if (!bounds.ok()) return Value::Error(bounds.message());  // the parser accepted them
  const Stream s = DecodeStream(rec->value);
  Value out = Value::Array();
  if (lo > hi) return out;
  const auto limit = op.num < 0 ? SIZE_MAX : static_cast<std::size_t>(op.num);
  auto in = [&](const StreamEntry& e) { return e.id >= lo && e.id <= hi; };
  if (op.flags & kXRev) {
    for (auto it = s.entries.rbegin(); it != s.entries.rend() && out.elems.size() < limit; ++it) {
      if (in(*it)) out.elems.push_back(EntryReply(*it));
    }
  } else {
    for (auto it = s.entries.begin(); it != s.entries.end() && out.elems.size() < limit; ++it) {
      if (in(*it)) out.elems.push_back(EntryReply(*it));
    }
  }
  return out;
}

}  // namespace cairn::kv
