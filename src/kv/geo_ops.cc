// The geospatial commands on sorted sets (GEOPOS, GEODIST, GEOHASH, the
// searches and their STORE forms), following Redis 7.0. GEOADD is parsed
// into a ZADD (kv/parse.cc); the arithmetic is kv/geo.h's.
#include <algorithm>

#include "kv/apply_txn.h"
#include "kv/errors.h"
#include "kv/geo.h"
#include "kv/zset.h"

namespace cairn::kv {
namespace {

using resp::Value;

constexpr std::string_view kTooBig =
    "ERR sorted set exceeds the maximum record size (512 MiB) in Cairn";

const ZMember* Find(const ZMembers& members, std::string_view member) {
  for (const ZMember& m : members) {
    if (m.member == member) return &m;
  }
  return nullptr;
}

Value Coordinates(GeoPoint p) {
  return Value::Array({Value::DoubleText(GeoFormatCoordinate(p.lon)),
                       Value::DoubleText(GeoFormatCoordinate(p.lat))});
}

// The arguments after the source key, which ParseGeoQuery reads.
std::vector<std::string> QueryArgs(const Op& op, std::size_t first) {
  return {op.args.begin() + static_cast<std::ptrdiff_t>(first), op.args.end()};
}

GeoForm FormOf(const Op& op) { return static_cast<GeoForm>(op.flags & kGeoFormMask); }

Value SearchReply(const GeoQuery& q, const std::vector<GeoMatch>& found) {
  Value out = Value::Array();
  out.elems.reserve(found.size());
  const bool plain = !q.with_dist && !q.with_hash && !q.with_coord;
  for (const GeoMatch& m : found) {
    if (plain) {
      out.elems.push_back(Value::Bulk(m.member));
      continue;
    }
    Value item = Value::Array({Value::Bulk(m.member)});
    if (q.with_dist) item.elems.push_back(Value::BulkOwned(GeoFormatDistance(m.dist)));
    if (q.with_hash) item.elems.push_back(Value::Int(static_cast<std::int64_t>(m.score)));
    if (q.with_coord) item.elems.push_back(Coordinates(m.point));
    out.elems.push_back(std::move(item));
  }
  return out;
}

Value Search(const Op& op, const Record* rec) {
  const ZMembers members = rec != nullptr ? DecodeZSet(rec->value) : ZMembers();
  GeoQuery q;
  Status parsed = ParseGeoQuery(FormOf(op), QueryArgs(op, 1), op.flags & kGeoReadOnly, std::nullopt,
                                rec != nullptr ? &members : nullptr, &q);
  if (!parsed.ok()) return Value::Error(parsed.message());
  if (rec == nullptr) return Value::Array();
  return SearchReply(q, GeoSearch(q, members));
}

}  // namespace

Value ReadGeo(const Op& op, const Record* rec) {
  if (rec != nullptr && rec->type != kTypeZSet) return Value::Error(errors::kWrongType);
  if (op.code == OpCode::kGeoSearch) return Search(op, rec);
  const ZMembers members = rec != nullptr ? DecodeZSet(rec->value) : ZMembers();
  switch (op.code) {
    case OpCode::kGeoPos:
    case OpCode::kGeoHash: {
      Value out = Value::Array();
      for (std::size_t i = 1; i < op.args.size(); ++i) {
        const ZMember* m = Find(members, op.args[i]);
        if (op.code == OpCode::kGeoHash) {
          out.elems.push_back(m != nullptr ? Value::BulkOwned(GeoHashString(m->score))
                                           : Value::Null());
        } else {
          out.elems.push_back(m != nullptr ? Coordinates(GeoDecode(m->score)) : Value::NullArray());
        }
      }
      return out;
    }
    case OpCode::kGeoDist: {
      const ZMember* a = Find(members, op.args[1]);
      const ZMember* b = Find(members, op.args[2]);
      const std::optional<double> to_meters = GeoUnit(op.args[3]);
      if (a == nullptr || b == nullptr || !to_meters) return Value::Null();
      return Value::BulkOwned(
          GeoFormatDistance(GeoDistance(GeoDecode(a->score), GeoDecode(b->score)) / *to_meters));
    }
    default: break;
  }
  return Value::Error("ERR not a geo read command");
}

Result<Value> ApplyGeoStore(ApplyTxn* txn, const Op& op) {
  const std::string& destination = op.args[0];
  CAIRN_ASSIGN_OR_RETURN(const Record* src, txn->LiveRecord(op.args[1]));
  if (src != nullptr && src->type != kTypeZSet) return Value::Error(errors::kWrongType);
  const GeoForm form = FormOf(op);
  const ZMembers members = src != nullptr ? DecodeZSet(src->value) : ZMembers();
  GeoQuery q;
  Status parsed =
      ParseGeoQuery(form, QueryArgs(op, 2), /*read_only=*/false,
                    form == GeoForm::kSearchStore ? std::optional(destination) : std::nullopt,
                    src != nullptr ? &members : nullptr, &q);
  if (!parsed.ok()) return Value::Error(parsed.message());
  if (!q.store || *q.store != destination) return Value::Error("ERR syntax error");
  ZMembers stored;
  for (const GeoMatch& m : GeoSearch(q, members)) {
    stored.push_back({q.store_dist ? m.dist : m.score, std::string(m.member)});
  }
  // A search that found nothing deletes the destination, as Redis does.
  if (stored.empty()) {
    CAIRN_RETURN_IF_ERROR(txn->Erase(destination));
    return Value::Int(0);
  }
  std::sort(stored.begin(), stored.end(), ZLess);
  const auto n = static_cast<std::int64_t>(stored.size());
  std::string bytes = EncodeZSet(stored);
  if (bytes.size() > kValueBytesMax) return Value::Error(kTooBig);
  CAIRN_RETURN_IF_ERROR(txn->Put(destination, std::move(bytes), 0, kTypeZSet));
  return Value::Int(n);
}

}  // namespace cairn::kv
