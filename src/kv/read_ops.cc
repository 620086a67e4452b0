// StateMachine::Read: the semantics of each read Op, following Redis 7.0.
#include <strings.h>

#include <algorithm>
#include <deque>

#include "common/random.h"
#include "kv/apply_txn.h"
#include "kv/coding.h"
#include "kv/errors.h"
#include "kv/glob.h"
#include "kv/hash.h"
#include "kv/parse.h"
#include "kv/set.h"
#include "kv/zset.h"

namespace cairn::kv {

using resp::Value;

resp::Value StateMachine::Read(const Op& op, std::int64_t read_time_ms) const {
  if (op_timer_ == nullptr) return ReadUntimed(op, read_time_ms);
  const std::int64_t start = op_timer_->NowUs();
  resp::Value reply = ReadUntimed(op, read_time_ms);
  const std::int64_t took = op_timer_->NowUs() - start;
  if (took >= op_timer_threshold_us_) op_timer_->Slow(op, took);
  return reply;
}

resp::Value StateMachine::ReadUntimed(const Op& op, std::int64_t read_time_ms) const {
  const std::int64_t time_ms = std::max(read_time_ms, applied_.clock_ms);
  if (IsReadOnlyScript(op)) return ReadScript(op, time_ms);
  if (IsRandomRead(op.code)) {
    // Each draw gets its own seed: a client sampling in a loop must not see
    // the same answer twice in a row.
    Op seeded = op;
    std::uint64_t mix = applied_.index ^ (++random_reads_ * 0x9e3779b97f4a7c15ULL);
    seeded.num2 = static_cast<std::int64_t>(SplitMix64(mix));
    return ReadOp(seeded, time_ms);
  }
  return ReadOp(op, time_ms);
}

namespace {

Value StorageError(const Status& s) { return Value::Error("ERR storage: " + s.ToString()); }

// The encoding Redis 7.0 gives a value like this one, with its default
// thresholds, as a value SET or the type's commands made it (Redis keeps a
// converted value converted, and APPEND leaves a string raw; Cairn keeps
// no history and keeps every value as one record).
std::string_view RedisEncoding(const Record& r) {
  // redis-server's built-in defaults (its sample redis.conf lowers the
  // hash one to 128).
  constexpr std::size_t kHashEntries = 512, kZSetEntries = 128, kListpackValue = 64,
                        kIntsetEntries = 512;
  auto is_int = [](std::string_view s) {
    std::int64_t v = 0;
    return s.size() <= 20 && ParseStrictInt64(s, &v);
  };
  switch (r.type) {
    case kTypeHash: {
      const HashFields fields = DecodeHash(r.value);
      const bool small =
          fields.size() <= kHashEntries &&
          std::all_of(fields.begin(), fields.end(), [&](const auto& f) {
            return f.first.size() <= kListpackValue && f.second.size() <= kListpackValue;
          });
      return small ? "listpack" : "hashtable";
    }
    case kTypeSet: {
      const SetMembers members = DecodeSet(r.value);
      const bool ints =
          members.size() <= kIntsetEntries && std::all_of(members.begin(), members.end(), is_int);
      return ints ? "intset" : "hashtable";
    }
    case kTypeZSet: {
      const ZMembers members = DecodeZSet(r.value);
      const bool small = members.size() <= kZSetEntries &&
                         std::all_of(members.begin(), members.end(), [&](const ZMember& m) {
                           return m.member.size() <= kListpackValue;
                         });
      return small ? "listpack" : "skiplist";
    }
    case kTypeList: return "quicklist";
    case kTypeStream: return "stream";
    default: break;
  }
  if (r.value.starts_with("HYLL")) return "raw";  // PFADD makes its strings raw
  if (is_int(r.value)) return "int";
  return r.value.size() <= 44 ? "embstr" : "raw";
}

Value ObjectReply(const Op& op, const Record& r) {
  switch (op.flags) {
    case kObjectEncoding: return Value::Bulk(RedisEncoding(r));
    case kObjectRefCount: {
      // Redis shares the integers 0-9999 among keys and reports them so.
      std::int64_t v = -1;
      const bool shared =
          RedisEncoding(r) == "int" && ParseStrictInt64(r.value, &v) && v >= 0 && v < 10000;
      return Value::Int(shared ? 2147483647 : 1);
    }
    case kObjectFreq:
      return Value::Error(
          "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please "
          "note that when switching between policies at runtime LRU and LFU data will take "
          "some time to adjust.");
    case kObjectIdleTime:
      return Value::Error(
          "ERR Cairn does not track key access times: OBJECT IDLETIME is not supported");
    default: break;
  }
  return Value::Error("ERR not a read command");
}

}  // namespace

std::string_view TypeName(const Record& record) {
  switch (record.type) {
    case kTypeHash: return "hash";
    case kTypeSet: return "set";
    case kTypeList: return "list";
    case kTypeZSet: return "zset";
    case kTypeStream: return "stream";
    default: return "string";
  }
}

Value TimeReply(OpCode code, const Record& r, std::int64_t time_ms) {
  if (r.expire_at_ms == 0) return Value::Int(-1);
  std::int64_t left = std::max<std::int64_t>(r.expire_at_ms - time_ms, 0);
  switch (code) {
    case OpCode::kTtl: return Value::Int((left + 500) / 1000);
    case OpCode::kPttl: return Value::Int(left);
    case OpCode::kExpireTime: return Value::Int(r.expire_at_ms / 1000);
    default: return Value::Int(r.expire_at_ms);
  }
}

Value RangeReply(const std::string* value, std::int64_t start, std::int64_t end) {
  if (value == nullptr || value->empty()) return Value::Bulk("");
  const auto length = static_cast<std::int64_t>(value->size());
  if (start < 0 && end < 0 && start > end) return Value::Bulk("");
  if (start < 0) start += length;
  if (end < 0) end += length;
  start = std::max<std::int64_t>(start, 0);
  end = std::clamp<std::int64_t>(end, 0, length - 1);
  if (start > end) return Value::Bulk("");
  return Value::Bulk(std::string_view(*value).substr(static_cast<std::size_t>(start),
                                                     static_cast<std::size_t>(end - start + 1)));
}

resp::Value StateMachine::ReadOp(const Op& op, std::int64_t time_ms) const {
  auto load = [&](const std::string& key) { return LoadLive(key, time_ms); };
  if (IsSetOp(op.code) || op.code == OpCode::kZCombine || IsStreamOp(op.code) || IsHllOp(op.code) ||
      op.code == OpCode::kSort || op.code == OpCode::kLcs) {
    std::deque<Record> held;  // the loaded records, while ReadSet looks at them
    auto hold = [&](const std::string& key) -> Result<const Record*> {
      CAIRN_ASSIGN_OR_RETURN(std::optional<Record> r, load(key));
      if (!r) return static_cast<const Record*>(nullptr);
      held.push_back(std::move(*r));
      return &held.back();
    };
    if (IsStreamOp(op.code)) return ReadStream(op, hold, time_ms);
    if (IsHllOp(op.code)) return ReadHll(op, hold);
    if (op.code == OpCode::kSort) return ReadSort(op, hold);
    if (op.code == OpCode::kLcs) return ReadLcs(op, hold);
    return IsSetOp(op.code) ? ReadSet(op, hold) : ReadZCombine(op, hold);
  }
  if (IsHashOp(op.code) || IsListOp(op.code) || IsZSetOp(op.code) || IsBitmapOp(op.code)) {
    if (op.args.empty()) return Value::Error("ERR not a read command");
    auto r = load(op.args[0]);
    if (!r.ok()) return StorageError(r.status());
    const Record* rec = *r ? &**r : nullptr;
    if (IsZSetOp(op.code)) return ReadZSet(op, rec);
    if (IsBitmapOp(op.code)) return ReadBitmap(op, rec);
    return IsHashOp(op.code) ? ReadHash(op, rec) : ReadList(op, rec);
  }
  switch (op.code) {
    case OpCode::kDump: {
      if (op.args.size() != 1) break;
      auto r = load(op.args[0]);
      if (!r.ok()) return StorageError(r.status());
      return DumpReply(*r ? &**r : nullptr);
    }
    case OpCode::kObject: {
      if (op.args.size() != 1) break;
      auto r = load(op.args[0]);
      if (!r.ok()) return StorageError(r.status());
      return *r ? ObjectReply(op, **r) : Value::Null();
    }
    case OpCode::kRandomKey: {
      auto r = RandomKey(static_cast<std::uint64_t>(op.num2), time_ms);
      return r.ok() ? std::move(*r) : StorageError(r.status());
    }
    case OpCode::kMemoryUsage: {
      if (op.args.size() != 1) break;
      auto r = load(op.args[0]);
      if (!r.ok()) return StorageError(r.status());
      if (!*r) return Value::Null();
      // What RocksDB holds for it: the stored key and record, plus the
      // per-entry bookkeeping of its files and memtable (about 16 bytes).
      constexpr std::size_t kEntryOverhead = 16;
      return Value::Int(static_cast<std::int64_t>(EngineKey(op.args[0]).size() +
                                                  EncodeRecord(**r).size() + kEntryOverhead));
    }
    case OpCode::kGet: case OpCode::kStrlen: case OpCode::kType: case OpCode::kTtl:
    case OpCode::kPttl: case OpCode::kExpireTime: case OpCode::kPExpireTime: {
      if (op.args.size() != 1) break;
      auto r = load(op.args[0]);
      if (!r.ok()) return StorageError(r.status());
      std::optional<Record>& rec = *r;
      const bool string_read = op.code == OpCode::kGet || op.code == OpCode::kStrlen;
      if (string_read && rec && !rec->is_string()) return Value::Error(errors::kWrongType);
      if (op.code == OpCode::kGet)
        return rec ? Value::BulkOwned(std::move(rec->value)) : Value::Null();
      if (op.code == OpCode::kStrlen) {
        return Value::Int(rec ? static_cast<std::int64_t>(rec->value.size()) : 0);
      }
      if (op.code == OpCode::kType) return Value::Simple(rec ? TypeName(*rec) : "none");
      return rec ? TimeReply(op.code, *rec, time_ms) : Value::Int(-2);
    }
    case OpCode::kExists: {
      std::int64_t n = 0;
      for (const std::string& key : op.args) {
        auto r = load(key);
        if (!r.ok()) return StorageError(r.status());
        if (*r) ++n;
      }
      return Value::Int(n);
    }
    case OpCode::kMGet: {
      Value out = Value::Array();
      out.elems.reserve(op.args.size());
      for (const std::string& key : op.args) {
        auto r = load(key);
        if (!r.ok()) return StorageError(r.status());
        const bool string = *r && (*r)->is_string();  // MGET: nil for other types
        out.elems.push_back(string ? Value::Bulk((*r)->value) : Value::Null());
      }
      return out;
    }
    case OpCode::kGetRange: {
      if (op.args.size() != 1) break;
      auto r = load(op.args[0]);
      if (!r.ok()) return StorageError(r.status());
      if (*r && !(*r)->is_string()) return Value::Error(errors::kWrongType);
      return RangeReply(*r ? &(*r)->value : nullptr, op.num, op.num2);
    }
    case OpCode::kKeys: {
      if (op.args.size() != 1) break;
      auto r = Keys(op.args[0], time_ms);
      return r.ok() ? std::move(*r) : StorageError(r.status());
    }
    case OpCode::kDbSize:
      return Value::Int(static_cast<std::int64_t>(engine_->Count() - ExpiredKeys(time_ms)));
    case OpCode::kScan: {
      auto r = Scan(op, time_ms);
      return r.ok() ? std::move(*r) : StorageError(r.status());
    }
    default: break;
  }
  return Value::Error("ERR not a read command");
}

// KEYS: one pass over the whole keyspace, a page at a time (like Redis, it
// holds the node for as long as that takes; SCAN is the incremental way).
Result<resp::Value> StateMachine::Keys(const std::string& pattern, std::int64_t time_ms) const {
  constexpr std::size_t kPage = 1024;
  Value keys = Value::Array();
  const bool all = pattern == "*";
  std::string from;
  std::vector<std::pair<std::string, std::string>> page;
  while (true) {
    CAIRN_RETURN_IF_ERROR(engine_->Scan(from, kPage, &page));
    for (const auto& [engine_key, bytes] : page) {
      CAIRN_ASSIGN_OR_RETURN(std::string_view key, DecodeEngineKey(engine_key));
      CAIRN_ASSIGN_OR_RETURN(Record r, DecodeRecord(bytes));
      if (!r.LiveAt(time_ms)) continue;
      if (!all && !GlobMatch(pattern, key)) continue;
      keys.elems.push_back(Value::Bulk(key));
    }
    if (page.size() < kPage) return keys;
    from = page.back().first;
    from.push_back('\0');  // the smallest engine key after the last one
  }
}

// RANDOMKEY: one of the 32 live keys at and after a random hash position
// (wrapping around once), drawn evenly; nil if there is none. Keys are
// ordered by hash, and the gaps between hashes are uneven (some keys'
// gaps are hundreds of times others'), so taking the key after the
// position would all but never draw some keys; over a window of 32 a key's
// chance is the mean of 32 gaps, within about a fifth of 1/n. Expired keys
// not yet reclaimed are passed over, as many as there are.
Result<resp::Value> StateMachine::RandomKey(std::uint64_t seed, std::int64_t time_ms) const {
  constexpr std::size_t kWindow = 32;
  std::uint64_t draw = seed;
  std::string start;
  PutFixed64BE(&start, SplitMix64(draw));
  std::string from = start;
  std::vector<std::string> window;
  std::vector<std::pair<std::string, std::string>> page;
  for (bool wrapped = false; window.size() < kWindow;) {
    CAIRN_RETURN_IF_ERROR(engine_->Scan(from, kWindow, &page));
    for (const auto& [engine_key, bytes] : page) {
      if ((wrapped && engine_key >= start) || window.size() == kWindow) break;
      CAIRN_ASSIGN_OR_RETURN(Record r, DecodeRecord(bytes));
      if (!r.LiveAt(time_ms)) continue;
      CAIRN_ASSIGN_OR_RETURN(std::string_view key, DecodeEngineKey(engine_key));
      window.emplace_back(key);
    }
    const bool past_start = wrapped && !page.empty() && page.back().first >= start;
    if (past_start || (wrapped && page.size() < kWindow)) break;
    if (page.size() < kWindow) {
      wrapped = true;
      from.clear();
      continue;
    }
    from = page.back().first;
    from.push_back('\0');
  }
  if (window.empty()) return Value::Null();
  return Value::BulkOwned(std::move(window[SplitMix64(draw) % window.size()]));
}

// Engine keys are ordered by KeyHash, so the cursor is "the next hash to
// visit". Keys sharing a hash are always returned in the same call, so the
// cursor moves strictly forward and nothing present throughout is skipped.
Result<resp::Value> StateMachine::Scan(const Op& op, std::int64_t time_ms) const {
  std::size_t arg = 0;
  const std::string* pattern = (op.flags & kScanMatch) ? &op.args[arg++] : nullptr;
  const std::string* type = (op.flags & kScanType) ? &op.args[arg++] : nullptr;
  std::size_t count = static_cast<std::size_t>(std::clamp<std::int64_t>(op.num2, 1, kScanCountMax));
  std::string from;
  PutFixed64BE(&from, static_cast<std::uint64_t>(op.num));
  std::vector<std::pair<std::string, std::string>> page;
  CAIRN_RETURN_IF_ERROR(engine_->Scan(from, count + 1, &page));
  auto same_hash = [](const std::string& a, const std::string& b) {
    return a.compare(0, 8, b, 0, 8) == 0;
  };
  // If the key after the first `count` shares the last one's hash, read on
  // until the hash changes (only on a 64-bit hash collision).
  while (page.size() > count && same_hash(page[count - 1].first, page.back().first)) {
    std::vector<std::pair<std::string, std::string>> more;
    std::string next = page.back().first;
    next.push_back('\0');
    CAIRN_RETURN_IF_ERROR(engine_->Scan(next, count + 1, &more));
    if (more.empty()) break;
    for (auto& kv : more) page.push_back(std::move(kv));
  }
  std::size_t take = std::min(page.size(), count);
  while (take < page.size() && same_hash(page[take].first, page[take - 1].first)) {
    ++take;
  }
  std::uint64_t cursor = take < page.size() ? GetFixed64BE(page[take].first) : 0;
  Value keys = Value::Array();
  for (std::size_t i = 0; i < take; ++i) {
    CAIRN_ASSIGN_OR_RETURN(std::string_view key, DecodeEngineKey(page[i].first));
    CAIRN_ASSIGN_OR_RETURN(Record r, DecodeRecord(page[i].second));
    if (!r.LiveAt(time_ms)) continue;
    if (pattern && !GlobMatch(*pattern, key)) continue;
    if (type && strcasecmp(type->c_str(), std::string(TypeName(r)).c_str()) != 0) continue;
    keys.elems.push_back(Value::Bulk(key));
  }
  return Value::Array({Value::Bulk(std::to_string(cursor)), std::move(keys)});
}

}  // namespace cairn::kv
