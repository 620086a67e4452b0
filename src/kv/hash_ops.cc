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

HashFields::iterator FindField(HashFields& fields, std::string_view field) {
  return std::find_if(fields.begin(), fields.end(),
                      [&](const auto& fv) { return fv.first == field; });
}

// Writes `fields` back to `key`, keeping `old`'s expiry; no fields left
// deletes the key.
Result<Value> Store(ApplyTxn* txn, const std::string& key, const Record* old,
                    const HashFields& fields, Value reply) {
  if (fields.empty()) {
    CAIRN_RETURN_IF_ERROR(txn->Erase(key));
    return reply;
  }
  std::string bytes = EncodeHash(fields);
  if (bytes.size() > kValueBytesMax) return Value::Error(kHashTooBig);
  const std::int64_t expire = old != nullptr ? old->expire_at_ms : 0;
  CAIRN_RETURN_IF_ERROR(txn->Put(key, std::move(bytes), expire, kTypeHash));
  return reply;
}

std::size_t BytesSize(const std::string& s) { return VarintSize(s.size()) + s.size(); }

// A hash that a log entry's HSETs keep changing, decoded once for all of
// them (ApplyTxn::Decoded), with each field's place at hand. `bytes` bounds
// the encoded size from above: exact when decoded, then each new field
// counts its size and 10 bytes for the count's growth, and each new value
// replaces the old one's size exactly.
struct DecodedHash final : ApplyTxn::Decoded {
  HashFields fields;
  std::unordered_map<std::string, std::size_t> at;  // field -> its place in `fields`
  std::size_t bytes = 0;
  std::string Encode() const override { return EncodeHash(fields); }
  void Load(const Record* r) {
    if (r == nullptr) return;
    fields = DecodeHash(r->value);
    bytes = r->value.size();
    at.reserve(fields.size());
    for (std::size_t i = 0; i < fields.size(); ++i) at.emplace(fields[i].first, i);
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
  if ((op.flags & kHSetNx) && d->at.contains(op.args[1])) return Value::Int(0);
  if (d->bytes + most_added > kValueBytesMax) return Value::Error(kHashTooBig);
  std::int64_t created = 0;
  for (std::size_t i = 1; i + 1 < op.args.size(); i += 2) {
    const std::string& value = op.args[i + 1];
    auto [it, is_new] = d->at.emplace(op.args[i], d->fields.size());
    if (is_new) {
      d->fields.emplace_back(op.args[i], value);
      d->bytes += 10 + BytesSize(op.args[i]) + BytesSize(value);
      ++created;
    } else {
      std::string& current = d->fields[it->second].second;
      d->bytes = d->bytes - BytesSize(current) + BytesSize(value);
      current = value;
    }
  }
  CAIRN_RETURN_IF_ERROR(d.Keep());
  if (op.flags & kHSetNx) return Value::Int(1);
  return (op.flags & kHSetReplyOk) ? Value::Simple("OK") : Value::Int(created);
}

Result<Value> ApplyHDel(ApplyTxn* txn, const Op& op, const Record* old, HashFields fields) {
  if (old == nullptr) return Value::Int(0);
  std::int64_t removed = 0;
  for (std::size_t i = 1; i < op.args.size(); ++i) {
    auto it = FindField(fields, op.args[i]);
    if (it == fields.end()) continue;
    fields.erase(it);
    ++removed;
  }
  if (removed == 0) return Value::Int(0);  // nothing changed: the version stays (WATCH)
  return Store(txn, op.args[0], old, fields, Value::Int(removed));
}

Result<Value> ApplyHIncrBy(ApplyTxn* txn, const Op& op, const Record* old, HashFields fields) {
  auto it = FindField(fields, op.args[1]);
  std::int64_t current = 0;
  if (it != fields.end() && !ParseStrictInt64(it->second, &current)) {
    return Value::Error(kHashValueNotInteger);
  }
  std::int64_t result = 0;
  if (__builtin_add_overflow(current, op.num, &result)) return Value::Error(errors::kOverflow);
  if (it != fields.end()) {
    it->second = std::to_string(result);
  } else {
    fields.emplace_back(op.args[1], std::to_string(result));
  }
  return Store(txn, op.args[0], old, fields, Value::Int(result));
}

Result<Value> ApplyHIncrByFloat(ApplyTxn* txn, const Op& op, const Record* old, HashFields fields) {
  long double increment = 0;
  if (!ParseLongDouble(op.args[2], &increment)) return Value::Error(errors::kNotFloat);
  auto it = FindField(fields, op.args[1]);
  long double current = 0;
  if (it != fields.end() && !ParseLongDouble(it->second, &current)) {
    return Value::Error(kHashValueNotFloat);
  }
  const long double result = current + increment;
  if (std::isnan(result) || std::isinf(result)) return Value::Error(errors::kNanOrInfinity);
  std::string text = FormatLongDouble(result);
  Value reply = Value::Bulk(text);
  if (it != fields.end()) {
    it->second = std::move(text);
  } else {
    fields.emplace_back(op.args[1], std::move(text));
  }
  return Store(txn, op.args[0], old, fields, std::move(reply));
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
  if (op.code == OpCode::kHSet) return ApplyHSet(txn, op);
  CAIRN_ASSIGN_OR_RETURN(const Record* old, txn->LiveRecord(op.args[0]));
  if (old != nullptr && old->type != kTypeHash) return Value::Error(errors::kWrongType);
  // `old` stays valid until the Put or Erase in Store.
  HashFields fields = old != nullptr ? DecodeHash(old->value) : HashFields();
  switch (op.code) {
    case OpCode::kHDel: return ApplyHDel(txn, op, old, std::move(fields));
    case OpCode::kHIncrBy: return ApplyHIncrBy(txn, op, old, std::move(fields));
    case OpCode::kHIncrByFloat: return ApplyHIncrByFloat(txn, op, old, std::move(fields));
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
