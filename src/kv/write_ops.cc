// StateMachine::ApplyOp: the semantics of each write Op, following Redis 7.0.
#include <algorithm>
#include <cmath>
#include <limits>

#include "kv/apply_txn.h"
#include "kv/errors.h"
#include "kv/keyspace_events.h"
#include "kv/parse.h"

namespace cairn::kv {
namespace {

using resp::Value;

// The string commands reply WRONGTYPE on a key of another type, except
// those that only replace a key or test whether it exists (SET without GET,
// MSET, SETNX, MSETNX).
bool WrongType(const Record* r) { return r != nullptr && !r->is_string(); }
bool WrongType(const std::optional<Record>& r) { return r && !r->is_string(); }

Result<Value> ApplySet(ApplyTxn* txn, const Op& op) {
  const std::string& key = op.args[0];
  // `old` points into the transaction: read it before the Put below.
  CAIRN_ASSIGN_OR_RETURN(const Record* old, txn->LiveRecord(key));
  bool get = op.flags & kSetGet;
  if (get && WrongType(old)) return Value::Error(errors::kWrongType);
  Value old_reply = get && old ? Value::Bulk(old->value) : Value::Null();
  if (((op.flags & kSetNx) && old) || ((op.flags & kSetXx) && !old)) {
    if (op.flags & kSetReplyInt) return Value::Int(0);
    return get ? old_reply : Value::Null();
  }
  std::int64_t expire = 0;
  if (op.flags & kSetExpire) {
    expire = op.num;
  } else if ((op.flags & kSetKeepTtl) && old) {
    expire = old->expire_at_ms;
  }
  CAIRN_RETURN_IF_ERROR(txn->Put(key, op.args[1], expire));
  if (op.flags & kSetReplyInt) return Value::Int(1);
  return get ? old_reply : Value::Simple("OK");
}

Result<Value> ApplyDel(ApplyTxn* txn, const Op& op) {
  std::int64_t removed = 0;
  for (const std::string& key : op.args) {
    CAIRN_ASSIGN_OR_RETURN(std::optional<Record> old, txn->Live(key));
    if (!old) continue;
    CAIRN_RETURN_IF_ERROR(txn->Erase(key));
    ++removed;
  }
  return Value::Int(removed);
}

Result<Value> ApplyIncrBy(ApplyTxn* txn, const Op& op) {
  const std::string& key = op.args[0];
  CAIRN_ASSIGN_OR_RETURN(std::optional<Record> old, txn->Live(key));
  if (WrongType(old)) return Value::Error(errors::kWrongType);
  std::int64_t current = 0;
  if (old && !ParseStrictInt64(old->value, &current)) return Value::Error(errors::kNotInteger);
  std::int64_t result = 0;
  if (__builtin_add_overflow(current, op.num, &result)) return Value::Error(errors::kOverflow);
  CAIRN_RETURN_IF_ERROR(txn->Put(key, std::to_string(result), old ? old->expire_at_ms : 0));
  return Value::Int(result);
}

Result<Value> ApplyAppend(ApplyTxn* txn, const Op& op) {
  const std::string& key = op.args[0];
  CAIRN_ASSIGN_OR_RETURN(std::optional<Record> old, txn->Live(key));
  if (WrongType(old)) return Value::Error(errors::kWrongType);
  std::size_t old_size = old ? old->value.size() : 0;
  if (old_size + op.args[1].size() > kValueBytesMax) return Value::Error(errors::kTooBig);
  std::string value = old ? std::move(old->value) : std::string();
  value.append(op.args[1]);
  auto length = static_cast<std::int64_t>(value.size());
  CAIRN_RETURN_IF_ERROR(txn->Put(key, std::move(value), old ? old->expire_at_ms : 0));
  return Value::Int(length);
}

Result<Value> ApplyMSet(ApplyTxn* txn, const Op& op) {
  for (std::size_t i = 0; i + 1 < op.args.size(); i += 2) {
    CAIRN_RETURN_IF_ERROR(txn->Put(op.args[i], op.args[i + 1], 0));
  }
  return Value::Simple("OK");
}

Result<Value> ApplyExpireAt(ApplyTxn* txn, const Op& op) {
  const std::string& key = op.args[0];
  CAIRN_ASSIGN_OR_RETURN(std::optional<Record> old, txn->Live(key));
  if (!old) return Value::Int(0);
  std::int64_t current = old->expire_at_ms;  // 0 = none (Redis: -1, "infinite")
  std::int64_t when = op.num;
  if ((op.flags & kExpireNx) && current != 0) return Value::Int(0);
  if ((op.flags & kExpireXx) && current == 0) return Value::Int(0);
  if ((op.flags & kExpireGt) && (current == 0 || when <= current)) return Value::Int(0);
  if ((op.flags & kExpireLt) && current != 0 && when >= current) return Value::Int(0);
  if (when <= txn->clock_ms()) {
    CAIRN_RETURN_IF_ERROR(txn->Erase(key));
  } else {
    CAIRN_RETURN_IF_ERROR(txn->Put(key, std::move(old->value), when, old->type));
  }
  return Value::Int(1);
}

Result<Value> ApplyPersist(ApplyTxn* txn, const Op& op) {
  const std::string& key = op.args[0];
  CAIRN_ASSIGN_OR_RETURN(std::optional<Record> old, txn->Live(key));
  if (!old || old->expire_at_ms == 0) return Value::Int(0);
  CAIRN_RETURN_IF_ERROR(txn->Put(key, std::move(old->value), 0, old->type));
  return Value::Int(1);
}

// SETRANGE: the value with `patch` written at `offset`, zero-padded, the
// expiry kept. An empty patch changes nothing (and creates no key).
Result<Value> ApplySetRange(ApplyTxn* txn, const Op& op) {
  const std::string& key = op.args[0];
  const std::string& patch = op.args[1];
  const auto offset = static_cast<std::uint64_t>(op.num);
  CAIRN_ASSIGN_OR_RETURN(std::optional<Record> old, txn->Live(key));
  if (WrongType(old)) return Value::Error(errors::kWrongType);
  if (patch.empty()) return Value::Int(old ? static_cast<std::int64_t>(old->value.size()) : 0);
  if (patch.size() > kValueBytesMax || offset > kValueBytesMax - patch.size()) {
    return Value::Error(errors::kTooBig);
  }
  std::string value = old ? std::move(old->value) : std::string();
  if (value.size() < offset + patch.size()) value.resize(offset + patch.size(), '\0');
  value.replace(offset, patch.size(), patch);
  auto length = static_cast<std::int64_t>(value.size());
  CAIRN_RETURN_IF_ERROR(txn->Put(key, std::move(value), old ? old->expire_at_ms : 0));
  return Value::Int(length);
}

// MSETNX: every key, or none if any of them exists.
Result<Value> ApplyMSetNx(ApplyTxn* txn, const Op& op) {
  for (std::size_t i = 0; i + 1 < op.args.size(); i += 2) {
    CAIRN_ASSIGN_OR_RETURN(const Record* r, txn->LiveRecord(op.args[i]));
    if (r != nullptr) return Value::Int(0);
  }
  CAIRN_RETURN_IF_ERROR(ApplyMSet(txn, op).status());
  return Value::Int(1);
}

// RENAME / RENAMENX: the destination takes the source's value and expiry.
Result<Value> ApplyRename(ApplyTxn* txn, const Op& op) {
  const std::string& from = op.args[0];
  const std::string& to = op.args[1];
  const bool nx = op.flags & kRenameNx;
  CAIRN_ASSIGN_OR_RETURN(std::optional<Record> old, txn->Live(from));
  if (!old) return Value::Error(errors::kNoSuchKey);
  if (from == to) return nx ? Value::Int(0) : Value::Simple("OK");
  if (nx) {
    CAIRN_ASSIGN_OR_RETURN(const Record* existing, txn->LiveRecord(to));
    if (existing != nullptr) return Value::Int(0);
  }
  CAIRN_RETURN_IF_ERROR(txn->Erase(from));
  CAIRN_RETURN_IF_ERROR(txn->Put(to, std::move(old->value), old->expire_at_ms, old->type));
  return nx ? Value::Int(1) : Value::Simple("OK");
}

// COPY: the destination gets the source's value and expiry (REPLACE to
// overwrite an existing destination).
Result<Value> ApplyCopy(ApplyTxn* txn, const Op& op) {
  CAIRN_ASSIGN_OR_RETURN(std::optional<Record> source, txn->Live(op.args[0]));
  if (!source) return Value::Int(0);
  if (!(op.flags & kCopyReplace)) {
    CAIRN_ASSIGN_OR_RETURN(const Record* existing, txn->LiveRecord(op.args[1]));
    if (existing != nullptr) return Value::Int(0);
  }
  CAIRN_RETURN_IF_ERROR(
      txn->Put(op.args[1], std::move(source->value), source->expire_at_ms, source->type));
  return Value::Int(1);
}

// GETEX: the value, and then the new expiry (a time already past deletes the
// key) or none (PERSIST). Without an option it writes nothing.
Result<Value> ApplyGetEx(ApplyTxn* txn, const Op& op) {
  const std::string& key = op.args[0];
  CAIRN_ASSIGN_OR_RETURN(std::optional<Record> old, txn->Live(key));
  if (!old) return Value::Null();
  if (WrongType(old)) return Value::Error(errors::kWrongType);
  if (op.flags & kGetExInvalid) {
    return Value::Error(op.num == 0 ? std::string(errors::kNotInteger)
                                    : errors::InvalidExpire("getex"));
  }
  Value reply = Value::Bulk(old->value);
  if (op.flags & kGetExExpire) {
    if (op.num <= txn->clock_ms()) {
      CAIRN_RETURN_IF_ERROR(txn->Erase(key));
    } else {
      CAIRN_RETURN_IF_ERROR(txn->Put(key, std::move(old->value), op.num));
    }
  } else if ((op.flags & kGetExPersist) && old->expire_at_ms != 0) {
    CAIRN_RETURN_IF_ERROR(txn->Put(key, std::move(old->value), 0));
  }
  return reply;
}

// INCRBYFLOAT: long double arithmetic and Redis's formatting, so every
// replica (same binary, same platform) stores the same bytes.
Result<Value> ApplyIncrByFloat(ApplyTxn* txn, const Op& op) {
  const std::string& key = op.args[0];
  CAIRN_ASSIGN_OR_RETURN(std::optional<Record> old, txn->Live(key));
  if (WrongType(old)) return Value::Error(errors::kWrongType);  // Redis checks it first
  long double increment = 0;
  if (!ParseLongDouble(op.args[1], &increment)) return Value::Error(errors::kNotFloat);
  long double current = 0;
  if (old && !ParseLongDouble(old->value, &current)) return Value::Error(errors::kNotFloat);
  const long double result = current + increment;
  if (std::isnan(result) || std::isinf(result)) return Value::Error(errors::kNanOrInfinity);
  std::string text = FormatLongDouble(result);
  Value reply = Value::Bulk(text);
  CAIRN_RETURN_IF_ERROR(txn->Put(key, std::move(text), old ? old->expire_at_ms : 0));
  return reply;
}

// A key read inside a transaction: sees the transaction's earlier writes.
// A random read draws from the entry's index and its place in the entry, so
// every replica computes the same reply.
Result<Value> ApplyRead(ApplyTxn* txn, const Op& op) {
  if (IsRandomRead(op.code)) {
    // A negative count repeats draws without bound by the key's size: the
    // elements such draws reply with (two per draw WITHVALUES/WITHSCORES)
    // share one limit per entry, a million, or a transaction of several
    // could make its reply as large as memory (found by fuzzing: 10 million
    // each, the limit of one call outside MULTI, took over 2 GB). A read
    // changes no state, so the error changes nothing either.
    if ((op.flags & kRandCount) && op.num < 0 &&
        !txn->TakeRandomDraws(static_cast<std::uint64_t>(-op.num) *
                              ((op.flags & kRandWith) ? 2 : 1))) {
      return Value::Error(
          "ERR count is out of range: Cairn replies with at most 1000000 random elements in "
          "one transaction");
    }
    Op seeded = op;
    seeded.num2 = static_cast<std::int64_t>(txn->NextDrawSeed());
    CAIRN_ASSIGN_OR_RETURN(const Record* r, txn->LiveRecord(op.args[0]));
    if (op.code == OpCode::kHRandField) return ReadHash(seeded, r);
    if (op.code == OpCode::kZRandMember) return ReadZSet(seeded, r);
    return ReadSet(seeded, [r](const std::string&) -> Result<const Record*> { return r; });
  }
  if (op.code == OpCode::kExists || op.code == OpCode::kMGet) {
    Value array = Value::Array();
    std::int64_t n = 0;
    for (const std::string& key : op.args) {
      CAIRN_ASSIGN_OR_RETURN(std::optional<Record> r, txn->Live(key));
      if (r) ++n;
      if (op.code == OpCode::kMGet) {
        array.elems.push_back(r && r->is_string() ? Value::Bulk(r->value) : Value::Null());
      }
    }
    return op.code == OpCode::kMGet ? array : Value::Int(n);
  }
  if (IsSetOp(op.code)) {
    return ReadSet(op, [txn](const std::string& key) { return txn->LiveRecord(key); });
  }
  if (op.code == OpCode::kZCombine) {
    return ReadZCombine(op, [txn](const std::string& key) { return txn->LiveRecord(key); });
  }
  if (IsStreamOp(op.code)) {
    return ReadStream(
        op, [txn](const std::string& key) { return txn->LiveRecord(key); }, txn->clock_ms());
  }
  if (IsHllOp(op.code)) {
    return ReadHll(op, [txn](const std::string& key) { return txn->LiveRecord(key); });
  }
  if (op.code == OpCode::kSort) {
    return ReadSort(op, [txn](const std::string& key) { return txn->LiveRecord(key); });
  }
  if (op.code == OpCode::kLcs) {
    return ReadLcs(op, [txn](const std::string& key) { return txn->LiveRecord(key); });
  }
  CAIRN_ASSIGN_OR_RETURN(const Record* r, txn->LiveRecord(op.args[0]));
  if (op.code == OpCode::kDump) return DumpReply(r);
  if (IsHashOp(op.code)) return ReadHash(op, r);
  if (IsBitmapOp(op.code)) return ReadBitmap(op, r);
  if (IsListOp(op.code)) return ReadList(op, r);
  if (IsZSetOp(op.code)) return ReadZSet(op, r);
  const bool string_read =
      op.code == OpCode::kGet || op.code == OpCode::kStrlen || op.code == OpCode::kGetRange;
  if (string_read && WrongType(r)) return Value::Error(errors::kWrongType);
  switch (op.code) {
    case OpCode::kGet: return r ? Value::Bulk(r->value) : Value::Null();
    case OpCode::kStrlen: return Value::Int(r ? static_cast<std::int64_t>(r->value.size()) : 0);
    case OpCode::kType: return Value::Simple(r ? TypeName(*r) : "none");
    case OpCode::kGetRange: return RangeReply(r ? &r->value : nullptr, op.num, op.num2);
    default: return r ? TimeReply(op.code, *r, txn->clock_ms()) : Value::Int(-2);
  }
}

}  // namespace

Result<Value> StateMachine::ApplyOp(ApplyTxn* txn, const Op& op) {
  const std::size_t mark = txn->writes().size();
  const bool timed = op_timer_ != nullptr && apply_depth_ == 0;
  const std::int64_t start = timed ? op_timer_->NowUs() : 0;
  ++apply_depth_;
  Result<Value> applied = ApplyOpSemantics(txn, op);
  --apply_depth_;
  if (timed) {
    const std::int64_t took = op_timer_->NowUs() - start;
    if (took >= op_timer_threshold_us_) op_timer_->Slow(op, took);
  }
  CAIRN_ASSIGN_OR_RETURN(Value reply, std::move(applied));
  if (txn->writes().size() > mark) {
    // (EVAL's commands published their own events as they ran.)
    if (op.code != OpCode::kEval && !reply.is_error()) {
      CAIRN_RETURN_IF_ERROR(PublishKeyspaceEvents(txn, op, mark));
    }
    txn->DropWritesFrom(mark);
  } else if (!txn->side_events().empty()) {
    txn->DropWritesFrom(mark);  // side events of an op that changed nothing: none
  }
  return reply;
}

Status StateMachine::PublishKeyspaceEvents(ApplyTxn* txn, const Op& op, std::size_t mark) {
  std::vector<std::string> keys;
  std::vector<bool> created;  // by the op's first change of the key
  for (std::size_t i = mark; i < txn->writes().size(); ++i) {
    const std::string& key = txn->writes()[i];
    if (std::find(keys.begin(), keys.end(), key) != keys.end()) continue;
    keys.push_back(key);
    created.push_back(txn->writes_created()[i] != 0);
  }
  std::vector<bool> gone(keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) {
    CAIRN_ASSIGN_OR_RETURN(bool exists, txn->ExistsNow(keys[i]));
    gone[i] = !exists;
  }
  std::vector<KeyspaceEvent> events;
  OpKeyspaceEvents(op, keys, gone, &events);
  for (const auto& [key, event] : txn->side_events()) {
    events.push_back({kNotifyStream, event, key});
  }
  if (keyspace_events_ & kNotifyNew) AddNewKeyEvents(op, keys, created, gone, &events);
  for (const KeyspaceEvent& e : events) {
    if ((keyspace_events_ & e.type) == 0) continue;
    if (keyspace_events_ & kNotifyKeyspace) {
      publish_sink_("__keyspace@0__:" + e.key, std::string(e.event), false);
    }
    if (keyspace_events_ & kNotifyKeyevent) {
      publish_sink_("__keyevent@0__:" + std::string(e.event), e.key, false);
    }
  }
  return Status::Ok();
}

Result<Value> StateMachine::ApplyOpSemantics(ApplyTxn* txn, const Op& op) {
  switch (op.code) {
    case OpCode::kSet: return ApplySet(txn, op);
    case OpCode::kDel: return ApplyDel(txn, op);
    case OpCode::kIncrBy: return ApplyIncrBy(txn, op);
    case OpCode::kAppend: return ApplyAppend(txn, op);
    case OpCode::kPublish:
      if (publish_sink_) publish_sink_(op.args[0], op.args[1], op.flags & kPublishSharded);
      return Value::Int(op.num);  // subscribers the taking node counted
    case OpCode::kEval: return ApplyEval(txn, op);
    case OpCode::kMSet: return ApplyMSet(txn, op);
    case OpCode::kExpireAt: return ApplyExpireAt(txn, op);
    case OpCode::kPersist: return ApplyPersist(txn, op);
    case OpCode::kSetRange: return ApplySetRange(txn, op);
    case OpCode::kMSetNx: return ApplyMSetNx(txn, op);
    case OpCode::kRename: return ApplyRename(txn, op);
    case OpCode::kCopy: return ApplyCopy(txn, op);
    case OpCode::kGetEx: return ApplyGetEx(txn, op);
    case OpCode::kIncrByFloat: return ApplyIncrByFloat(txn, op);
    case OpCode::kHSet:
    case OpCode::kHDel:
    case OpCode::kHIncrBy:
    case OpCode::kHIncrByFloat: return ApplyHashWrite(txn, op);
    case OpCode::kSAdd:
    case OpCode::kSRem:
    case OpCode::kSPop:
    case OpCode::kSMove:
    case OpCode::kSStore: return ApplySetWrite(txn, op);
    case OpCode::kLPush:
    case OpCode::kLPop:
    case OpCode::kLSet:
    case OpCode::kLRem:
    case OpCode::kLTrim:
    case OpCode::kLInsert:
    case OpCode::kLMove:
    case OpCode::kLPopFirst: return ApplyListWrite(txn, op);
    case OpCode::kZAdd:
    case OpCode::kZRem:
    case OpCode::kZPop:
    case OpCode::kZRemRange:
    case OpCode::kZStore:
    case OpCode::kZRangeStore:
    case OpCode::kGeoStore:
    case OpCode::kZPopFirst: return ApplyZSetWrite(txn, op);
    case OpCode::kXAdd:
    case OpCode::kXDel:
    case OpCode::kXTrim:
    case OpCode::kXGroup:
    case OpCode::kXReadGroup:
    case OpCode::kXAck:
    case OpCode::kXClaim:
    case OpCode::kXAutoClaim:
    case OpCode::kXSetId: return ApplyStreamWrite(txn, op);
    case OpCode::kSetBit:
    case OpCode::kBitOp:
    case OpCode::kBitField: return ApplyBitmapWrite(txn, op);
    case OpCode::kPfAdd:
    case OpCode::kPfMerge: return ApplyHllWrite(txn, op);
    case OpCode::kSortStore: return ApplySortStore(txn, op);
    case OpCode::kRestore: return ApplyRestore(txn, op);
    case OpCode::kGetDel: {
      CAIRN_ASSIGN_OR_RETURN(std::optional<Record> old, txn->Live(op.args[0]));
      if (!old) return Value::Null();
      if (WrongType(old)) return Value::Error(errors::kWrongType);
      CAIRN_RETURN_IF_ERROR(txn->Erase(op.args[0]));
      return Value::Bulk(old->value);
    }
    case OpCode::kFlushDb:
      txn->Clear();
      return Value::Simple("OK");
    case OpCode::kExpireUpTo: {
      // Reclaims keys due by min(T, clock): never ahead of the replicated clock.
      std::int64_t upto = std::min(op.num, txn->clock_ms());
      std::int64_t removed = 0;
      for (auto it = expiry_.begin(); it != expiry_.end() && it->first <= upto && removed < op.num2;
           ++it) {
        // An earlier op in this entry may have changed the key: ask the txn.
        CAIRN_ASSIGN_OR_RETURN(bool due, txn->DueBy(it->second, upto));
        if (!due) continue;
        CAIRN_RETURN_IF_ERROR(txn->Erase(it->second));
        ++removed;
      }
      return Value::Int(removed);
    }
    default:
      if (IsTransactionalRead(op.code)) return ApplyRead(txn, op);
      break;
  }
  return Status::InvalidArgument("kv: not a write op");
}

}  // namespace cairn::kv
