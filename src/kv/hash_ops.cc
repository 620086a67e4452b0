// The hash commands (HSET, HGET, ...): their semantics on apply and on read,
// following Redis 7.0. A hash is one record (kv/hash.h).
#include <algorithm>
#include <cmath>
#include <memory>
#include <unordered_map>

#include "kv/apply_txn.h"
#include "kv/coding.h"
#include "kv/errors.h"
#include "kv/glob.h"
#include "kv/parse.h"
#include "kv/random_draw.h"

namespace cairn::kv {
namespace {

using resp::Value;

constexpr std::string_view kHashValueNotInteger = "ERR hash value is not an integer";
constexpr std::string_view kHashValueNotFloat = "ERR hash value is not a float";
// Cairn's own: a hash is one record, capped like a string value.
constexpr std::string_view kHashTooBig =
    "ERR hash exceeds the maximum record size (512 MiB) in Cairn";

std::size_t BytesSize(const std::string& s) { return VarintSize(s.size()) + s.size(); }

// A hash that a log entry's writes keep changing, decoded once for all of
// them (ApplyTxn::Decoded), with each field's place at hand. A removed
// field stays in `fields` as a tombstone (`gone`), so no other field moves
// and the order stays that of the fields' first sets. `bytes` bounds the
// encoded size from above: exact when decoded, then each new field counts
// its size and 10 bytes for the count's growth, each new value replaces the
// old one's size exactly, and a removed field takes its pair's size off.
struct DecodedHash final : ApplyTxn::Decoded {
  HashFields fields;
  std::vector<bool> gone;                           // per place in `fields`
  std::unordered_map<std::string, std::size_t> at;  // live field -> its place
  std::size_t bytes = 0;

  bool Empty() const override { return at.empty(); }
  std::string Encode() const override {
    std::string out;
    out.reserve(bytes);
    PutVarint(&out, at.size());
    for (std::size_t i = 0; i < fields.size(); ++i) {
      if (gone[i]) continue;
      PutBytes(&out, fields[i].first);
      PutBytes(&out, fields[i].second);
    }
    return out;
  }
  void Load(const Record* r) {
    if (r == nullptr) return;
    fields = DecodeHash(r->value);
    gone.assign(fields.size(), false);
    bytes = r->value.size();
    at.reserve(fields.size());
    for (std::size_t i = 0; i < fields.size(); ++i) at.emplace(fields[i].first, i);
  }
  // The value of `field`, or nullptr.
  std::string* Find(const std::string& field) {
    auto it = at.find(field);
    return it == at.end() ? nullptr : &fields[it->second].second;
  }
  // Sets `field` to `value`; true if the field is new.
  bool Set(const std::string& field, std::string value) {
    auto [it, is_new] = at.emplace(field, fields.size());
    if (is_new) {
      bytes += 10 + BytesSize(field) + BytesSize(value);
      fields.emplace_back(field, std::move(value));
      gone.push_back(false);
    } else {
      std::string& current = fields[it->second].second;
      bytes = bytes - BytesSize(current) + BytesSize(value);
      current = std::move(value);
    }
    return is_new;
  }
  bool Remove(const std::string& field) {
    auto it = at.find(field);
    if (it == at.end()) return false;
    auto& [f, v] = fields[it->second];
    bytes -= BytesSize(f) + BytesSize(v);
    gone[it->second] = true;
    f.clear();
    f.shrink_to_fit();
    v.clear();
    v.shrink_to_fit();
    at.erase(it);
    return true;
  }
};

// HSET, HMSET and HSETNX. Every pair is sized before anything changes: a
// refused HSET changes nothing.
Result<Value> ApplyHSet(ApplyTxn* txn, const Op& op) {
  const std::string& key = op.args[0];
  std::size_t most_added = 0;  // as if every field were new
  for (std::size_t i = 1; i + 1 < op.args.size(); i += 2) {
    most_added += 10 + BytesSize(op.args[i]) + BytesSize(op.args[i + 1]);
  }
  CAIRN_ASSIGN_OR_RETURN(auto d, DecodedValue<DecodedHash>::Open(txn, key, kTypeHash));
  if (d.wrong_type()) return Value::Error(errors::kWrongType);
  if ((op.flags & kHSetNx) && d->at.contains(op.args[1])) {
    CAIRN_RETURN_IF_ERROR(d.KeepUnchanged());
    return Value::Int(0);
  }
  if (d->bytes + most_added > kValueBytesMax) return Value::Error(kHashTooBig);
  std::int64_t created = 0;
  for (std::size_t i = 1; i + 1 < op.args.size(); i += 2) {
    if (d->Set(op.args[i], op.args[i + 1])) ++created;
  }
  CAIRN_RETURN_IF_ERROR(d.Keep());
  if (op.flags & kHSetNx) return Value::Int(1);
  return (op.flags & kHSetReplyOk) ? Value::Simple("OK") : Value::Int(created);
}

Result<Value> ApplyHDel(ApplyTxn* txn, const Op& op) {
  CAIRN_ASSIGN_OR_RETURN(auto d, DecodedValue<DecodedHash>::Open(txn, op.args[0], kTypeHash));
  if (d.wrong_type()) return Value::Error(errors::kWrongType);
  std::int64_t removed = 0;
  for (std::size_t i = 1; i < op.args.size(); ++i) {
    if (d->Remove(op.args[i])) ++removed;
  }
  if (removed == 0) {  // nothing changed: the version stays (WATCH)
    CAIRN_RETURN_IF_ERROR(d.KeepUnchanged());
    return Value::Int(0);
  }
  CAIRN_RETURN_IF_ERROR(d.Keep());  // (none left: the key is deleted)
  return Value::Int(removed);
}

// HINCRBY and HINCRBYFLOAT: the new value's text, or the error reply.
Result<Value> ApplyHIncr(ApplyTxn* txn, const Op& op) {
  std::string text;
  long double increment = 0;
  if (op.code == OpCode::kHIncrByFloat && !ParseLongDouble(op.args[2], &increment)) {
    return Value::Error(errors::kNotFloat);
  }
  CAIRN_ASSIGN_OR_RETURN(auto d, DecodedValue<DecodedHash>::Open(txn, op.args[0], kTypeHash));
  if (d.wrong_type()) return Value::Error(errors::kWrongType);
  const std::string* current = d->Find(op.args[1]);
  Value reply;
  if (op.code == OpCode::kHIncrBy) {
    std::int64_t n = 0;
    if (current != nullptr && !ParseStrictInt64(*current, &n)) {
      return Value::Error(kHashValueNotInteger);
    }
    std::int64_t result = 0;
    if (__builtin_add_overflow(n, op.num, &result)) return Value::Error(errors::kOverflow);
    text = std::to_string(result);
    reply = Value::Int(result);
  } else {
    long double n = 0;
    if (current != nullptr && !ParseLongDouble(*current, &n)) {
      return Value::Error(kHashValueNotFloat);
    }
    const long double result = n + increment;
    if (std::isnan(result) || std::isinf(result)) return Value::Error(errors::kNanOrInfinity);
    text = FormatLongDouble(result);
    reply = Value::Bulk(text);
  }
  const std::size_t most = 10 + BytesSize(op.args[1]) + BytesSize(text);
  if (d->bytes + most > kValueBytesMax) return Value::Error(kHashTooBig);
  d->Set(op.args[1], std::move(text));
  CAIRN_RETURN_IF_ERROR(d.Keep());
  return reply;
}

Value ReadHScan(const Op& op, const Record* rec) {
  if (rec == nullptr) return Value::Array({Value::Bulk("0"), Value::Array()});
  if (op.flags & kHScanBadOption) {
    return Value::Error(op.num2 == 0 ? errors::kNotInteger : errors::kSyntax);
  }
  // Every field in one reply, cursor 0, whatever COUNT says (Redis does the
  // same for small hashes). A cursor into the field order could skip fields
  // when an earlier one is deleted between calls; this never does.
  const std::string* pattern = (op.flags & kScanMatch) ? &op.args[1] : nullptr;
  Value items = Value::Array();
  HashView view(rec->value);
  std::string_view f;
  std::string_view v;
  while (view.Next(&f, &v)) {
    if (pattern != nullptr && !GlobMatch(*pattern, f)) continue;
    items.elems.push_back(Value::Bulk(f));
    items.elems.push_back(Value::Bulk(v));
  }
  return Value::Array({Value::Bulk("0"), std::move(items)});
}

}  // namespace

Result<Value> ApplyHashWrite(ApplyTxn* txn, const Op& op) {
  switch (op.code) {
    case OpCode::kHSet: return ApplyHSet(txn, op);
    case OpCode::kHDel: return ApplyHDel(txn, op);
    case OpCode::kHIncrBy:
    case OpCode::kHIncrByFloat: return ApplyHIncr(txn, op);
    default: break;
  }
  return Status::InvalidArgument("kv: not a hash write op");
}

Value ReadHash(const Op& op, const Record* rec) {
  if (rec != nullptr && rec->type != kTypeHash) return Value::Error(errors::kWrongType);
  std::string_view value;
  switch (op.code) {
    case OpCode::kHGet:
      if (rec == nullptr || !HashView(rec->value).Find(op.args[1], &value)) return Value::Null();
      return Value::Bulk(value);
    case OpCode::kHExists:
      return Value::Int(rec != nullptr && HashView(rec->value).Find(op.args[1], &value) ? 1 : 0);
    case OpCode::kHStrlen:
      if (rec == nullptr || !HashView(rec->value).Find(op.args[1], &value)) return Value::Int(0);
      return Value::Int(static_cast<std::int64_t>(value.size()));
    case OpCode::kHLen:
      return Value::Int(rec == nullptr ? 0
                                       : static_cast<std::int64_t>(HashView(rec->value).size()));
    case OpCode::kHMGet: {
      Value out = Value::Array();
      out.elems.reserve(op.args.size() - 1);
      for (std::size_t i = 1; i < op.args.size(); ++i) {
        if (rec != nullptr && HashView(rec->value).Find(op.args[i], &value)) {
          out.elems.push_back(Value::Bulk(value));
        } else {
          out.elems.push_back(Value::Null());
        }
      }
      return out;
    }
    case OpCode::kHGetAll:
    case OpCode::kHKeys:
    case OpCode::kHVals: {
      Value out = op.code == OpCode::kHGetAll ? Value::Map() : Value::Array();
      if (rec == nullptr) return out;
      HashView view(rec->value);
      out.elems.reserve(op.code == OpCode::kHGetAll ? 2 * view.size() : view.size());
      std::string_view f;
      while (view.Next(&f, &value)) {
        if (op.code != OpCode::kHVals) out.elems.push_back(Value::Bulk(f));
        if (op.code != OpCode::kHKeys) out.elems.push_back(Value::Bulk(value));
      }
      return out;
    }
    case OpCode::kHScan: return ReadHScan(op, rec);
    case OpCode::kHRandField: {
      const HashFields fields = rec != nullptr ? DecodeHash(rec->value) : HashFields();
      return RandomReply(
          op, fields.size(), [&](std::size_t i) { return Value::Bulk(fields[i].first); },
          [&](std::size_t i) { return Value::Bulk(fields[i].second); });
    }
    default: break;
  }
  return Value::Error("ERR not a hash read command");
}

}  // namespace cairn::kv
