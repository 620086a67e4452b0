#include "kv/keyspace_events.h"

#include <algorithm>
#include <utility>

#include "kv/op_name.h"

namespace cairn::kv {
namespace {

struct Letter {
  char c;
  std::uint32_t bits;
};
// Redis's letters, in the order CONFIG GET writes the classes.
constexpr Letter kClasses[] = {
    {'g', kNotifyGeneric}, {'$', kNotifyString}, {'l', kNotifyList},    {'s', kNotifySet},
    {'h', kNotifyHash},    {'z', kNotifyZSet},   {'x', kNotifyExpired}, {'e', kNotifyEvicted},
    {'t', kNotifyStream},  {'d', kNotifyModule}, {'n', kNotifyNew},
};

struct Event {
  std::uint32_t type;
  std::string_view name;
};
constexpr Event kDel{kNotifyGeneric, "del"};

// How an op's event relates to the key being gone after it.
enum class IfGone : std::uint8_t {
  kAlsoDel,  // the event, then "del" (a pop that emptied a list)
  kOnlyDel,  // "del" instead (a store of an empty result, EXPIRE in the past)
  kAsIs,     // the event says it (DEL, expired, RENAME's source)
};

// The op's own events on one key it changed (at most two), and what being
// gone adds.
struct OwnEvents {
  Event first{0, ""};
  Event second{0, ""};
  IfGone gone = IfGone::kAlsoDel;
};

OwnEvents EventsOf(const Op& op, const std::string& key) {
  const bool left = op.flags & kListLeft;
  auto one = [](std::uint32_t type, std::string_view name, IfGone gone = IfGone::kAlsoDel) {
    return OwnEvents{{type, name}, {0, ""}, gone};
  };
  switch (op.code) {
    case OpCode::kSet:
      if (op.flags & kSetExpire) return {{kNotifyString, "set"}, {kNotifyGeneric, "expire"}};
      return one(kNotifyString, "set");
    case OpCode::kMSet:
    case OpCode::kMSetNx: return one(kNotifyString, "set");
    case OpCode::kDel:
    case OpCode::kGetDel: return one(kNotifyGeneric, "del", IfGone::kAsIs);
    case OpCode::kExpireUpTo: return one(kNotifyExpired, "expired", IfGone::kAsIs);
    case OpCode::kIncrBy: return one(kNotifyString, "incrby");
    case OpCode::kIncrByFloat: return one(kNotifyString, "incrbyfloat");
    case OpCode::kAppend: return one(kNotifyString, "append");
    case OpCode::kSetRange: return one(kNotifyString, "setrange");
    case OpCode::kExpireAt: return one(kNotifyGeneric, "expire", IfGone::kOnlyDel);
    case OpCode::kPersist: return one(kNotifyGeneric, "persist");
    case OpCode::kGetEx:
      return one(kNotifyGeneric, (op.flags & kGetExPersist) ? "persist" : "expire",
                 IfGone::kOnlyDel);
    case OpCode::kRename:
      return key == op.args[0] ? one(kNotifyGeneric, "rename_from", IfGone::kAsIs)
                               : one(kNotifyGeneric, "rename_to");
    case OpCode::kCopy: return one(kNotifyGeneric, "copy_to");
    case OpCode::kRestore: return one(kNotifyGeneric, "restore", IfGone::kOnlyDel);
    case OpCode::kHSet: return one(kNotifyHash, "hset");
    case OpCode::kHDel: return one(kNotifyHash, "hdel");
    case OpCode::kHIncrBy: return one(kNotifyHash, "hincrby");
    case OpCode::kHIncrByFloat: return one(kNotifyHash, "hincrbyfloat");
    case OpCode::kSAdd: return one(kNotifySet, "sadd");
    case OpCode::kSRem: return one(kNotifySet, "srem");
    case OpCode::kSPop: return one(kNotifySet, "spop");
    case OpCode::kSMove:
      return key == op.args[0] ? one(kNotifySet, "srem") : one(kNotifySet, "sadd");
    case OpCode::kSStore: return one(kNotifySet, OpCommandName(op), IfGone::kOnlyDel);
    case OpCode::kLPush: return one(kNotifyList, left ? "lpush" : "rpush");
    case OpCode::kLPop:
    case OpCode::kLPopFirst: return one(kNotifyList, left ? "lpop" : "rpop");
    case OpCode::kLSet: return one(kNotifyList, "lset");
    case OpCode::kLRem: return one(kNotifyList, "lrem");
    case OpCode::kLTrim: return one(kNotifyList, "ltrim");
    case OpCode::kLInsert: return one(kNotifyList, "linsert");
    case OpCode::kLMove: {
      const Event pop{kNotifyList, left ? "lpop" : "rpop"};
      const Event push{kNotifyList, (op.flags & kListToLeft) ? "lpush" : "rpush"};
      // Redis announces the push first (and on one key, both).
      if (op.args[0] == op.args[1]) return {push, pop};
      return key == op.args[0] ? OwnEvents{pop} : OwnEvents{push};
    }
    case OpCode::kZAdd: return one(kNotifyZSet, (op.flags & kZAddIncr) ? "zincr" : "zadd");
    case OpCode::kZRem: return one(kNotifyZSet, "zrem");
    case OpCode::kZPop:
    case OpCode::kZPopFirst: return one(kNotifyZSet, (op.flags & kZMax) ? "zpopmax" : "zpopmin");
    case OpCode::kZRemRange: return one(kNotifyZSet, OpCommandName(op));
    case OpCode::kZStore: return one(kNotifyZSet, OpCommandName(op), IfGone::kOnlyDel);
    case OpCode::kZRangeStore: return one(kNotifyZSet, "zrangestore", IfGone::kOnlyDel);
    case OpCode::kGeoStore:
      return one(kNotifyZSet, (op.flags & kGeoFormMask) == 3 ? "geosearchstore" : "georadiusstore",
                 IfGone::kOnlyDel);
    case OpCode::kSortStore: return one(kNotifyList, "sortstore", IfGone::kOnlyDel);
    case OpCode::kXAdd: return one(kNotifyStream, "xadd");
    case OpCode::kXDel: return one(kNotifyStream, "xdel");
    case OpCode::kXTrim: return one(kNotifyStream, "xtrim");
    case OpCode::kXSetId: return one(kNotifyStream, "xsetid");
    case OpCode::kXGroup:
      switch (op.flags & kXGroupSubMask) {
        case kXGroupCreate: return one(kNotifyStream, "xgroup-create");
        case kXGroupSetId: return one(kNotifyStream, "xgroup-setid");
        case kXGroupDestroy: return one(kNotifyStream, "xgroup-destroy");
        case kXGroupCreateConsumer: return one(kNotifyStream, "xgroup-createconsumer");
        case kXGroupDelConsumer: return one(kNotifyStream, "xgroup-delconsumer");
        default: break;
      }
      break;
    case OpCode::kSetBit:
    case OpCode::kBitField: return one(kNotifyString, "setbit");
    case OpCode::kBitOp: return one(kNotifyString, "set", IfGone::kOnlyDel);
    case OpCode::kPfAdd:
    case OpCode::kPfMerge: return one(kNotifyString, "pfadd");
    default:
      break;  // EVAL (its commands raise their own), PUBLISH, FLUSHDB, the
              // consumer-group reads and acknowledgements
  }
  return {};
}

}  // namespace

std::optional<std::uint32_t> ParseKeyspaceEventFlags(std::string_view letters) {
  std::uint32_t flags = 0;
  for (char c : letters) {
    if (c == 'A') {
      flags |= kNotifyAll;
    } else if (c == 'K') {
      flags |= kNotifyKeyspace;
    } else if (c == 'E') {
      flags |= kNotifyKeyevent;
    } else if (c == 'm') {
      flags |= kNotifyKeyMiss;
    } else {
      std::uint32_t bits = 0;
      for (const Letter& l : kClasses) {
        if (l.c == c) bits = l.bits;
      }
      if (bits == 0) return std::nullopt;
      flags |= bits;
    }
  }
  return flags;
}

std::string FormatKeyspaceEventFlags(std::uint32_t flags) {
  std::string out;
  if ((flags & kNotifyAll) == kNotifyAll) {
    out += 'A';
  } else {
    for (const Letter& l : kClasses) {
      if (flags & l.bits) out += l.c;
    }
  }
  if (flags & kNotifyKeyspace) out += 'K';
  if (flags & kNotifyKeyevent) out += 'E';
  if (flags & kNotifyKeyMiss) out += 'm';
  return out;
}

void OpKeyspaceEvents(const Op& op, std::span<const std::string> written,
                      const std::vector<bool>& gone, std::vector<KeyspaceEvent>* out) {
  std::vector<std::size_t> order(written.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  // Redis's order, whichever key the op changed first: RENAME and SMOVE
  // speak of their source first, LMOVE of its destination.
  const bool two_keys = written.size() == 2 && op.args.size() >= 2;
  if (two_keys && (op.code == OpCode::kRename || op.code == OpCode::kSMove) &&
      written[1] == op.args[0]) {
    std::swap(order[0], order[1]);
  }
  if (two_keys && op.code == OpCode::kLMove && written[0] == op.args[0]) {
    std::swap(order[0], order[1]);
  }
  // MSET speaks of each pair, a key named twice twice (MSETNX that wrote
  // nothing wrote no key, so it raises none).
  if ((op.code == OpCode::kMSet || op.code == OpCode::kMSetNx) && !written.empty()) {
    for (std::size_t a = 0; a + 1 < op.args.size(); a += 2) {
      out->push_back({kNotifyString, "set", op.args[a]});
    }
    return;
  }
  for (std::size_t i : order) {
    const std::string& key = written[i];
    const OwnEvents own = EventsOf(op, key);
    if (own.first.name.empty()) continue;
    if (gone[i] && own.gone == IfGone::kOnlyDel) {
      out->push_back({kDel.type, kDel.name, key});
      continue;
    }
    out->push_back({own.first.type, own.first.name, key});
    if (!own.second.name.empty()) out->push_back({own.second.type, own.second.name, key});
    if (gone[i] && own.gone == IfGone::kAlsoDel) out->push_back({kDel.type, kDel.name, key});
  }
}

void AddNewKeyEvents(const Op& op, std::span<const std::string> written,
                     const std::vector<bool>& created, const std::vector<bool>& gone,
                     std::vector<KeyspaceEvent>* events) {
  // RENAME, COPY and RESTORE add their destination anew even over a key
  // that was there (Redis deletes it first), so "new" comes either way.
  const std::string* always = nullptr;
  if ((op.code == OpCode::kRename || op.code == OpCode::kCopy) && op.args.size() >= 2) {
    always = &op.args[1];
  } else if (op.code == OpCode::kRestore && !op.args.empty()) {
    always = &op.args[0];
  }
  std::vector<std::string> fresh;
  for (std::size_t i = 0; i < written.size(); ++i) {
    if (!gone[i] && (created[i] || (always != nullptr && written[i] == *always))) {
      fresh.push_back(written[i]);
    }
  }
  if (fresh.empty()) return;
  std::vector<KeyspaceEvent> out;
  out.reserve(events->size() + fresh.size());
  if (op.code == OpCode::kRename) {  // the destination is added before either event
    for (std::string& key : fresh) out.push_back({kNotifyNew, "new", std::move(key)});
    for (KeyspaceEvent& e : *events) out.push_back(std::move(e));
    *events = std::move(out);
    return;
  }
  // Elsewhere a key is added just before its own first event (SMOVE: the
  // source's srem, then the destination's new and sadd; MSET: each key's new
  // before its set).
  for (const std::string& key : fresh) {
    const bool has_event = std::any_of(events->begin(), events->end(),
                                       [&](const KeyspaceEvent& e) { return e.key == key; });
    if (!has_event) out.push_back({kNotifyNew, "new", key});
  }
  for (KeyspaceEvent& e : *events) {
    if (auto it = std::find(fresh.begin(), fresh.end(), e.key); it != fresh.end()) {
      out.push_back({kNotifyNew, "new", e.key});
      fresh.erase(it);  // once, before the key's first event
    }
    out.push_back(std::move(e));
  }
  *events = std::move(out);
}

}  // namespace cairn::kv
