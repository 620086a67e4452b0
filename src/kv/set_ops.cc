// The set commands (SADD, SMEMBERS, SINTER...): their semantics on apply and
// on read, following Redis 7.0. A set is one record (kv/set.h).
#include <algorithm>
#include <functional>
#include <memory>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include "common/random.h"
#include "kv/apply_txn.h"
#include "kv/coding.h"
#include "kv/errors.h"
#include "kv/glob.h"
#include "kv/random_draw.h"

namespace cairn::kv {
namespace {

using resp::Value;

// Cairn's own: a set is one record, capped like a string value.
constexpr std::string_view kSetTooBig =
    "ERR set exceeds the maximum record size (512 MiB) in Cairn";

bool Contains(const SetMembers& members, std::string_view m) {
  return std::find(members.begin(), members.end(), m) != members.end();
}

Value SetReply(SetMembers members) {
  Value out = Value::Set();
  out.elems.reserve(members.size());
  for (std::string& m : members) out.elems.push_back(Value::BulkOwned(std::move(m)));
  return out;
}

// Writes `members` to `key` with `expire_at_ms`; none left deletes the key.
Status Store(ApplyTxn* txn, const std::string& key, const SetMembers& members,
             std::int64_t expire_at_ms, bool* too_big) {
  *too_big = false;
  if (members.empty()) return txn->Erase(key);
  std::string bytes = EncodeSet(members);
  if (bytes.size() > kValueBytesMax) {
    *too_big = true;
    return Status::Ok();
  }
  return txn->Put(key, std::move(bytes), expire_at_ms, kTypeSet);
}

// A set that a log entry's SADDs and SREMs keep changing, decoded once for
// all of them (ApplyTxn::Decoded), with its members hashed. A removed
// member stays in `members` as a tombstone (`gone`), so the others keep
// their order. `bytes` bounds the encoded size from above: exact when
// decoded, then each new member counts its size and 10 bytes for the
// count's growth, and each removed one takes its size off.
struct DecodedSet final : ApplyTxn::Decoded {
  SetMembers members;
  std::vector<bool> gone;                           // per place in `members`
  std::unordered_map<std::string, std::size_t> at;  // live member -> its place
  std::size_t bytes = 0;

  bool Empty() const override { return at.empty(); }
  std::string Encode() const override {
    std::string out;
    out.reserve(bytes);
    PutVarint(&out, at.size());
    for (std::size_t i = 0; i < members.size(); ++i) {
      if (!gone[i]) PutBytes(&out, members[i]);
    }
    return out;
  }
  void Load(const Record* r) {
    if (r == nullptr) return;
    members = DecodeSet(r->value);
    gone.assign(members.size(), false);
    bytes = r->value.size();
    at.reserve(members.size());
    for (std::size_t i = 0; i < members.size(); ++i) at.emplace(members[i], i);
  }
  bool Add(const std::string& m) {
    if (!at.emplace(m, members.size()).second) return false;
    members.push_back(m);
    gone.push_back(false);
    bytes += 10 + m.size();
    return true;
  }
  bool Remove(const std::string& m) {
    auto it = at.find(m);
    if (it == at.end()) return false;
    bytes -= m.size();
    gone[it->second] = true;
    std::string().swap(members[it->second]);
    at.erase(it);
    return true;
  }
  // SPOP's draw (the replicated state depends on it: never change it): a
  // Fisher-Yates over the live members in stored order, seeded by the
  // entry's index and the key; member i of the order swaps with a later
  // one j and is taken, and the rest keep the order the swaps leave. Done
  // here by swapping the members between their places, so the value stays
  // as the same draw over a plain list would leave it. O(live members) to
  // list their places, not a decode and an encode of the set.
  std::vector<std::string> Pop(std::uint64_t count, std::uint64_t index, std::string_view key) {
    std::vector<std::size_t> live;
    live.reserve(at.size());
    for (std::size_t i = 0; i < members.size(); ++i) {
      if (!gone[i]) live.push_back(i);
    }
    Xoshiro256 rng(index ^ KeyHash(key));
    count = std::min<std::uint64_t>(count, live.size());
    std::vector<std::string> popped;
    popped.reserve(count);
    for (std::uint64_t i = 0; i < count; ++i) {
      const std::size_t j = i + rng.Uniform(live.size() - i);
      if (j != i) {
        std::string& a = members[live[i]];
        std::string& b = members[live[j]];
        std::swap(a, b);
        at[a] = live[i];
        at[b] = live[j];
      }
      popped.push_back(members[live[i]]);
      Remove(popped.back());
    }
    return popped;
  }
};

// SADD and SREM. SADD's members are sized before anything changes: a
// refused SADD changes nothing.
Result<Value> ApplySAddOrRem(ApplyTxn* txn, const Op& op) {
  const std::string& key = op.args[0];
  const bool add = op.code == OpCode::kSAdd;
  std::size_t most_added = 0;
  for (std::size_t i = 1; add && i < op.args.size(); ++i) most_added += 10 + op.args[i].size();
  CAIRN_ASSIGN_OR_RETURN(auto d, DecodedValue<DecodedSet>::Open(txn, key, kTypeSet));
  if (d.wrong_type()) return Value::Error(errors::kWrongType);
  if (d->bytes + most_added > kValueBytesMax) return Value::Error(kSetTooBig);
  std::int64_t changed = 0;
  for (std::size_t i = 1; i < op.args.size(); ++i) {
    if (add ? d->Add(op.args[i]) : d->Remove(op.args[i])) ++changed;
  }
  if (changed == 0) {  // nothing changed: the version stays (WATCH)
    CAIRN_RETURN_IF_ERROR(d.KeepUnchanged());
    return Value::Int(0);
  }
  CAIRN_RETURN_IF_ERROR(d.Keep());  // (none left: the key is deleted)
  return Value::Int(changed);
}

// SMOVE, on both sets kept decoded (as SADD's and SREM's are), so a run of
// moves between two large sets costs each move O(1), not a decode and an
// encode of both. Redis's order: a missing source is 0 before any type
// check; the destination's size is checked before either set changes.
Result<Value> ApplySMove(ApplyTxn* txn, const Op& op) {
  const std::string& member = op.args[2];
  CAIRN_ASSIGN_OR_RETURN(auto from, DecodedValue<DecodedSet>::Open(txn, op.args[0], kTypeSet));
  if (!from.wrong_type() && from.absent()) return Value::Int(0);
  CAIRN_ASSIGN_OR_RETURN(auto to, DecodedValue<DecodedSet>::Open(txn, op.args[1], kTypeSet));
  if (from.wrong_type() || to.wrong_type()) return Value::Error(errors::kWrongType);
  const bool present = from->at.contains(member);
  if (op.args[0] == op.args[1] || !present) {  // nothing changes
    CAIRN_RETURN_IF_ERROR(from.KeepUnchanged());
    return Value::Int(present ? 1 : 0);
  }
  const bool add = !to->at.contains(member);
  if (add && to->bytes + 10 + member.size() > kValueBytesMax) return Value::Error(kSetTooBig);
  from->Remove(member);
  CAIRN_RETURN_IF_ERROR(from.Keep());  // (none left: the key is deleted)
  if (!add) return Value::Int(1);
  to->Add(member);
  CAIRN_RETURN_IF_ERROR(to.Keep());
  return Value::Int(1);
}

// The sets named by `keys` (absent: empty), or WRONGTYPE if any key holds
// another type; then their intersection, union or difference (`how`), in
// the first set's order (then each later set's, for a union).
template <typename Load>
Result<Value> Combine(const std::vector<std::string>& keys, std::size_t first, std::uint32_t how,
                      Load load, SetMembers* out) {
  std::vector<std::optional<SetMembers>> sets;
  sets.reserve(keys.size() - first);
  for (std::size_t i = first; i < keys.size(); ++i) {
    CAIRN_ASSIGN_OR_RETURN(const Record* r, load(keys[i]));
    if (r != nullptr && r->type != kTypeSet) return Value::Error(errors::kWrongType);
    sets.push_back(r != nullptr ? std::optional<SetMembers>(DecodeSet(r->value)) : std::nullopt);
  }
  out->clear();
  if (how == kSetUnion) {
    std::unordered_set<std::string> seen;
    for (auto& s : sets) {
      if (!s) continue;
      for (std::string& m : *s) {
        if (seen.insert(m).second) out->push_back(std::move(m));
      }
    }
    return Value::Null();
  }
  if (!sets[0]) return Value::Null();  // nothing to intersect with or subtract from
  std::vector<std::unordered_set<std::string_view>> others;
  for (std::size_t i = 1; i < sets.size(); ++i) {
    if (!sets[i]) {
      if (how == kSetInter) return Value::Null();  // an absent key is an empty set
      continue;
    }
    others.emplace_back(sets[i]->begin(), sets[i]->end());
  }
  for (std::string& m : *sets[0]) {
    bool keep = true;
    for (const auto& o : others) {
      const bool in = o.contains(m);
      if ((how == kSetInter && !in) || (how == kSetDiff && in)) {
        keep = false;
        break;
      }
    }
    if (keep) out->push_back(std::move(m));
  }
  return Value::Null();
}

Value ScanReply(const Op& op, const Record* rec) {
  if (rec == nullptr) return Value::Array({Value::Bulk("0"), Value::Array()});
  if (op.flags & kHScanBadOption) {
    return Value::Error(op.num2 == 0 ? errors::kNotInteger : errors::kSyntax);
  }
  // Every member in one reply, cursor 0, as HSCAN (hash_ops.cc says why).
  const std::string* pattern = (op.flags & kScanMatch) ? &op.args[1] : nullptr;
  Value items = Value::Array();
  for (std::string& m : DecodeSet(rec->value)) {
    if (pattern == nullptr || GlobMatch(*pattern, m))
      items.elems.push_back(Value::BulkOwned(std::move(m)));
  }
  return Value::Array({Value::Bulk("0"), std::move(items)});
}

}  // namespace

Result<Value> ApplySetWrite(ApplyTxn* txn, const Op& op) {
  auto load = [txn](const std::string& key) { return txn->LiveRecord(key); };
  bool too_big = false;
  if (op.code == OpCode::kSStore) {
    SetMembers result;
    CAIRN_ASSIGN_OR_RETURN(Value error, Combine(op.args, 1, op.flags, load, &result));
    if (error.is_error()) return error;
    CAIRN_RETURN_IF_ERROR(Store(txn, op.args[0], result, 0, &too_big));
    if (too_big) return Value::Error(kSetTooBig);
    return Value::Int(static_cast<std::int64_t>(result.size()));
  }
  if (op.code == OpCode::kSMove) return ApplySMove(txn, op);
  if (op.code == OpCode::kSAdd || op.code == OpCode::kSRem) return ApplySAddOrRem(txn, op);
  if (op.code != OpCode::kSPop) return Status::InvalidArgument("kv: not a set write op");
  // SPOP, on the set kept decoded for the entry (a run of pops on a large
  // set no longer decodes and encodes it once each).
  const std::string& key = op.args[0];
  CAIRN_ASSIGN_OR_RETURN(auto d, DecodedValue<DecodedSet>::Open(txn, key, kTypeSet));
  if (d.wrong_type()) return Value::Error(errors::kWrongType);
  const bool with_count = op.flags & kSPopCount;
  if (d.absent()) return with_count ? Value::Set() : Value::Null();
  const std::uint64_t count = with_count ? static_cast<std::uint64_t>(op.num) : 1;
  if (count == 0) return Value::Set();
  std::vector<std::string> popped = d->Pop(count, txn->index(), key);
  CAIRN_RETURN_IF_ERROR(d.Keep());  // (none left: the key is deleted)
  if (!with_count) return Value::BulkOwned(std::move(popped[0]));
  return SetReply(std::move(popped));
}

Value ReadSet(const Op& op, const std::function<Result<const Record*>(const std::string&)>& load) {
  if (op.code == OpCode::kSCombine) {
    SetMembers result;
    Result<Value> error = Combine(op.args, 0, op.flags & ~kSetCard, load, &result);
    if (!error.ok()) return Value::Error("ERR storage: " + error.status().ToString());
    if (error->is_error()) return std::move(*error);
    if (op.flags & kSetCard) {  // SINTERCARD
      const auto n = static_cast<std::int64_t>(result.size());
      return Value::Int(op.num > 0 ? std::min(n, op.num) : n);
    }
    return SetReply(std::move(result));
  }
  Result<const Record*> loaded = load(op.args[0]);
  if (!loaded.ok()) return Value::Error("ERR storage: " + loaded.status().ToString());
  const Record* rec = *loaded;
  if (rec != nullptr && rec->type != kTypeSet) return Value::Error(errors::kWrongType);
  SetMembers members = rec != nullptr ? DecodeSet(rec->value) : SetMembers();
  switch (op.code) {
    case OpCode::kSIsMember: return Value::Int(Contains(members, op.args[1]) ? 1 : 0);
    case OpCode::kSMIsMember: {
      Value out = Value::Array();
      for (std::size_t i = 1; i < op.args.size(); ++i) {
        out.elems.push_back(Value::Int(Contains(members, op.args[i]) ? 1 : 0));
      }
      return out;
    }
    case OpCode::kSCard: return Value::Int(static_cast<std::int64_t>(members.size()));
    case OpCode::kSMembers: return SetReply(std::move(members));
    case OpCode::kSScan: return ScanReply(op, rec);
    case OpCode::kSRandMember:
      return RandomReply(
          op, members.size(), [&](std::size_t i) { return Value::Bulk(members[i]); }, nullptr);
    default: break;
  }
  return Value::Error("ERR not a set read command");
}

}  // namespace cairn::kv
