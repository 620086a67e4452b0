// The geospatial commands: the geohash arithmetic against figures taken
// from redis-server 7.0.15, the search grammar's order of errors, what the
// differential test cannot compare (RESP3 shapes, places Redis's boxes
// miss, MULTI, the log codec). GeoMatchesRedis holds the commands against
// a real redis-server.
#include "kv/geo.h"

#include <gtest/gtest.h>

#include "kv/log_entry.h"
#include "kv/test_driver.h"
#include "kv/zset.h"
#include "resp/writer.h"

namespace cairn::kv {
namespace {

using resp::Value;
constexpr std::int64_t kT = 1'700'000'000'000;

TEST(GeoTest, ScoresPlacesAndDistancesAreRedisFigures) {
  // GEOADD Sicily 13.361389 38.115556 Palermo 15.087269 37.502669 Catania
  const std::uint64_t palermo = GeoEncode({13.361389, 38.115556});
  const std::uint64_t catania = GeoEncode({15.087269, 37.502669});
  EXPECT_EQ(palermo, 3479099956230698u);
  EXPECT_EQ(catania, 3479447370796909u);
  const GeoPoint p = GeoDecode(static_cast<double>(palermo));
  EXPECT_EQ(GeoFormatCoordinate(p.lon), "13.36138933897018433");
  EXPECT_EQ(GeoFormatCoordinate(p.lat), "38.11555639549629859");
  const double d = GeoDistance(p, GeoDecode(static_cast<double>(catania)));
  EXPECT_EQ(GeoFormatDistance(d), "166274.1516");
  EXPECT_EQ(GeoFormatDistance(d / *GeoUnit("KM")), "166.2742");
  EXPECT_EQ(GeoFormatDistance(d / *GeoUnit("mi")), "103.3182");
  EXPECT_EQ(GeoFormatDistance(d / *GeoUnit("ft")), "545518.8700");
  EXPECT_FALSE(GeoUnit("yd"));
  EXPECT_EQ(GeoHashString(static_cast<double>(palermo)), "sqc8b49rny0");
  // The limits: the top of a range lands in a cell past the last, and is
  // clamped back when decoded.
  const double ne = static_cast<double>(GeoEncode({180, kGeoLatMax}));
  EXPECT_EQ(GeoFormatCoordinate(GeoDecode(ne).lon), "180");
  EXPECT_EQ(GeoFormatCoordinate(GeoDecode(ne).lat), "85.0511287799999991");
  EXPECT_EQ(GeoHashString(ne), "bp05b5048p0");
  const double sw = static_cast<double>(GeoEncode({-180, kGeoLatMin}));
  EXPECT_EQ(GeoFormatCoordinate(GeoDecode(sw).lon), "-179.99999731779098511");
  EXPECT_EQ(GeoHashString(sw), "00bh0hbj200");
  EXPECT_FALSE(GeoValid({180.000001, 0}));
  EXPECT_FALSE(GeoValid({0, 85.06}));
  EXPECT_EQ(GeoInvalidPairError({200, 100}),
            "ERR invalid longitude,latitude pair 200.000000,100.000000");
  // Scores that are not geohashes decode to some place within the limits.
  for (double score : {-1.0, 0.5, 1e300, std::numeric_limits<double>::infinity()}) {
    EXPECT_TRUE(GeoValid(GeoDecode(score))) << score;
  }
}

Status Parse(GeoForm form, std::vector<std::string> args, const ZMembers* members = nullptr,
             GeoQuery* out = nullptr) {
  GeoQuery q;
  return ParseGeoQuery(form, args, false, std::nullopt, members, out != nullptr ? out : &q);
}

TEST(GeoTest, SearchOptionsAreCheckedInRedisOrder) {
  const ZMembers members = {{3479099956230698.0, "Palermo"}};
  auto error = [&](GeoForm form, std::vector<std::string> args, const ZMembers* m = nullptr) {
    return std::string(Parse(form, std::move(args), m).message());
  };
  using F = GeoForm;
  EXPECT_EQ(error(F::kRadius, {"x", "1", "y", "km"}), "ERR value is not a valid float");
  EXPECT_EQ(error(F::kRadius, {"1", "1", "y", "km"}), "ERR need numeric radius");
  EXPECT_EQ(error(F::kRadius, {"1", "1", "-1", "km"}), "ERR radius cannot be negative");
  EXPECT_EQ(error(F::kRadius, {"1", "1", "1", "yd"}), kGeoBadUnit);
  EXPECT_EQ(error(F::kRadius, {"1", "1", "1", "m", "count", "0"}), "ERR COUNT must be > 0");
  EXPECT_EQ(error(F::kRadius, {"1", "1", "1", "m", "count"}), "ERR syntax error");
  EXPECT_EQ(error(F::kRadius, {"1", "1", "1", "m", "store", "d", "withdist"}),
            "ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and "
            "WITHCOORD options");
  EXPECT_EQ(error(F::kRadius, {"1", "1", "1", "m", "any"}),
            "ERR the ANY argument requires COUNT argument");
  // A FROMMEMBER is looked up where it stands: before a later bad option.
  EXPECT_EQ(error(F::kSearch, {"frommember", "nobody", "bybox", "1", "x", "m"}, &members),
            kGeoNoMember);
  EXPECT_EQ(error(F::kSearch, {"frommember", "nobody", "bybox", "1", "x", "m"}),
            "ERR need numeric height");
  EXPECT_EQ(error(F::kRadiusByMember, {"nobody", "1", "yd"}, &members), kGeoNoMember);
  EXPECT_EQ(error(F::kSearch, {"fromlonlat", "1", "2", "frommember", "Palermo"}),
            "ERR syntax error");
  EXPECT_EQ(error(F::kSearch, {"byradius", "1", "m", "bybox", "1", "1", "m"}), "ERR syntax error");
  EXPECT_EQ(error(F::kSearch, {"byradius", "1", "m", "asc"}),
            "ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for geosearch");
  EXPECT_EQ(error(F::kSearchStore, {"fromlonlat", "1", "2", "asc"}),
            "ERR exactly one of BYRADIUS and BYBOX can be specified for geosearchstore");
  EXPECT_EQ(error(F::kSearch, {"fromlonlat", "1", "2", "byradius", "1", "m", "storedist"}),
            "ERR syntax error");
  // COUNT without ANY sorts nearest first; a repeated option counts last.
  GeoQuery q;
  ASSERT_TRUE(
      Parse(F::kSearch,
            {"frommember", "Palermo", "byradius", "5", "km", "byradius", "7", "mi", "count", "3"},
            &members, &q)
          .ok());
  EXPECT_EQ(q.sort, GeoQuery::Sort::kAsc);
  EXPECT_EQ(q.radius, 7);
  EXPECT_EQ(q.to_meters, 1609.34);
  EXPECT_EQ(GeoFormatCoordinate(q.center.lon), "13.36138933897018433");
}

// Cairn looks at every member, so a place inside the circle is found even
// where Redis's nine geohash boxes do not reach: (180, 85.05) is about
// 5600 km from (11.87, 44.58), inside 5000 miles, and redis-server 7.0.15
// leaves it out of GEOSEARCH ... BYRADIUS 5000 mi.
TEST(GeoTest, SearchFindsPlacesAcrossThePoleAndTheAntimeridian) {
  testing::Driver kv;
  ASSERT_EQ(kv.Run({"geoadd", "g", "180", "85.05112878", "ne", "11.9", "44.6", "near"}, kT),
            Value::Int(2));
  EXPECT_EQ(kv.Run({"geosearch", "g", "fromlonlat", "11.8674448", "44.5769091", "byradius", "5000",
                    "mi", "asc"},
                   kT),
            Value::Array({Value::Bulk("near"), Value::Bulk("ne")}));
}

TEST(GeoTest, RepliesInResp3AndInTransactions) {
  testing::Driver kv;
  kv.Run({"geoadd", "g", "13.361389", "38.115556", "Palermo"}, kT);
  std::string out;
  resp::Writer(&out, resp::Protocol::kResp3).Write(kv.Run({"geopos", "g", "Palermo", "x"}, kT));
  EXPECT_EQ(out, "*2\r\n*2\r\n,13.36138933897018433\r\n,38.11555639549629859\r\n_\r\n");
  out.clear();
  resp::Writer(&out, resp::Protocol::kResp2).Write(kv.Run({"geopos", "g", "x"}, kT));
  EXPECT_EQ(out, "*1\r\n*-1\r\n");
  // In MULTI: a search that stores, and reads, in one entry.
  Value replies = kv.Exec({{"geoadd", "g", "15.087269", "37.502669", "Catania"},
                           {"geosearchstore", "near", "g", "frommember", "Catania", "byradius",
                            "200", "km", "storedist"},
                           {"geodist", "g", "Palermo", "Catania", "km"},
                           {"georadius_ro", "g", "15", "37", "100", "km"}},
                          {}, kT);
  EXPECT_EQ(replies, Value::Array({Value::Int(1), Value::Int(2), Value::Bulk("166.2742"),
                                   Value::Array({Value::Bulk("Catania")})}));
  EXPECT_EQ(kv.Run({"zscore", "near", "Catania"}, kT), Value::Double(0));
  EXPECT_EQ(kv.Run({"type", "near"}, kT), Value::Simple("zset"));
}

TEST(GeoTest, MalformedGeoOpsAreCorruption) {
  auto decodes = [](Op op, EntryKind kind = EntryKind::kBatch) {
    LogEntry e;
    e.kind = kind;
    e.ops.push_back(std::move(op));
    return Decode(Encode(e)).ok();
  };
  const auto store = static_cast<std::uint32_t>(GeoForm::kSearchStore);
  const auto radius = static_cast<std::uint32_t>(GeoForm::kRadius);
  EXPECT_TRUE(decodes(Op{
      OpCode::kGeoStore, store, 0, 0, {"d", "g", "fromlonlat", "1", "2", "byradius", "1", "m"}}));
  EXPECT_TRUE(
      decodes(Op{OpCode::kGeoStore, radius, 0, 0, {"d", "g", "1", "2", "1", "m", "store", "d"}}));
  // The destination must be the one the arguments name; the arguments must parse.
  EXPECT_FALSE(decodes(
      Op{OpCode::kGeoStore, radius, 0, 0, {"other", "g", "1", "2", "1", "m", "store", "d"}}));
  EXPECT_FALSE(decodes(Op{OpCode::kGeoStore, radius, 0, 0, {"d", "g", "1", "2", "1", "m"}}));
  EXPECT_FALSE(decodes(Op{
      OpCode::kGeoStore, store, 0, 0, {"d", "g", "fromlonlat", "1", "2", "byradius", "-1", "m"}}));
  EXPECT_FALSE(decodes(Op{OpCode::kGeoStore,
                          static_cast<std::uint32_t>(GeoForm::kSearch),
                          0,
                          0,
                          {"d", "g", "fromlonlat", "1", "2", "byradius", "1", "m"}}));
  EXPECT_FALSE(decodes(Op{OpCode::kGeoStore, 8, 0, 0, {"d", "g"}}));
  // Reads ride the log only in transactions, with a known unit.
  EXPECT_FALSE(decodes(Op{OpCode::kGeoDist, 0, 0, 0, {"g", "a", "b", "m"}}));
  EXPECT_TRUE(
      decodes(Op{OpCode::kGeoDist, 0, 0, 0, {"g", "a", "b", "m"}}, EntryKind::kTransaction));
  EXPECT_FALSE(
      decodes(Op{OpCode::kGeoDist, 0, 0, 0, {"g", "a", "b", "yd"}}, EntryKind::kTransaction));
  EXPECT_FALSE(decodes(Op{OpCode::kGeoSearch, store, 0, 0, {"g"}}, EntryKind::kTransaction));
}

}  // namespace
}  // namespace cairn::kv
