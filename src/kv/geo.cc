#include "kv/geo.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numbers>

#include "kv/parse.h"
#include "kv/zset.h"

namespace cairn::kv {
namespace {

constexpr int kSteps = 26;  // bits per coordinate: 52 in a score
constexpr double kEarthRadiusM = 6372797.560856;
constexpr double kDegToRad = std::numbers::pi / 180.0;

struct Range {
  double min, max;
};
constexpr Range kLon{kGeoLonMin, kGeoLonMax};
constexpr Range kLat{kGeoLatMin, kGeoLatMax};
constexpr Range kLatStandard{-90, 90};  // the geohash strings' range

// `even` on the even bit positions of the result, `odd` on the odd ones.
std::uint64_t Interleave(std::uint32_t even, std::uint32_t odd) {
  std::uint64_t out = 0;
  for (int i = 0; i < 32; ++i) {
    out |= static_cast<std::uint64_t>((even >> i) & 1) << (2 * i);
    out |= static_cast<std::uint64_t>((odd >> i) & 1) << (2 * i + 1);
  }
  return out;
}

// The bits on even positions (low half) and odd positions (high half).
void Deinterleave(std::uint64_t bits, std::uint32_t* even, std::uint32_t* odd) {
  *even = 0;
  *odd = 0;
  for (int i = 0; i < 32; ++i) {
    *even |= static_cast<std::uint32_t>((bits >> (2 * i)) & 1) << i;
    *odd |= static_cast<std::uint32_t>((bits >> (2 * i + 1)) & 1) << i;
  }
}

// The cell's index along one axis, truncated as Redis's interleave does
// (a coordinate at the range's top lands one past the last cell).
std::uint32_t CellIndex(double v, Range r) {
  double offset = (v - r.min) / (r.max - r.min);
  offset *= static_cast<double>(std::uint64_t{1} << kSteps);
  return static_cast<std::uint32_t>(offset);
}

std::uint64_t Encode(GeoPoint p, Range lat) {
  return Interleave(CellIndex(p.lat, lat), CellIndex(p.lon, kLon));
}

double CellCentre(std::uint32_t index, Range r) {
  // The operations in Redis's order, so that the digits are its digits.
  const double scale = r.max - r.min;
  const double steps = static_cast<double>(std::uint64_t{1} << kSteps);
  const double lo = r.min + (index * 1.0 / steps) * scale;
  const double hi = r.min + ((index + 1.0) * 1.0 / steps) * scale;
  return std::clamp((lo + hi) / 2, r.min, r.max);
}

// A score as Redis reads it back ((uint64_t)score): truncated, with what C
// leaves undefined (negative, NaN, too large) made zero or the largest.
std::uint64_t ScoreBits(double score) {
  if (!(score > 0)) return 0;
  if (score >= 18446744073709551616.0) return UINT64_MAX;
  return static_cast<std::uint64_t>(score);
}

double LatDistance(double lat1, double lat2) {
  return kEarthRadiusM * std::fabs(lat2 * kDegToRad - lat1 * kDegToRad);
}

// Redis's rectangle test: within half the height in latitude, half the width
// along the place's parallel; the distance then is to the centre.
bool InBox(const GeoQuery& q, GeoPoint centre, GeoPoint p, double* dist) {
  const double height = q.height * q.to_meters, width = q.width * q.to_meters;
  if (LatDistance(p.lat, centre.lat) > height / 2) return false;
  if (GeoDistance({p.lon, p.lat}, {centre.lon, p.lat}) > width / 2) return false;
  *dist = GeoDistance(centre, p);
  return true;
}

// getDoubleFromObjectOrReply: the float, or `error` (Redis's generic text
// when none is named).
Status Float(std::string_view text, double* out, std::string_view error) {
  if (ParseScore(text, out)) return Status::Ok();
  return Status::InvalidArgument(error.empty() ? "ERR value is not a valid float"
                                               : std::string(error));
}

Status LonLat(const std::string& lon, const std::string& lat, GeoPoint* out) {
  CAIRN_RETURN_IF_ERROR(Float(lon, &out->lon, ""));
  CAIRN_RETURN_IF_ERROR(Float(lat, &out->lat, ""));
  if (!GeoValid(*out)) return Status::InvalidArgument(GeoInvalidPairError(*out));
  return Status::Ok();
}

Status Unit(std::string_view text, double* to_meters) {
  std::optional<double> unit = GeoUnit(text);
  if (!unit) return Status::InvalidArgument(std::string(kGeoBadUnit));
  *to_meters = *unit;
  return Status::Ok();
}

Status Radius(const std::string& radius, const std::string& unit, GeoQuery* q) {
  CAIRN_RETURN_IF_ERROR(Float(radius, &q->radius, "ERR need numeric radius"));
  if (q->radius < 0) return Status::InvalidArgument("ERR radius cannot be negative");
  q->box = false;
  return Unit(unit, &q->to_meters);
}

Status Box(const std::string& width, const std::string& height, const std::string& unit,
           GeoQuery* q) {
  CAIRN_RETURN_IF_ERROR(Float(width, &q->width, "ERR need numeric width"));
  CAIRN_RETURN_IF_ERROR(Float(height, &q->height, "ERR need numeric height"));
  if (q->width < 0 || q->height < 0) {
    return Status::InvalidArgument("ERR height or width cannot be negative");
  }
  q->box = true;
  return Unit(unit, &q->to_meters);
}

}  // namespace

bool GeoValid(GeoPoint p) {
  return p.lon >= kGeoLonMin && p.lon <= kGeoLonMax && p.lat >= kGeoLatMin && p.lat <= kGeoLatMax;
}

std::string GeoInvalidPairError(GeoPoint p) {
  char buf[700];  // %f of the largest double is 316 digits
  std::snprintf(buf, sizeof(buf), "ERR invalid longitude,latitude pair %f,%f", p.lon, p.lat);
  return buf;
}

std::uint64_t GeoEncode(GeoPoint p) { return Encode(p, kLat); }

GeoPoint GeoDecode(double score) {
  std::uint32_t lat = 0, lon = 0;
  Deinterleave(ScoreBits(score), &lat, &lon);
  return {CellCentre(lon, kLon), CellCentre(lat, kLat)};
}

std::string GeoHashString(double score) {
  static constexpr char kAlphabet[] = "0123456789bcdefghjkmnpqrstuvwxyz";
  const std::uint64_t bits = Encode(GeoDecode(score), kLatStandard);
  std::string out(11, '0');
  for (int i = 0; i < 10; ++i) out[i] = kAlphabet[(bits >> (52 - (i + 1) * 5)) & 0x1f];
  return out;  // (the 11th character stands for bits the score does not have)
}

double GeoDistance(GeoPoint a, GeoPoint b) {
  const double lon1 = a.lon * kDegToRad, lon2 = b.lon * kDegToRad;
  const double v = std::sin((lon2 - lon1) / 2);
  // On one meridian the distance is the latitudes' arc (Redis's shortcut,
  // kept for its digits).
  if (v == 0.0) return LatDistance(a.lat, b.lat);
  const double lat1 = a.lat * kDegToRad, lat2 = b.lat * kDegToRad;
  const double u = std::sin((lat2 - lat1) / 2);
  const double h = u * u + std::cos(lat1) * std::cos(lat2) * v * v;
  return 2.0 * kEarthRadiusM * std::asin(std::sqrt(h));
}

std::string GeoFormatDistance(double d) {
  char buf[400];
  std::snprintf(buf, sizeof(buf), "%.4f", d);
  return buf;
}

std::string GeoFormatCoordinate(double v) { return FormatLongDouble(static_cast<long double>(v)); }

std::optional<double> GeoUnit(std::string_view unit) {
  const std::string u(unit);
  if (IsKeyword(u, "m")) return 1.0;
  if (IsKeyword(u, "km")) return 1000.0;
  if (IsKeyword(u, "ft")) return 0.3048;
  if (IsKeyword(u, "mi")) return 1609.34;
  return std::nullopt;
}

Status ParseGeoQuery(GeoForm form, const std::vector<std::string>& args, bool read_only,
                     std::optional<std::string> store, const std::vector<ZMember>* members,
                     GeoQuery* out) {
  GeoQuery q;
  auto from_member = [&](const std::string& member) {
    q.from_member = true;
    if (members == nullptr) return Status::Ok();
    for (const ZMember& m : *members) {
      if (m.member == member) {
        q.center = GeoDecode(m.score);
        return Status::Ok();
      }
    }
    return Status::InvalidArgument(std::string(kGeoNoMember));
  };
  q.store = std::move(store);
  const bool search = form == GeoForm::kSearch || form == GeoForm::kSearchStore;
  std::size_t i = 0;
  // GEORADIUS and GEORADIUSBYMEMBER: the centre and radius come first.
  if (form == GeoForm::kRadius) {
    if (args.size() < 4) return Status::InvalidArgument("ERR syntax error");
    CAIRN_RETURN_IF_ERROR(LonLat(args[0], args[1], &q.center));
    CAIRN_RETURN_IF_ERROR(Radius(args[2], args[3], &q));
    i = 4;
  } else if (form == GeoForm::kRadiusByMember) {
    if (args.size() < 3) return Status::InvalidArgument("ERR syntax error");
    CAIRN_RETURN_IF_ERROR(from_member(args[0]));
    CAIRN_RETURN_IF_ERROR(Radius(args[1], args[2], &q));
    i = 3;
  }
  bool from_lonlat = false, by_radius = false, by_box = false;
  const auto syntax = [] { return Status::InvalidArgument("ERR syntax error"); };
  for (; i < args.size(); ++i) {
    const std::string& arg = args[i];
    const std::size_t left = args.size() - i - 1;  // arguments after this one
    if (IsKeyword(arg, "withdist")) {
      q.with_dist = true;
    } else if (IsKeyword(arg, "withhash")) {
      q.with_hash = true;
    } else if (IsKeyword(arg, "withcoord")) {
      q.with_coord = true;
    } else if (IsKeyword(arg, "any")) {
      q.any = true;
    } else if (IsKeyword(arg, "asc")) {
      q.sort = GeoQuery::Sort::kAsc;
    } else if (IsKeyword(arg, "desc")) {
      q.sort = GeoQuery::Sort::kDesc;
    } else if (IsKeyword(arg, "count") && left >= 1) {
      if (!ParseStrictInt64(args[i + 1], &q.count)) {
        return Status::InvalidArgument("ERR value is not an integer or out of range");
      }
      if (q.count <= 0) return Status::InvalidArgument("ERR COUNT must be > 0");
      ++i;
    } else if ((IsKeyword(arg, "store") || IsKeyword(arg, "storedist")) && left >= 1 &&
               !read_only && !search) {
      q.store = args[i + 1];
      q.store_dist = IsKeyword(arg, "storedist");
      ++i;
    } else if (IsKeyword(arg, "storedist") && form == GeoForm::kSearchStore) {
      q.store_dist = true;
    } else if (search && IsKeyword(arg, "frommember") && left >= 1) {
      if (from_lonlat) return syntax();
      CAIRN_RETURN_IF_ERROR(from_member(args[i + 1]));
      ++i;
    } else if (search && IsKeyword(arg, "fromlonlat") && left >= 2) {
      if (q.from_member) return syntax();
      CAIRN_RETURN_IF_ERROR(LonLat(args[i + 1], args[i + 2], &q.center));
      from_lonlat = true;
      i += 2;
    } else if (search && IsKeyword(arg, "byradius") && left >= 2) {
      if (by_box) return syntax();
      CAIRN_RETURN_IF_ERROR(Radius(args[i + 1], args[i + 2], &q));
      by_radius = true;
      i += 2;
    } else if (search && IsKeyword(arg, "bybox") && left >= 3) {
      if (by_radius) return syntax();
      CAIRN_RETURN_IF_ERROR(Box(args[i + 1], args[i + 2], args[i + 3], &q));
      by_box = true;
      i += 3;
    } else {
      return syntax();
    }
  }
  if (q.store && (q.with_dist || q.with_hash || q.with_coord)) {
    return Status::InvalidArgument(
        std::string("ERR ") +
        (form == GeoForm::kSearchStore ? "GEOSEARCHSTORE" : "STORE option in GEORADIUS") +
        " is not compatible with WITHDIST, WITHHASH and WITHCOORD options");
  }
  const char* name = form == GeoForm::kSearchStore ? "geosearchstore" : "geosearch";
  if (search && !q.from_member && !from_lonlat) {
    return Status::InvalidArgument(
        std::string("ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for ") + name);
  }
  if (search && !by_radius && !by_box) {
    return Status::InvalidArgument(
        std::string("ERR exactly one of BYRADIUS and BYBOX can be specified for ") + name);
  }
  if (q.any && q.count == 0) {
    return Status::InvalidArgument("ERR the ANY argument requires COUNT argument");
  }
  // The nearest COUNT need a sort; ANY takes the first COUNT found instead.
  if (q.count != 0 && q.sort == GeoQuery::Sort::kNone && !q.any) q.sort = GeoQuery::Sort::kAsc;
  *out = std::move(q);
  return Status::Ok();
}

std::vector<GeoMatch> GeoSearch(const GeoQuery& query, const std::vector<ZMember>& members) {
  const GeoPoint center = query.center;
  std::vector<GeoMatch> found;
  const double radius_m = query.radius * query.to_meters;
  for (const ZMember& m : members) {
    GeoMatch match{m.member, m.score, GeoDecode(m.score), 0};
    double dist = 0;
    if (query.box) {
      if (!InBox(query, center, match.point, &dist)) continue;
    } else {
      dist = GeoDistance(center, match.point);
      if (dist > radius_m) continue;
    }
    match.dist = dist / query.to_meters;
    found.push_back(match);
    if (query.any && static_cast<std::int64_t>(found.size()) >= query.count) break;
  }
  if (query.sort != GeoQuery::Sort::kNone) {
    const bool asc = query.sort == GeoQuery::Sort::kAsc;
    std::stable_sort(found.begin(), found.end(), [asc](const GeoMatch& a, const GeoMatch& b) {
      return asc ? a.dist < b.dist : a.dist > b.dist;
    });
  }
  if (query.count > 0 && static_cast<std::int64_t>(found.size()) > query.count) {
    found.resize(static_cast<std::size_t>(query.count));
  }
  return found;
}

}  // namespace cairn::kv
