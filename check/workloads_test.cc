// Goal: the counter, set and lost-write checkers accept correct histories
// (including indeterminate ops) and catch each anomaly they define.
#include "check/workloads.h"

#include <gtest/gtest.h>

#include "check/checkers.h"
#include "check/history_builder.h"

namespace cairn::check {
namespace {

constexpr Outcome kInfo = Outcome::kInfo;
constexpr Outcome kFail = Outcome::kFail;

TEST(Counter, FinalValueWithinAcknowledgedPlusIndeterminate) {
  HistoryBuilder b;
  b.Add(1, "c", 2, 0, 10).Add(2, "c", 3, 5, 15, kInfo).Add(3, "c", 4, 20, 30, kFail);
  for (std::int64_t final_value : {2, 5}) {
    HistoryBuilder with = b;
    with.Read(4, "c", final_value, 100, 110);
    EXPECT_TRUE(CheckCounter(with.Build()).valid()) << final_value;
  }
  for (std::int64_t final_value : {0, 1, 3, 6, 9}) {  // 3: no subset sums to it? bounds only
    HistoryBuilder with = b;
    with.Read(4, "c", final_value, 100, 110);
    Verdict v = CheckCounter(with.Build());
    if (final_value == 3) {
      EXPECT_TRUE(v.valid()) << "bounds, not subset sums: 3 is within [2, 5]";
    } else {
      EXPECT_TRUE(v.invalid()) << final_value;
    }
  }
}

TEST(Counter, ReadsBoundedAtEachPoint) {
  HistoryBuilder b;
  b.Add(1, "c", 1, 0, 10).Read(2, "c", 0, 5, 8).Read(2, "c", 1, 20, 25).Add(1, "c", 1, 30, 40);
  b.Read(3, "c", 2, 35, 45);
  EXPECT_TRUE(CheckCounter(b.Build()).valid());
  HistoryBuilder bad;
  bad.Add(1, "c", 1, 0, 10).Read(2, "c", 2, 20, 25);  // 2 before the second add exists
  Verdict v = CheckCounter(bad.Build());
  ASSERT_TRUE(v.invalid());
  HistoryBuilder lost;
  lost.Add(1, "c", 1, 0, 10).Read(2, "c", 0, 20, 25);  // acknowledged increment missing
  EXPECT_TRUE(CheckCounter(lost.Build()).invalid());
}

TEST(Counter, NegativeDeltas) {
  HistoryBuilder b;
  b.Add(1, "c", 5, 0, 10).Add(2, "c", -3, 20, 30, kInfo).Read(3, "c", 2, 40, 50).Read(3, "c", 5, 60, 70);
  // 2 then 5 is within bounds at each point (bounds do not track order).
  EXPECT_TRUE(CheckCounter(b.Build()).valid());
  HistoryBuilder bad;
  bad.Add(1, "c", 5, 0, 10).Add(2, "c", -3, 20, 30, kInfo).Read(3, "c", 1, 40, 50);
  EXPECT_TRUE(CheckCounter(bad.Build()).invalid());
}

TEST(Set, AcknowledgedAddsPresentAndNoPhantoms) {
  HistoryBuilder b;
  b.Add(1, "s", 1, 0, 10).Add(2, "s", 2, 5, 15, kInfo).Add(3, "s", 3, 0, 10, kFail);
  b.ReadSet(4, "s", {1}, 20, 30).ReadSet(4, "s", {1, 2}, 40, 50).ReadSet(5, "s", {2, 1}, 60, 70);
  Verdict v = CheckSet(b.Build());
  EXPECT_TRUE(v.valid()) << FormatVerdict(v);
}

TEST(Set, LostAcknowledgedAdd) {
  HistoryBuilder b;
  b.Add(1, "s", 1, 0, 10).Add(1, "s", 2, 20, 30).ReadSet(2, "s", {2}, 40, 50);
  Verdict v = CheckSet(b.Build());
  ASSERT_TRUE(v.invalid());
  EXPECT_NE(v.anomalies[0].find("lost add"), std::string::npos) << FormatVerdict(v);
}

TEST(Set, ElementNeverAddedOrFromFailedAdd) {
  HistoryBuilder b;
  b.Add(1, "s", 1, 0, 10).ReadSet(2, "s", {1, 7}, 20, 30);
  EXPECT_TRUE(CheckSet(b.Build()).invalid());
  HistoryBuilder failed;
  failed.Add(1, "s", 1, 0, 10, kFail).ReadSet(2, "s", {1}, 20, 30);
  Verdict v = CheckSet(failed.Build());
  ASSERT_TRUE(v.invalid());
  EXPECT_NE(v.anomalies[0].find("whose add failed"), std::string::npos);
}

TEST(Set, IndeterminateAddSeenThenGoneIsInvalid) {
  HistoryBuilder b;
  b.Add(1, "s", 1, 0, 10, kInfo).ReadSet(2, "s", {1}, 20, 30).ReadSet(2, "s", {}, 40, 50);
  Verdict v = CheckSet(b.Build());
  ASSERT_TRUE(v.invalid());
  EXPECT_NE(v.anomalies[0].find("seen by an earlier read"), std::string::npos);
}

TEST(Lost, RegisterFinalReadShowsLastAcknowledgedWrite) {
  HistoryBuilder b;
  b.Write(1, "x", 1, 0, 10).Write(2, "x", 2, 5, 15).Write(3, "x", 3, 20, 30, kInfo).Read(4, "x", 1, 40, 50);
  EXPECT_TRUE(CheckLost(b.Build()).valid()) << "1 and 2 were concurrent";
  HistoryBuilder lost;
  lost.Write(1, "x", 1, 0, 10).Write(2, "x", 2, 20, 30).Read(4, "x", 1, 40, 50);
  Verdict v = CheckLost(lost.Build());
  ASSERT_TRUE(v.invalid());
  EXPECT_NE(v.anomalies[0].find("acknowledged write lost"), std::string::npos);
  HistoryBuilder all_lost;
  all_lost.Write(1, "x", 1, 0, 10).Read(4, "x", std::nullopt, 40, 50);
  EXPECT_TRUE(CheckLost(all_lost.Build()).invalid());
}

TEST(Lost, SetFinalReadHasEveryAcknowledgedAdd) {
  HistoryBuilder b;
  b.Add(1, "s", 1, 0, 10).Add(2, "s", 2, 0, 10, kInfo).ReadSet(3, "s", {1}, 20, 30);
  EXPECT_TRUE(CheckLost(b.Build()).valid());
  HistoryBuilder lost;
  lost.Add(1, "s", 1, 0, 10).Add(2, "s", 2, 0, 10).ReadSet(3, "s", {1}, 20, 30);
  EXPECT_TRUE(CheckLost(lost.Build()).invalid());
}

TEST(Lost, NoFinalReadIsUnknown) {
  HistoryBuilder b;
  b.Write(1, "x", 1, 0, 10);
  EXPECT_EQ(CheckLost(b.Build()).validity, Validity::kUnknown);
}

TEST(RunChecker, MinimizesCounterEvidenceToAFailingSubHistory) {
  HistoryBuilder b;
  for (int i = 0; i < 20; ++i) b.Add(1 + i % 3, "c", 1, i * 10, i * 10 + 5);
  b.Read(9, "c", 25, 500, 510);  // at most 20
  Verdict v = RunChecker(Workload::kCounter, b.Build());
  ASSERT_TRUE(v.invalid());
  ASSERT_EQ(v.evidence.size(), 1u) << "the read alone (0 adds -> bound [0, 0]) still fails";
  History alone;
  alone.ops = v.evidence;
  EXPECT_TRUE(CheckCounter(alone).invalid());
}

// Shrinking must keep the anomaly: dropping the first write would turn the
// lost write into "a value never written", which is a different bug.
TEST(RunChecker, MinimizedLostWriteStaysALostWrite) {
  HistoryBuilder b;
  for (int i = 0; i < 10; ++i) b.Write(1, "y", 100 + i, i * 10, i * 10 + 5);
  b.Write(1, "x", 1, 0, 10).Write(2, "x", 2, 20, 30).Write(3, "x", 3, 25, 35, kInfo).Read(4, "x", 1, 40, 50);
  b.Read(4, "y", 109, 200, 210);
  Verdict v = RunChecker(Workload::kLost, b.Build());
  ASSERT_TRUE(v.invalid());
  ASSERT_EQ(v.evidence.size(), 3u) << FormatVerdict(v);
  History alone;
  alone.ops = v.evidence;
  Verdict again = CheckLost(alone);
  ASSERT_TRUE(again.invalid());
  EXPECT_NE(again.anomalies[0].find("acknowledged write lost"), std::string::npos);
}

TEST(RunChecker, ParsesWorkloadNames) {
  EXPECT_TRUE(ParseWorkload("linear").ok());
  EXPECT_TRUE(ParseWorkload("lost").ok());
  EXPECT_FALSE(ParseWorkload("serializable").ok());
}

}  // namespace
}  // namespace cairn::check
