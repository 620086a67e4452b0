// The HyperLogLog commands (PFADD, PFCOUNT, PFMERGE), following Redis 7.0.
// A HyperLogLog is a string in Redis's format (kv/hyperloglog.h): GET
// returns it, SET of one read from Redis makes one.
//
// Unlike Redis, PFCOUNT never writes. Redis marks the count cached in the
// header stale on every change and stores it on the next PFCOUNT (a write
// its callers do not see, but GET, WATCH and replication do); Cairn stores
// it fresh with every change it makes (once per log entry, however many
// PFADDs the entry holds), so PFCOUNT of one key reads it from the header.
// The count is the same; GET shows the header's bytes 8-15 differ.
#include <functional>
#include <memory>

#include "kv/apply_txn.h"
#include "kv/errors.h"
#include "kv/hyperloglog.h"

namespace cairn::kv {
namespace {

using resp::Value;

// A HyperLogLog that a log entry's PFADDs keep changing, parsed once for all
// of them (ApplyTxn::Decoded). A string that is not one is loaded as
// `invalid` (why), answered with an error and never kept.
struct DecodedHll final : ApplyTxn::Decoded {
  Hll hll;
  HllParse invalid = HllParse::kOk;
  std::string Encode() const override {
    Hll counted = hll;
    counted.StoreCount();
    return counted.Encode();
  }
  void Load(const Record* r) {
    if (r != nullptr) invalid = ParseHll(r->value, &hll);  // (none: a new, empty sparse value)
  }
};

Value ParseError(HllParse p) {
  return Value::Error(p == HllParse::kNotHll ? kHllNotValid : kHllCorrupt);
}

// PFADD. Without elements Redis 7.0 reads no register, so only the header
// of an existing value is checked. With elements, a value whose sparse runs
// do not add up is refused whole (INVALIDOBJ); Redis edits the runs in
// place and may still change one that the corruption lies beyond.
Result<Value> ApplyPfAdd(ApplyTxn* txn, const Op& op) {
  if (op.args.size() == 1) {
    CAIRN_ASSIGN_OR_RETURN(const Record* r, txn->LiveRecord(op.args[0]));
    if (r != nullptr) {
      if (!r->is_string()) return Value::Error(errors::kWrongType);
      const HllParse p = CheckHllHeader(r->value);
      return p == HllParse::kOk ? Value::Int(0) : ParseError(p);
    }
  }
  CAIRN_ASSIGN_OR_RETURN(auto d, DecodedValue<DecodedHll>::Open(txn, op.args[0], kTypeString));
  if (d.wrong_type()) return Value::Error(errors::kWrongType);
  if (d->invalid != HllParse::kOk) return ParseError(d->invalid);
  bool updated = false;
  for (std::size_t i = 1; i < op.args.size(); ++i) {
    if (!d->hll.Add(op.args[i])) continue;
    updated = true;
    d->hll.Promote();
  }
  // A new key is a change even with no elements. (The count in the header
  // is stored fresh when the value is encoded.)
  if (!updated && !d.absent()) {  // the version stays (WATCH)
    CAIRN_RETURN_IF_ERROR(d.KeepUnchanged());
    return Value::Int(0);
  }
  CAIRN_RETURN_IF_ERROR(d.Keep());
  return Value::Int(1);
}

// The union of `keys`' registers into *out (absent keys add nothing), or
// the error reply of the first that is not a HyperLogLog. *any_dense says
// whether one of them was dense.
template <typename Load>
Result<Value> Union(const std::vector<std::string>& keys, Load load, Hll* out, bool* any_dense) {
  for (const std::string& key : keys) {
    CAIRN_ASSIGN_OR_RETURN(const Record* r, load(key));
    if (r == nullptr) continue;
    if (!r->is_string()) return Value::Error(errors::kWrongType);
    Hll one;
    const HllParse p = ParseHll(r->value, &one);
    if (p != HllParse::kOk) return ParseError(p);
    out->Merge(one);
    *any_dense = *any_dense || one.dense;
  }
  return Value::Null();
}

// PFMERGE, as Redis 7.0.15: the union of every key named, the destination
// too, into the destination, which keeps its header (the cache bytes,
// marked stale) and its expiry. It turns dense if any input was dense;
// otherwise it stays sparse while it fits, judged on the merged registers
// (Redis sets them one by one and may turn dense at one on the way; the
// sparse form of later ones is rarely shorter).
Result<Value> ApplyPfMerge(ApplyTxn* txn, const Op& op) {
  Hll merged;
  bool any_dense = false;
  CAIRN_ASSIGN_OR_RETURN(
      Value error, Union(
                       op.args, [txn](const std::string& k) { return txn->LiveRecord(k); }, &merged,
                       &any_dense));
  if (error.is_error()) return error;
  CAIRN_ASSIGN_OR_RETURN(const Record* dest, txn->LiveRecord(op.args[0]));
  Hll out;
  std::int64_t expire = 0;
  if (dest != nullptr) {
    ParseHll(dest->value, &out);  // Union checked it
    expire = dest->expire_at_ms;
  }
  out.registers = merged.registers;
  out.sparse_bound = SIZE_MAX;
  out.dense = any_dense;
  out.Promote();
  out.StoreCount();
  CAIRN_RETURN_IF_ERROR(txn->Put(op.args[0], out.Encode(), expire, kTypeString));
  return Value::Simple("OK");
}

}  // namespace

Result<Value> ApplyHllWrite(ApplyTxn* txn, const Op& op) {
  if (op.code == OpCode::kPfAdd) return ApplyPfAdd(txn, op);
  if (op.code == OpCode::kPfMerge) return ApplyPfMerge(txn, op);
  return Status::InvalidArgument("kv: not a HyperLogLog write op");
}

Value ReadHll(const Op& op, const std::function<Result<const Record*>(const std::string&)>& load) {
  if (op.code != OpCode::kPfCount) return Value::Error("ERR not a HyperLogLog read command");
  if (op.args.size() == 1) {  // one key: its cached count if it is fresh, as Redis
    Result<const Record*> r = load(op.args[0]);
    if (!r.ok()) return Value::Error("ERR storage: " + r.status().ToString());
    if (*r == nullptr) return Value::Int(0);
    if (!(*r)->is_string()) return Value::Error(errors::kWrongType);
    const std::string& bytes = (*r)->value;
    if (CheckHllHeader(bytes) != HllParse::kOk) return ParseError(HllParse::kNotHll);
    if (std::optional<std::uint64_t> cached = CachedHllCount(bytes)) {
      return Value::Int(static_cast<std::int64_t>(*cached));
    }
    Hll hll;
    const HllParse p = ParseHll(bytes, &hll);
    if (p != HllParse::kOk) return ParseError(p);
    return Value::Int(static_cast<std::int64_t>(hll.Count()));
  }
  Hll merged;
  bool any_dense = false;
  Result<Value> error = Union(op.args, load, &merged, &any_dense);
  if (!error.ok()) return Value::Error("ERR storage: " + error.status().ToString());
  if (error->is_error()) return std::move(*error);
  return Value::Int(static_cast<std::int64_t>(merged.Count()));
}

}  // namespace cairn::kv
