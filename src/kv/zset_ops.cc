// The sorted-set commands (ZADD, ZRANGE, ZPOPMIN...): their semantics on
// apply and on read, following Redis 7.0. A sorted set is one record
// (kv/zset.h). Scores are replied as doubles (RESP3 ',', RESP2 a bulk
// string) in the shortest form that reads back as the same double, as
// Redis 7.2 writes them (7.0 writes 17 significant digits).
#include <algorithm>
#include <charconv>
#include <cmath>
#include <functional>
#include <memory>
#include <unordered_map>

#include "common/assert.h"
#include "kv/apply_txn.h"
#include "kv/errors.h"
#include "kv/glob.h"
#include "kv/parse.h"
#include "kv/random_draw.h"

namespace cairn::kv {
namespace {

using resp::Value;

// Cairn's own: a sorted set is one record, capped like a string value.
constexpr std::string_view kZSetTooBig =
    "ERR sorted set exceeds the maximum record size (512 MiB) in Cairn";
constexpr std::string_view kNaNScore = "ERR resulting score is not a number (NaN)";

// Writes `members` (sorted) to `key`; none left deletes the key.
Result<Value> Store(ApplyTxn* txn, const std::string& key, const ZMembers& members,
                    std::int64_t expire_at_ms, Value reply) {
  if (members.empty()) {
    CAIRN_RETURN_IF_ERROR(txn->Erase(key));
    return reply;
  }
  std::string bytes = EncodeZSet(members);
  if (bytes.size() > kValueBytesMax) return Value::Error(kZSetTooBig);
  CAIRN_RETURN_IF_ERROR(txn->Put(key, std::move(bytes), expire_at_ms, kTypeZSet));
  return reply;
}

std::string FormatScore(double score) {
  if (std::isinf(score)) return score > 0 ? "inf" : "-inf";
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof(buf), score);
  return std::string(buf, r.ptr);
}

// The members inside a range, as Redis walks a small sorted set (its
// listpack: zzlFirstInRange, zzlFirstInLexRange and the Last* twins):
// nothing unless the last member is above min and the first below max; then
// from one end to the first member inside the range and on while members
// stay inside. Scores are sorted, so for them this is exactly the members in
// range; for lex ranges it is when all scores are equal, the case
// ZRANGEBYLEX is for, and Redis's answer otherwise. [begin, end) in set
// order, walked from the tail when `rev`.
struct Span {
  std::size_t begin = 0, end = 0;
};
template <typename Range, typename KeyOf>
Span Walk(const ZMembers& m, const Range& r, KeyOf key, bool rev) {
  if (m.empty() || !r.AboveMin(key(m.back())) || !r.BelowMax(key(m.front()))) return {};
  if (!rev) {
    std::size_t i = 0;
    while (i < m.size() && !r.AboveMin(key(m[i]))) ++i;
    std::size_t end = i;
    while (end < m.size() && r.BelowMax(key(m[end]))) ++end;
    return {i, end};
  }
  std::size_t j = m.size();
  while (j > 0 && !r.BelowMax(key(m[j - 1]))) --j;
  std::size_t begin = j;
  while (begin > 0 && r.AboveMin(key(m[begin - 1]))) --begin;
  return {begin, j};
}

double ScoreOf(const ZMember& m) { return m.score; }
std::string_view MemberOf(const ZMember& m) { return m.member; }

// The span of min and max (op.args[1], [2]) read as op.flags says: ranks
// (normalized as Redis does: negative from the end, clamped), scores or lex.
// False if they do not parse (the parser refused such an op already).
bool RangeSpan(const Op& op, const ZMembers& m, bool rev, Span* out) {
  switch (op.flags & kZByMask) {
    case kZByRank: {
      std::int64_t start = 0, stop = 0;
      if (!ParseStrictInt64(op.args[1], &start) || !ParseStrictInt64(op.args[2], &stop)) {
        return false;
      }
      const auto n = static_cast<std::int64_t>(m.size());
      if (start < 0) start += n;
      if (stop < 0) stop += n;
      start = std::max<std::int64_t>(start, 0);
      if (start > stop || start >= n) {
        *out = {};
        return true;
      }
      stop = std::min(stop, n - 1);
      // Ranks count from the tail in reverse.
      if (rev) {
        *out = {static_cast<std::size_t>(n - 1 - stop), static_cast<std::size_t>(n - start)};
      } else {
        *out = {static_cast<std::size_t>(start), static_cast<std::size_t>(stop + 1)};
      }
      return true;
    }
    case kZByScore: {
      ScoreRange r;
      if (!ParseScoreRange(op.args[1], op.args[2], &r)) return false;
      *out = Walk(m, r, ScoreOf, rev);
      return true;
    }
    case kZByLex: {
      LexRange r;
      if (!ParseLexRange(op.args[1], op.args[2], &r)) return false;
      *out = Walk(m, r, MemberOf, rev);
      return true;
    }
    default: return false;
  }
}

// The positions ZRANGE `op` (min and max in args[1], args[2]) returns, in
// reply order. False if the range does not parse.
bool RangeOrder(const Op& op, const ZMembers& members, std::vector<std::size_t>* order) {
  const bool rev = op.flags & kZRev;
  Span span;
  if (!RangeSpan(op, members, rev, &span)) return false;
  order->clear();
  for (std::size_t k = 0; k < span.end - span.begin; ++k) {
    order->push_back(rev ? span.end - 1 - k : span.begin + k);
  }
  if ((op.flags & kZByMask) == kZByRank) return true;
  // LIMIT offset count, as Redis applies it: an offset at or past the set's
  // length, or a negative one, leaves nothing; a negative count is no limit.
  const std::int64_t offset = op.num, limit = op.num2;
  const auto n = static_cast<std::int64_t>(members.size());
  if (offset < 0 || (offset > 0 && offset >= n)) {
    order->clear();
    return true;
  }
  order->erase(order->begin(),
               order->begin() + std::min<std::ptrdiff_t>(offset, std::ssize(*order)));
  if (limit >= 0 && limit < std::ssize(*order)) order->resize(static_cast<std::size_t>(limit));
  return true;
}

Value BadRange(const Op& op) {
  switch (op.flags & kZByMask) {
    case kZByScore: return Value::Error(errors::kMinMaxNotFloat);
    case kZByLex: return Value::Error(errors::kMinMaxNotLex);
    default: return Value::Error(errors::kNotInteger);
  }
}

// `members[i]` for i in `order`, with their scores if asked: pairs in
// RESP3, flat in RESP2 (resp::Value::flat_in_resp2).
Value MembersReply(ZMembers& members, const std::vector<std::size_t>& order, bool with_scores) {
  std::vector<Value> items;
  items.reserve(order.size() * (with_scores ? 2 : 1));
  for (std::size_t i : order) {
    items.push_back(Value::BulkOwned(std::move(members[i].member)));
    if (with_scores) items.push_back(Value::Double(members[i].score));
  }
  return with_scores ? Value::Pairs(std::move(items)) : Value::Array(std::move(items));
}

// A score as stored: -0 becomes 0, as in Redis's small sorted sets (its
// listpack keeps "-0" as the integer 0); replies still show what was added.
double Stored(double score) { return score + 0.0; }

// How ZUNIONSTORE and its siblings meet two scores (Redis's
// zunionInterAggregate): a sum that is NaN (inf + -inf) counts as 0.
void Aggregate(double* target, double value, std::uint32_t flags) {
  if (flags & kZAggMin) {
    *target = value < *target ? value : *target;
  } else if (flags & kZAggMax) {
    *target = value > *target ? value : *target;
  } else {
    *target += value;
    if (std::isnan(*target)) *target = 0;
  }
}

// The result of a kZStore / kZCombine op whose keys start at args[first],
// sorted; or WRONGTYPE if a key holds neither a sorted set nor a set (a
// set's members count with score 1), or the op's option error. Follows
// Redis 7.0's zunionInterDiffGenericCommand, down to the order in which
// scores are added (inputs from the smallest, a stable order among equals).
Result<Value> Combine(const Op& op, std::size_t first,
                      const std::function<Result<const Record*>(const std::string&)>& load,
                      ZMembers* out) {
  const auto n = static_cast<std::size_t>(op.num);
  struct Input {
    ZMembers members;
    double weight = 1;
  };
  std::vector<Input> inputs(n);
  for (std::size_t i = 0; i < n; ++i) {
    CAIRN_ASSIGN_OR_RETURN(const Record* r, load(op.args[first + i]));
    if (r == nullptr) continue;
    if (r->type == kTypeZSet) {
      inputs[i].members = DecodeZSet(r->value);
    } else if (r->type == kTypeSet) {
      for (std::string& m : DecodeSet(r->value)) inputs[i].members.push_back({1.0, std::move(m)});
    } else {
      return Value::Error(errors::kWrongType);
    }
  }
  if (op.flags & kZBadOption) {
    if (op.num2 == 2) return Value::Error("ERR LIMIT can't be negative");
    return Value::Error(op.num2 == 1 ? "ERR weight value is not a float" : errors::kSyntax);
  }
  if (op.flags & kZWeights) {
    for (std::size_t i = 0; i < n; ++i) {
      if (!ParseScore(op.args[first + n + i], &inputs[i].weight)) {
        return Value::Error("ERR weight value is not a float");
      }
    }
  }
  out->clear();
  const std::uint32_t how = op.flags & 3;
  auto weighted = [](const Input& in, double score) {
    const double s = in.weight * score;
    return std::isnan(s) ? 0.0 : s;
  };
  if (how == kSetDiff) {
    std::unordered_map<std::string_view, bool> others;
    for (std::size_t i = 1; i < n; ++i) {
      for (const ZMember& m : inputs[i].members) others.emplace(m.member, true);
    }
    for (ZMember& m : inputs[0].members) {
      if (!others.contains(m.member)) out->push_back(std::move(m));
    }
  } else {
    std::stable_sort(inputs.begin(), inputs.end(), [](const Input& a, const Input& b) {
      return a.members.size() < b.members.size();
    });
  }
  if (how == kSetInter) {
    std::vector<std::unordered_map<std::string_view, double>> scores(n);
    for (std::size_t i = 1; i < n; ++i) {
      for (const ZMember& m : inputs[i].members) scores[i].emplace(m.member, m.score);
    }
    for (const ZMember& m : inputs[0].members) {
      double score = weighted(inputs[0], m.score);
      std::size_t j = 1;
      for (; j < n; ++j) {
        auto it = scores[j].find(m.member);
        if (it == scores[j].end()) break;
        Aggregate(&score, it->second * inputs[j].weight, op.flags);
      }
      if (j == n) out->push_back({score, m.member});
    }
  } else if (how == kSetUnion) {
    std::unordered_map<std::string, double> acc;
    for (const Input& in : inputs) {
      for (const ZMember& m : in.members) {
        const double score = weighted(in, m.score);
        auto [it, fresh] = acc.emplace(m.member, score);
        if (!fresh) Aggregate(&it->second, score, op.flags);
      }
    }
    for (auto& [member, score] : acc) out->push_back({score, member});
  }
  std::sort(out->begin(), out->end(), ZLess);
  return Value::Null();
}

// A sorted set that a log entry's writes (ZADD, ZINCRBY, ZREM, ZPOP*,
// ZREMRANGEBY*) keep changing, decoded once for all of them
// (ApplyTxn::Decoded), as a tree with each member's score at hand: a ZADD
// or ZREM then costs O(log n), not a decode, an index, a sort and an encode
// of the whole set (nor a move of a sorted vector's tail: 800 ZADDs to a
// 10 000-member set took 31 ms that way, bench/results/kv_apply.md).
// `bytes` bounds the encoded size from above (exact when decoded; each new
// member counts its size and 10 bytes for the count's growth, each removed
// one takes its score and size off). `scores` always names exactly `members`.
struct DecodedZSet final : ApplyTxn::Decoded {
  ZMemberSet members;
  std::unordered_map<std::string, double> scores;  // member -> its score
  std::size_t bytes = 0;
  std::string Encode() const override { return EncodeZMemberSet(members); }
  bool Empty() const override { return members.empty(); }
  void Load(const Record* r) {
    if (r == nullptr) return;
    ZMembers sorted = DecodeZSet(r->value);
    bytes = r->value.size();
    scores.reserve(sorted.size());
    for (const ZMember& m : sorted) scores.emplace(m.member, m.score);
    // (linear: the range is sorted already)
    members =
        ZMemberSet(std::make_move_iterator(sorted.begin()), std::make_move_iterator(sorted.end()));
  }

  void Place(double score, const std::string& member) { members.insert(ZMember{score, member}); }
  void Unplace(double score, const std::string& member) {
    auto it = members.find(ZMember{score, member});
    CAIRN_CHECK(it != members.end(), "a sorted-set member missing from its tree");
    members.erase(it);
  }
  // Drops a member the caller takes out of `members` from the index.
  void Forget(const std::string& member) {
    auto it = scores.find(member);
    CAIRN_CHECK(it != scores.end(), "a sorted-set member missing from its index");
    bytes -= 8 + it->first.size();
    scores.erase(it);
  }
};

Result<Value> ApplyZAdd(ApplyTxn* txn, const Op& op) {
  const std::string& key = op.args[0];
  const bool nx = op.flags & kZAddNx, xx = op.flags & kZAddXx, gt = op.flags & kZAddGt,
             lt = op.flags & kZAddLt, incr = op.flags & kZAddIncr;
  std::vector<double> scores;
  std::size_t most_added = 0;  // the bytes the pairs could add at most
  for (std::size_t i = 1; i < op.args.size(); i += 2) {
    double s = 0;
    if (!ParseScore(op.args[i], &s)) return Value::Error(errors::kNotFloat);
    scores.push_back(s);
    most_added += 8 + 10 + op.args[i + 1].size();
  }
  CAIRN_ASSIGN_OR_RETURN(auto d, DecodedValue<DecodedZSet>::Open(txn, key, kTypeZSet));
  if (d.wrong_type()) return Value::Error(errors::kWrongType);
  if (d.absent() && xx) return incr ? Value::Null() : Value::Int(0);
  // Refused before anything changes (counting every pair as new).
  if (d->bytes + most_added > kValueBytesMax) return Value::Error(kZSetTooBig);
  std::int64_t added = 0, updated = 0, processed = 0;
  double score = 0;
  bool changed = false;
  for (std::size_t j = 0; j < scores.size(); ++j) {
    const std::string& member = op.args[2 + 2 * j];
    score = scores[j];
    auto it = d->scores.find(member);
    if (it != d->scores.end()) {
      const double current = it->second;
      if (nx) continue;
      if (incr) {  // (INCR takes one pair: nothing has changed yet)
        score += current;
        if (std::isnan(score)) return Value::Error(kNaNScore);
      }
      if ((lt && score >= current) || (gt && score <= current)) continue;
      ++processed;
      if (score != current) {  // (so -0 does not replace 0)
        d->Unplace(current, member);
        it->second = Stored(score);
        d->Place(it->second, member);
        ++updated;
        changed = true;
      }
    } else if (!xx) {
      ++processed;
      ++added;
      changed = true;
      // A later pair may name the same member: it finds this one.
      d->scores.emplace(member, Stored(score));
      d->Place(Stored(score), member);
      d->bytes += 8 + 10 + member.size();
    }
  }
  Value reply = incr ? (processed > 0 ? Value::Double(score) : Value::Null())
                     : Value::Int((op.flags & kZAddCh) ? added + updated : added);
  if (!changed) {  // the version stays (WATCH)
    CAIRN_RETURN_IF_ERROR(d.KeepUnchanged());
    return reply;
  }
  CAIRN_RETURN_IF_ERROR(d.Keep());
  return reply;
}

}  // namespace

Result<Value> ApplyZSetWrite(ApplyTxn* txn, const Op& op) {
  if (op.code == OpCode::kGeoStore) return ApplyGeoStore(txn, op);
  const std::string& key = op.args[0];
  if (op.code == OpCode::kZStore) {
    ZMembers result;
    CAIRN_ASSIGN_OR_RETURN(
        Value error,
        Combine(
            op, 1, [txn](const std::string& k) { return txn->LiveRecord(k); }, &result));
    if (error.is_error()) return error;
    for (ZMember& m : result) m.score = Stored(m.score);
    const auto n = static_cast<std::int64_t>(result.size());
    return Store(txn, key, result, 0, Value::Int(n));  // (none left: deleted)
  }
  if (op.code == OpCode::kZPopFirst) {
    // Redis's BZPOPMIN: the first key that exists, WRONGTYPE if it holds
    // another type; [key, member, score], a null array if none exists.
    // ZMPOP (kMPop): up to num pairs, [key, [[member, score]...]], nested
    // in RESP2 too.
    for (const std::string& k : op.args) {
      CAIRN_ASSIGN_OR_RETURN(const Record* r, txn->LiveRecord(k));
      if (r == nullptr) continue;
      if (r->type != kTypeZSet) return Value::Error(errors::kWrongType);
      const bool mpop = op.flags & kMPop;
      CAIRN_ASSIGN_OR_RETURN(
          Value pair,
          ApplyZSetWrite(txn, Op{OpCode::kZPop, op.flags & kZMax, mpop ? op.num : -1, 0, {k}}));
      if (mpop) {
        if (pair.is_error()) return pair;
        pair.flat_in_resp2 = false;
        return Value::Array({Value::Bulk(k), std::move(pair)});
      }
      if (pair.elems.size() != 2) return pair;
      return Value::Array({Value::Bulk(k), std::move(pair.elems[0]), std::move(pair.elems[1])});
    }
    return Value::NullArray();
  }
  if (op.code == OpCode::kZRangeStore) {
    CAIRN_ASSIGN_OR_RETURN(const Record* src, txn->LiveRecord(op.args[1]));
    if (src != nullptr && src->type != kTypeZSet) return Value::Error(errors::kWrongType);
    ZMembers members = src != nullptr ? DecodeZSet(src->value) : ZMembers();
    Op range = op;
    range.args.erase(range.args.begin());  // as ZRANGE src min max
    std::vector<std::size_t> order;
    if (!RangeOrder(range, members, &order)) return BadRange(range);
    std::sort(order.begin(), order.end());  // set order, whatever REV said
    ZMembers result;
    for (std::size_t i : order) result.push_back(std::move(members[i]));
    const auto n = static_cast<std::int64_t>(result.size());
    return Store(txn, key, result, 0, Value::Int(n));
  }
  if (op.code == OpCode::kZAdd) return ApplyZAdd(txn, op);
  CAIRN_ASSIGN_OR_RETURN(auto d, DecodedValue<DecodedZSet>::Open(txn, key, kTypeZSet));
  if (d.wrong_type()) return Value::Error(errors::kWrongType);
  if (op.code == OpCode::kZPop && d.absent()) return Value::Array();
  if (d.absent()) return Value::Int(0);
  ZMemberSet& members = d->members;
  switch (op.code) {
    case OpCode::kZRem: {
      std::int64_t removed = 0;
      for (std::size_t i = 1; i < op.args.size(); ++i) {
        auto it = d->scores.find(op.args[i]);
        if (it == d->scores.end()) continue;
        d->Unplace(it->second, op.args[i]);
        d->Forget(op.args[i]);
        ++removed;
      }
      if (removed == 0) {  // nothing changed: the version stays (WATCH)
        CAIRN_RETURN_IF_ERROR(d.KeepUnchanged());
        return Value::Int(0);
      }
      CAIRN_RETURN_IF_ERROR(d.Keep());  // (none left: the key is deleted)
      return Value::Int(removed);
    }
    case OpCode::kZPop: {
      if (op.num == 0) return Value::Array();
      const std::size_t n =
          std::min<std::size_t>(op.num < 0 ? 1 : static_cast<std::size_t>(op.num), members.size());
      const bool max = op.flags & kZMax;
      std::vector<Value> items;
      items.reserve(2 * n);
      for (std::size_t i = 0; i < n; ++i) {
        auto it = max ? std::prev(members.end()) : members.begin();
        // (a set's elements are const: the member is copied out)
        ZMember m = std::move(members.extract(it).value());
        d->Forget(m.member);
        items.push_back(Value::BulkOwned(std::move(m.member)));
        items.push_back(Value::Double(m.score));
      }
      // Without a count the reply is one flat pair in both protocols.
      Value reply = op.num < 0 ? Value::Array(std::move(items)) : Value::Pairs(std::move(items));
      CAIRN_RETURN_IF_ERROR(d.Keep());
      return reply;
    }
    case OpCode::kZRemRange: {
      // Ranks, and Redis's walk of a lex range, read the members in order:
      // O(n) like the command itself, so a vector of them serves.
      const ZMembers in_order(members.begin(), members.end());
      Span span;
      if (!RangeSpan(op, in_order, /*rev=*/false, &span)) return BadRange(op);
      if (span.begin == span.end) return Value::Int(0);
      auto first = std::next(members.begin(), static_cast<std::ptrdiff_t>(span.begin));
      auto last = first;
      for (std::size_t i = span.begin; i < span.end; ++i, ++last) d->Forget(last->member);
      members.erase(first, last);
      CAIRN_RETURN_IF_ERROR(d.Keep());
      return Value::Int(static_cast<std::int64_t>(span.end - span.begin));
    }
    default: break;
  }
  return Status::InvalidArgument("kv: not a sorted set write op");
}

Value ReadZCombine(const Op& op,
                   const std::function<Result<const Record*>(const std::string&)>& load) {
  ZMembers result;
  Result<Value> error = Combine(op, 0, load, &result);
  if (!error.ok()) return Value::Error("ERR storage: " + error.status().ToString());
  if (error->is_error()) return std::move(*error);
  if (op.flags & kZCombineCard) {  // ZINTERCARD
    const auto n = static_cast<std::int64_t>(result.size());
    return Value::Int(op.num2 > 0 ? std::min(n, op.num2) : n);
  }
  std::vector<std::size_t> order(result.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  return MembersReply(result, order, op.flags & kZCombineWithScores);
}

Value ReadZSet(const Op& op, const Record* rec) {
  if (IsGeoOp(op.code)) return ReadGeo(op, rec);
  if (rec != nullptr && rec->type != kTypeZSet) return Value::Error(errors::kWrongType);
  ZMembers members = rec != nullptr ? DecodeZSet(rec->value) : ZMembers();
  auto find = [&](std::string_view member) -> const ZMember* {
    for (const ZMember& m : members) {
      if (m.member == member) return &m;
    }
    return nullptr;
  };
  switch (op.code) {
    case OpCode::kZCard: return Value::Int(static_cast<std::int64_t>(members.size()));
    case OpCode::kZScore: {
      const ZMember* m = find(op.args[1]);
      return m != nullptr ? Value::Double(m->score) : Value::Null();
    }
    case OpCode::kZMScore: {
      Value out = Value::Array();
      for (std::size_t i = 1; i < op.args.size(); ++i) {
        const ZMember* m = find(op.args[i]);
        out.elems.push_back(m != nullptr ? Value::Double(m->score) : Value::Null());
      }
      return out;
    }
    case OpCode::kZRank: {
      const ZMember* m = find(op.args[1]);
      if (m == nullptr) return Value::Null();
      const auto rank = static_cast<std::int64_t>(m - members.data());
      const auto n = static_cast<std::int64_t>(members.size());
      return Value::Int((op.flags & kZRev) ? n - 1 - rank : rank);
    }
    case OpCode::kZCount:
    case OpCode::kZLexCount: {
      Op range = op;
      range.flags = op.code == OpCode::kZCount ? kZByScore : kZByLex;
      Span span;
      if (!RangeSpan(range, members, /*rev=*/false, &span)) return BadRange(range);
      return Value::Int(static_cast<std::int64_t>(span.end - span.begin));
    }
    case OpCode::kZRange: {
      std::vector<std::size_t> order;
      if (!RangeOrder(op, members, &order)) return BadRange(op);
      return MembersReply(members, order, op.flags & kZWithScores);
    }
    case OpCode::kZRandMember:
      return RandomReply(
          op, members.size(), [&](std::size_t i) { return Value::Bulk(members[i].member); },
          [&](std::size_t i) { return Value::Double(members[i].score); });
    case OpCode::kZScan: {
      if (rec == nullptr) return Value::Array({Value::Bulk("0"), Value::Array()});
      if (op.flags & kHScanBadOption) {
        return Value::Error(op.num2 == 0 ? errors::kNotInteger : errors::kSyntax);
      }
      // Every member in one reply, cursor 0, as HSCAN (hash_ops.cc says why).
      const std::string* pattern = (op.flags & kScanMatch) ? &op.args[1] : nullptr;
      Value items = Value::Array();
      for (ZMember& m : members) {
        if (pattern != nullptr && !GlobMatch(*pattern, m.member)) continue;
        items.elems.push_back(Value::BulkOwned(std::move(m.member)));
        items.elems.push_back(Value::BulkOwned(FormatScore(m.score)));
      }
      return Value::Array({Value::Bulk("0"), std::move(items)});
    }
    default: break;
  }
  return Value::Error("ERR not a sorted set read command");
}

}  // namespace cairn::kv
