#pragma once
// The geospatial commands' arithmetic and grammar (GEOADD, GEOPOS, GEODIST,
// GEOHASH, GEORADIUS, GEOSEARCH...), as Redis 7.0 defines them.
//
// A place is a sorted-set member whose score is a 52-bit geohash: the
// latitude and the longitude each cut into 2^26 steps and their bits
// interleaved (latitude on the even bits). Latitudes are limited to
// +-85.05112878 degrees, the range of the Web Mercator projection, so a
// score says where a place is to within about 0.6 m. Distances are on a
// sphere of Redis's Earth radius (6372797.560856 m). A reader gets the
// centre of the place's cell back, not the coordinates it was given, as
// from Redis; keeping Redis's arithmetic to the operation is what makes the
// coordinates and distances replied here the digits Redis replies.
//
// Thread-safety: pure functions and value types.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace cairn::kv {

inline constexpr double kGeoLatMin = -85.05112878;
inline constexpr double kGeoLatMax = 85.05112878;
inline constexpr double kGeoLonMin = -180;
inline constexpr double kGeoLonMax = 180;

struct GeoPoint {
  double lon = 0, lat = 0;
};

// Whether GEOADD and GEOSEARCH accept the pair (Redis's limits, inclusive).
bool GeoValid(GeoPoint p);
// The `"ERR invalid longitude,latitude pair ..."` error Redis gives for it.
std::string GeoInvalidPairError(GeoPoint p);
// The score of a valid place.
std::uint64_t GeoEncode(GeoPoint p);
// The centre of the cell `score` names (a score that is not a geohash,
// negative or fractional, decodes as Redis decodes it: truncated to an
// integer, and clamped into the limits).
GeoPoint GeoDecode(double score);
// The 11-character standard geohash (latitude from -90 to 90) of a score,
// as GEOHASH replies it: the last character is always '0', since the score
// holds 52 bits.
std::string GeoHashString(double score);
// The great-circle distance in metres.
double GeoDistance(GeoPoint a, GeoPoint b);
// A distance as GEODIST and WITHDIST reply it ("%.4f").
std::string GeoFormatDistance(double d);
// A coordinate as GEOPOS and WITHCOORD reply it (Redis's human long double).
std::string GeoFormatCoordinate(double v);
// Metres per unit of "m", "km", "ft" or "mi" (any case); nullopt otherwise.
std::optional<double> GeoUnit(std::string_view unit);
inline constexpr std::string_view kGeoBadUnit =
    "ERR unsupported unit provided. please use M, KM, FT, MI";

// Which command a search's arguments come from: they differ in where the
// centre and shape are and in which options they take.
enum class GeoForm : std::uint8_t {
  kRadius = 0,          // GEORADIUS key lon lat radius unit [options]
  kRadiusByMember = 1,  // GEORADIUSBYMEMBER key member radius unit [options]
  kSearch = 2,          // GEOSEARCH key FROM... BY... [options]
  kSearchStore = 3,     // GEOSEARCHSTORE dst key FROM... BY... [options]
};

struct GeoQuery {
  // The centre: a longitude and latitude, or a member's place (found while
  // parsing, if there were members to look in).
  bool from_member = false;
  GeoPoint center;
  // The shape: a circle of `radius`, or a `width` x `height` box, in units
  // of `to_meters` metres.
  bool box = false;
  double radius = 0, width = 0, height = 0;
  double to_meters = 1;
  enum class Sort : std::uint8_t { kNone, kAsc, kDesc } sort = Sort::kNone;
  std::int64_t count = 0;  // 0: all
  bool any = false;
  bool with_dist = false, with_hash = false, with_coord = false;
  std::optional<std::string> store;  // STORE / STOREDIST's key (GEOSEARCHSTORE's dst)
  bool store_dist = false;
};

struct ZMember;
// Parses a search's arguments: `args` are the command's arguments after the
// source key (for GEOSEARCHSTORE, after dst and the source key; its dst is
// passed as `store`). `read_only` refuses STORE and STOREDIST (the _RO
// forms). The error, if any, is Redis 7.0's reply, checked in its order;
// as in Redis, a FROMMEMBER (GEORADIUSBYMEMBER's member) is looked up in
// `members`, the source's sorted set, where it stands among the arguments,
// and its place becomes `center`. Without `members` (no source key, or
// checking arguments before there is data) it is not looked up.
Status ParseGeoQuery(GeoForm form, const std::vector<std::string>& args, bool read_only,
                     std::optional<std::string> store, const std::vector<ZMember>* members,
                     GeoQuery* out);
inline constexpr std::string_view kGeoNoMember = "ERR could not decode requested zset member";

// One place a search found: its member, score, decoded place and distance
// from the centre (in the query's unit).
struct GeoMatch {
  std::string_view member;
  double score = 0;
  GeoPoint point;
  double dist = 0;
};
// The members of `members` (a sorted set, in its order) inside the query's
// shape around its centre, sorted and cut as the query asks. Every member is
// looked at, so none in the shape is missed. Unsorted results come in score
// (geohash) order; ANY stops at COUNT matches in that order.
std::vector<GeoMatch> GeoSearch(const GeoQuery& query, const std::vector<ZMember>& members);

}  // namespace cairn::kv
