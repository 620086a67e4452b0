// The stream commands (XADD, XRANGE, XREAD...): their semantics on apply and
// on read, following Redis 7.0. A stream is one record (kv/stream.h).
// Automatic IDs come from the entry's replicated clock, never a node's own,
// so every replica gives an entry the same ID.
#include <algorithm>
#include <functional>

#include "kv/apply_txn.h"
#include "kv/errors.h"
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
// op.num2 if it is not 0); returns how many.
std::int64_t Trim(Stream* s, const Op& op, const std::string* minid_text) {
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

Result<Value> ApplyXAdd(ApplyTxn* txn, const Op& op, const Record* old) {
  const std::string& key = op.args[0];
  if (old == nullptr && (op.flags & kXAddNoMkStream)) return Value::Null();
  Stream s = old != nullptr ? DecodeStream(old->value) : Stream();
  const std::int64_t expire = old != nullptr ? old->expire_at_ms : 0;
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
  s.entries.push_back(std::move(entry));
  s.last_id = *id;
  Trim(&s, op, minid ? &op.args[2] : nullptr);
  return Store(txn, key, s, expire, Value::BulkOwned(id->ToString()));
}

}  // namespace

Result<Value> ApplyStreamWrite(ApplyTxn* txn, const Op& op) {
  const std::string& key = op.args[0];
  CAIRN_ASSIGN_OR_RETURN(const Record* old, txn->LiveRecord(key));
  if (old != nullptr && old->type != kTypeStream) return Value::Error(errors::kWrongType);
  if (op.code == OpCode::kXAdd) return ApplyXAdd(txn, op, old);
  if (old == nullptr) return Value::Int(0);
  Stream s = DecodeStream(old->value);
  std::int64_t removed = 0;
  if (op.code == OpCode::kXTrim) {
    removed = Trim(&s, op, (op.flags & kXTrimMinId) ? &op.args[1] : nullptr);
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
      ++removed;
    }
  }
  if (removed == 0) return Value::Int(0);
  // The stream stays, even empty: its last ID must not be given out again.
  return Store(txn, key, s, old->expire_at_ms, Value::Int(removed));
}

Value ReadStream(const Op& op,
                 const std::function<Result<const Record*>(const std::string&)>& load) {
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
