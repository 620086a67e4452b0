// The list commands (LPUSH, LRANGE, LMOVE...): their semantics on apply and
// on read, following Redis 7.0. A list is one record (kv/list.h).
#include <algorithm>

#include "kv/apply_txn.h"
#include "kv/errors.h"
#include "kv/parse.h"

namespace cairn::kv {
namespace {

using resp::Value;

constexpr std::string_view kIndexOutOfRange = "ERR index out of range";
// Cairn's own: a list is one record, capped like a string value.
constexpr std::string_view kListTooBig =
    "ERR list exceeds the maximum record size (512 MiB) in Cairn";

// Writes `elements` to `key` with `expire_at_ms`; none left deletes the key.
// False if the list would be too big to store (nothing written).
Result<bool> Store(ApplyTxn* txn, const std::string& key, const ListElements& elements,
                   std::int64_t expire_at_ms) {
  if (elements.empty()) {
    CAIRN_RETURN_IF_ERROR(txn->Erase(key));
    return true;
  }
  std::string bytes = EncodeList(elements);
  if (bytes.size() > kValueBytesMax) return false;
  CAIRN_RETURN_IF_ERROR(txn->Put(key, std::move(bytes), expire_at_ms, kTypeList));
  return true;
}

// Redis's LRANGE / LTRIM window: [first, last] clamped, empty if first > last.
bool Window(std::int64_t start, std::int64_t stop, std::size_t size, std::size_t* first,
            std::size_t* last) {
  const auto len = static_cast<std::int64_t>(size);
  if (start < 0) start += len;
  if (stop < 0) stop += len;
  if (start < 0) start = 0;
  if (start > stop || start >= len) return false;
  if (stop >= len) stop = len - 1;
  *first = static_cast<std::size_t>(start);
  *last = static_cast<std::size_t>(stop);
  return true;
}

// A negative index counts from the tail; false if outside the list.
bool At(std::int64_t index, std::size_t size, std::size_t* at) {
  const auto len = static_cast<std::int64_t>(size);
  if (index < 0) index += len;
  if (index < 0 || index >= len) return false;
  *at = static_cast<std::size_t>(index);
  return true;
}

std::string PopFrom(ListElements* list, bool left) {
  std::string out;
  if (left) {
    out = std::move(list->front());
    list->erase(list->begin());
  } else {
    out = std::move(list->back());
    list->pop_back();
  }
  return out;
}

Result<Value> ApplyLMove(ApplyTxn* txn, const Op& op) {
  const std::string& from = op.args[0];
  const std::string& to = op.args[1];
  CAIRN_ASSIGN_OR_RETURN(const Record* src, txn->LiveRecord(from));
  if (src == nullptr) return Value::Null();
  if (src->type != kTypeList) return Value::Error(errors::kWrongType);
  ListElements source = DecodeList(src->value);
  const std::int64_t source_expire = src->expire_at_ms;
  ListElements dest;
  std::int64_t dest_expire = 0;
  if (from != to) {
    CAIRN_ASSIGN_OR_RETURN(const Record* dst, txn->LiveRecord(to));
    if (dst != nullptr && dst->type != kTypeList) return Value::Error(errors::kWrongType);
    if (dst != nullptr) {
      dest = DecodeList(dst->value);
      dest_expire = dst->expire_at_ms;
    }
  }
  ListElements& target = from == to ? source : dest;
  std::string element = PopFrom(&source, op.flags & kListLeft);
  if (op.flags & kListToLeft) {
    target.insert(target.begin(), element);
  } else {
    target.push_back(element);
  }
  // The destination is written first: if it is refused (too big), nothing
  // is written. The source only shrinks (or, rotating, keeps its size).
  if (from != to) {
    CAIRN_ASSIGN_OR_RETURN(bool stored, Store(txn, to, dest, dest_expire));
    if (!stored) return Value::Error(kListTooBig);
  }
  CAIRN_ASSIGN_OR_RETURN(bool stored, Store(txn, from, source, source_expire));
  if (!stored) return Value::Error(kListTooBig);
  return Value::BulkOwned(std::move(element));
}

// LPUSH/RPUSH and LPOP/RPOP, the queue operations, edit the stored bytes in
// place (kv/list.h) instead of decoding and encoding every element: a push
// at the tail costs what it adds, however long the list. `old` is the live
// list, or nullptr (only for a push: the absent cases are answered before).
Result<Value> PushOrPop(ApplyTxn* txn, const Op& op, const Record* old) {
  const std::string& key = op.args[0];
  const bool head = op.flags & kListLeft;
  if (op.code == OpCode::kLPush) {
    const std::size_t n = op.args.size() - 1;
    if (old == nullptr) {
      std::string bytes;
      ListPush(&bytes, &op.args[1], n, head);
      if (bytes.size() > kValueBytesMax) return Value::Error(kListTooBig);
      CAIRN_RETURN_IF_ERROR(txn->Put(key, std::move(bytes), 0, kTypeList));
      return Value::Int(static_cast<std::int64_t>(n));
    }
    if (old->value.size() + ListPushBytes(&op.args[1], n) > kValueBytesMax) {
      return Value::Error(kListTooBig);
    }
    CAIRN_ASSIGN_OR_RETURN(Record * list, txn->MutableLive(key));
    ListPush(&list->value, &op.args[1], n, head);
    return Value::Int(static_cast<std::int64_t>(ListLength(list->value)));
  }
  const bool with_count = op.flags & kListCount;
  const std::uint64_t n = with_count ? std::min<std::uint64_t>(static_cast<std::uint64_t>(op.num),
                                                               ListLength(old->value))
                                     : 1;
  if (n == 0) return Value::Array();  // LPOP key 0: nothing changes
  CAIRN_ASSIGN_OR_RETURN(Record * list, txn->MutableLive(key));
  Value reply = Value::Array();
  for (std::uint64_t i = 0; i < n; ++i)
    reply.elems.push_back(Value::BulkOwned(ListPop(&list->value, head)));
  if (list->value.empty()) CAIRN_RETURN_IF_ERROR(txn->Erase(key));  // its last element went
  if (!with_count) return std::move(reply.elems[0]);
  return reply;
}

// LPOS: the positions of op.args[1], from the head (rank > 0) or the tail
// (rank < 0), skipping |rank| - 1 matches, looking at MAXLEN elements at
// most (0: all); one position or nil, or with COUNT an array (0: all).
Value PositionsOf(const Op& op, const ListElements& list, bool exists) {
  const bool with_count = op.num2 >= 0;
  if (!exists) return with_count ? Value::Array() : Value::Null();
  const bool from_tail = op.num < 0;
  const auto rank = static_cast<std::uint64_t>(from_tail ? -op.num : op.num);
  std::int64_t maxlen = 0;
  ParseStrictInt64(op.args[2], &maxlen);  // validated with the op
  const std::size_t limit =
      maxlen == 0 ? list.size()
                  : std::min<std::size_t>(list.size(), static_cast<std::size_t>(maxlen));
  Value out = Value::Array();
  std::uint64_t matches = 0;
  for (std::size_t k = 0; k < limit; ++k) {
    const std::size_t at = from_tail ? list.size() - 1 - k : k;
    if (list[at] != op.args[1] || ++matches < rank) continue;
    if (!with_count) return Value::Int(static_cast<std::int64_t>(at));
    out.elems.push_back(Value::Int(static_cast<std::int64_t>(at)));
    if (op.num2 > 0 && out.elems.size() >= static_cast<std::uint64_t>(op.num2)) break;
  }
  return with_count ? out : Value::Null();
}

}  // namespace

Result<Value> ApplyListWrite(ApplyTxn* txn, const Op& op) {
  if (op.code == OpCode::kLMove) return ApplyLMove(txn, op);
  if (op.code == OpCode::kLPopFirst) {
    // Redis's BLPOP and LMPOP: the keys in order, WRONGTYPE at the first
    // that holds another type, else one element from the first list
    // ([key, element]), or up to num with kMPop ([key, [elements]]).
    const bool mpop = op.flags & kMPop;
    for (const std::string& key : op.args) {
      CAIRN_ASSIGN_OR_RETURN(const Record* r, txn->LiveRecord(key));
      if (r == nullptr) continue;
      if (r->type != kTypeList) return Value::Error(errors::kWrongType);
      Op pop{OpCode::kLPop, op.flags & kListLeft, 0, 0, {key}};
      if (mpop) {
        pop.flags |= kListCount;
        pop.num = op.num;
      }
      CAIRN_ASSIGN_OR_RETURN(Value popped, ApplyListWrite(txn, pop));
      return Value::Array({Value::Bulk(key), std::move(popped)});
    }
    return Value::NullArray();
  }
  const std::string& key = op.args[0];
  CAIRN_ASSIGN_OR_RETURN(const Record* old, txn->LiveRecord(key));
  const bool left = op.flags & kListLeft;
  if (old == nullptr) {
    switch (op.code) {
      case OpCode::kLPush:
        if (op.flags & kListExisting) return Value::Int(0);
        break;
      case OpCode::kLPop: return (op.flags & kListCount) ? Value::NullArray() : Value::Null();
      case OpCode::kLSet: return Value::Error(errors::kNoSuchKey);
      case OpCode::kLTrim: return Value::Simple("OK");
      case OpCode::kLRem:
      case OpCode::kLInsert: return Value::Int(0);
      default: break;
    }
  } else if (old->type != kTypeList) {
    return Value::Error(errors::kWrongType);
  }
  if (op.code == OpCode::kLPush || op.code == OpCode::kLPop) return PushOrPop(txn, op, old);
  const std::int64_t expire = old != nullptr ? old->expire_at_ms : 0;
  ListElements list = old != nullptr ? DecodeList(old->value) : ListElements();
  Value reply;
  switch (op.code) {
    case OpCode::kLSet: {
      if (op.flags & kListBadIndex) return Value::Error(errors::kNotInteger);
      std::size_t at = 0;
      if (!At(op.num, list.size(), &at)) return Value::Error(kIndexOutOfRange);
      list[at] = op.args[1];
      reply = Value::Simple("OK");
      break;
    }
    case OpCode::kLRem: {
      const std::string& element = op.args[1];
      std::uint64_t limit = list.size();  // LREM key 0 x: every one
      if (op.num > 0) limit = static_cast<std::uint64_t>(op.num);
      if (op.num < 0) limit = static_cast<std::uint64_t>(-(op.num + 1)) + 1;  // no overflow at min
      std::uint64_t removed = 0;
      if (op.num >= 0) {
        for (auto it = list.begin(); it != list.end() && removed < limit;) {
          if (*it == element) {
            it = list.erase(it);
            ++removed;
          } else {
            ++it;
          }
        }
      } else {
        for (auto i = list.size(); i > 0 && removed < limit; --i) {
          if (list[i - 1] == element) {
            list.erase(list.begin() + static_cast<std::ptrdiff_t>(i - 1));
            ++removed;
          }
        }
      }
      if (removed == 0) return Value::Int(0);  // nothing changed: the version stays (WATCH)
      reply = Value::Int(static_cast<std::int64_t>(removed));
      break;
    }
    case OpCode::kLTrim: {
      std::size_t first = 0;
      std::size_t last = 0;
      if (Window(op.num, op.num2, list.size(), &first, &last)) {
        list.erase(list.begin() + static_cast<std::ptrdiff_t>(last) + 1, list.end());
        list.erase(list.begin(), list.begin() + static_cast<std::ptrdiff_t>(first));
      } else {
        list.clear();
      }
      reply = Value::Simple("OK");
      break;
    }
    case OpCode::kLInsert: {
      auto pivot = std::find(list.begin(), list.end(), op.args[1]);
      if (pivot == list.end()) return Value::Int(-1);
      list.insert(left ? pivot : pivot + 1, op.args[2]);
      reply = Value::Int(static_cast<std::int64_t>(list.size()));
      break;
    }
    default: return Status::InvalidArgument("kv: not a list write op");
  }
  CAIRN_ASSIGN_OR_RETURN(bool stored, Store(txn, key, list, expire));
  if (!stored) return Value::Error(kListTooBig);
  return reply;
}

Value ReadList(const Op& op, const Record* rec) {
  if (rec != nullptr && rec->type != kTypeList) return Value::Error(errors::kWrongType);
  if (op.code == OpCode::kLLen) {
    return Value::Int(rec != nullptr ? static_cast<std::int64_t>(ListLength(rec->value)) : 0);
  }
  ListElements list = rec != nullptr ? DecodeList(rec->value) : ListElements();
  switch (op.code) {
    case OpCode::kLIndex: {
      if (rec == nullptr) return Value::Null();
      if (op.flags & kListBadIndex) return Value::Error(errors::kNotInteger);
      std::size_t at = 0;
      return At(op.num, list.size(), &at) ? Value::BulkOwned(std::move(list[at])) : Value::Null();
    }
    case OpCode::kLRange: {
      Value out = Value::Array();
      std::size_t first = 0;
      std::size_t last = 0;
      if (!Window(op.num, op.num2, list.size(), &first, &last)) return out;
      out.elems.reserve(last - first + 1);
      for (std::size_t i = first; i <= last; ++i)
        out.elems.push_back(Value::BulkOwned(std::move(list[i])));
      return out;
    }
    case OpCode::kLPos: return PositionsOf(op, list, rec != nullptr);
    default: break;
  }
  return Value::Error("ERR not a list read command");
}

}  // namespace cairn::kv
