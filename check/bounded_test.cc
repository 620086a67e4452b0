// Goal: a read that misses a write acknowledged more than the bound before it
// began is caught (nil or an older value), one within the bound passes, and
// what cannot be judged (no versions, a write without one) is not.
#include "check/bounded.h"

#include <gtest/gtest.h>

#include "check/checkers.h"
#include "check/history_builder.h"

namespace cairn::check {
namespace {

constexpr std::int64_t kMs = 1'000'000;

TEST(Bounded, ReadsWithinTheBoundPass) {
  HistoryBuilder b;
  b.Write(1, "x", 1, 0, 10 * kMs).Version(5);
  b.Write(1, "x", 2, 20 * kMs, 30 * kMs).Version(9);
  // Invoked 100 ms after write 2 was acknowledged: with a 100 ms bound the
  // old value is still allowed, exactly at the edge.
  b.Read(2, "x", 1, 130 * kMs, 131 * kMs);
  b.Read(3, "x", std::nullopt, 5 * kMs, 6 * kMs);  // before any write completed
  b.Read(3, "x", 2, 200 * kMs, 201 * kMs);
  Verdict v = CheckBounded(b.Build(), 100 * kMs);
  EXPECT_TRUE(v.valid()) << FormatVerdict(v);
}

TEST(Bounded, OldValueBeyondTheBoundIsCaught) {
  HistoryBuilder b;
  b.Write(1, "x", 1, 0, 10 * kMs).Version(5);
  b.Write(1, "x", 2, 20 * kMs, 30 * kMs).Version(9);
  b.Read(2, "x", 1, 131 * kMs, 132 * kMs);  // 101 ms after write 2's ack
  Verdict v = CheckBounded(b.Build(), 100 * kMs);
  ASSERT_TRUE(v.invalid()) << FormatVerdict(v);
  ASSERT_EQ(v.anomalies.size(), 1u);
  EXPECT_NE(v.anomalies[0].find("stale beyond the bound"), std::string::npos) << v.anomalies[0];
  EXPECT_NE(v.anomalies[0].find("101.0 ms"), std::string::npos) << v.anomalies[0];
  EXPECT_EQ(v.evidence.size(), 2u);
}

TEST(Bounded, NilBeyondTheBoundIsCaught) {
  HistoryBuilder b;
  b.Write(1, "x", 1, 0, 10 * kMs).Version(5);
  b.Read(2, "x", std::nullopt, 500 * kMs, 501 * kMs);
  EXPECT_TRUE(CheckBounded(b.Build(), 100 * kMs).invalid());
}

TEST(Bounded, TheNewestCompletedWriteCountsNotTheLast) {
  // Two writes complete out of version order (a slow client): what a read
  // must reflect is the highest version acknowledged before its window.
  HistoryBuilder b;
  b.Write(1, "x", 1, 0, 50 * kMs).Version(9);
  b.Write(2, "x", 2, 0, 60 * kMs).Version(4);
  b.Read(3, "x", 2, 300 * kMs, 301 * kMs);
  Verdict v = CheckBounded(b.Build(), 100 * kMs);
  ASSERT_TRUE(v.invalid()) << FormatVerdict(v);
  EXPECT_NE(v.anomalies[0].find("version 9"), std::string::npos) << v.anomalies[0];
}

TEST(Bounded, CasWritesItsNewValue) {
  HistoryBuilder b;
  b.Write(1, "x", 1, 0, 10 * kMs).Version(3);
  b.Cas(1, "x", 1, 2, 20 * kMs, 30 * kMs).Version(7);
  b.Cas(2, "x", 5, 6, 20 * kMs, 30 * kMs, Outcome::kFail);
  b.Read(2, "x", 2, 500 * kMs, 501 * kMs);
  b.Read(2, "x", 1, 502 * kMs, 503 * kMs);
  Verdict v = CheckBounded(b.Build(), 100 * kMs);
  ASSERT_TRUE(v.invalid());
  EXPECT_EQ(v.anomalies.size(), 1u) << FormatVerdict(v);
}

TEST(Bounded, ValueNeverWrittenIsCaught) {
  HistoryBuilder b;
  b.Write(1, "x", 1, 0, 10 * kMs).Version(3);
  b.Read(2, "x", 42, 20 * kMs, 30 * kMs);
  Verdict v = CheckBounded(b.Build(), 100 * kMs);
  ASSERT_TRUE(v.invalid());
  EXPECT_NE(v.anomalies[0].find("never written"), std::string::npos);
}

TEST(Bounded, WritesWithoutAVersionAreNotJudged) {
  HistoryBuilder b;
  b.Write(1, "x", 1, 0, 10 * kMs).Version(3);
  b.Write(1, "x", 2, 20 * kMs, 30 * kMs);                  // ok, version lost with its connection
  b.Write(2, "x", 3, 40 * kMs, 50 * kMs, Outcome::kInfo);  // indeterminate
  b.Read(2, "x", 2, 500 * kMs, 501 * kMs);
  b.Read(2, "x", 3, 502 * kMs, 503 * kMs);
  b.Read(2, "x", 1, 504 * kMs, 505 * kMs);  // version 3 is the newest known: fine
  Verdict v = CheckBounded(b.Build(), 100 * kMs);
  EXPECT_TRUE(v.valid()) << FormatVerdict(v);
  EXPECT_NE(v.summary.find("2 reads of writes without a version not judged"), std::string::npos)
      << v.summary;
}

TEST(Bounded, AHistoryWithoutVersionsIsUnknown) {
  HistoryBuilder b;
  b.Write(1, "x", 1, 0, 10).Read(2, "x", 1, 20, 30);
  EXPECT_EQ(CheckBounded(b.Build(), 100 * kMs).validity, Validity::kUnknown);
}

TEST(Bounded, KeysAreIndependent) {
  HistoryBuilder b;
  b.Write(1, "x", 1, 0, 10 * kMs).Version(3);
  b.Write(1, "y", 2, 0, 10 * kMs).Version(4);
  b.Read(2, "y", 2, 500 * kMs, 501 * kMs);
  b.Read(2, "x", 1, 500 * kMs, 501 * kMs);
  EXPECT_TRUE(CheckBounded(b.Build(), 100 * kMs).valid());
}

TEST(Bounded, RunCheckerShrinksTheEvidenceToOneKey) {
  HistoryBuilder b;
  for (int i = 0; i < 20; ++i) {
    b.Write(1, "x", 10 + i, i * 10 * kMs, (i * 10 + 5) * kMs).Version(100 + i);
    b.Read(2, "x", 10 + i, (i * 10 + 6) * kMs, (i * 10 + 7) * kMs);
  }
  b.Read(3, "x", 11, 1000 * kMs, 1001 * kMs);  // misses writes 12..29
  CheckOptions o;
  o.bound_ns = 100 * kMs;
  Verdict v = RunChecker(Workload::kBounded, b.Build(), o);
  ASSERT_TRUE(v.invalid()) << FormatVerdict(v);
  EXPECT_LE(v.evidence.size(), 3u) << FormatVerdict(v);
}

}  // namespace
}  // namespace cairn::check
