// Goal: the WGL register checker accepts linearizable histories (including
// ones valid in only one ordering and ones with indeterminate writes) and
// rejects the classic anomalies, with a small failing sub-history as evidence.
#include "check/linearizability.h"

#include <gtest/gtest.h>

#include "check/history_builder.h"
#include "check/history_gen.h"

namespace cairn::check {
namespace {

constexpr Outcome kInfo = Outcome::kInfo;
constexpr Outcome kFail = Outcome::kFail;

Verdict Check(const HistoryBuilder& b) { return CheckLinearizable(b.Build()); }

TEST(Linearizability, SequentialHistoryIsValid) {
  HistoryBuilder b;
  b.Read(1, "x", std::nullopt, 0, 5).Write(1, "x", 1, 10, 20).Read(2, "x", 1, 30, 40).Cas(1, "x", 1, 2, 50, 60);
  b.Read(2, "x", 2, 70, 80);
  Verdict v = Check(b);
  EXPECT_TRUE(v.valid()) << FormatVerdict(v);
}

TEST(Linearizability, NilReadAfterCompletedWriteIsInvalid) {
  HistoryBuilder b;
  b.Write(1, "x", 1, 0, 10).Read(2, "x", std::nullopt, 20, 30);
  EXPECT_TRUE(Check(b).invalid());
}

// A partitioned old leader serves a read from its stale state after the new
// leader acknowledged a later write.
TEST(Linearizability, StaleReadFromOldLeaderIsInvalid) {
  HistoryBuilder b;
  b.Write(1, "x", 1, 0, 10).Write(2, "x", 2, 20, 30).Read(3, "x", 1, 40, 50);
  b.Read(4, "x", 2, 41, 49).Write(5, "y", 9, 0, 100);  // noise the minimizer removes
  Verdict v = Check(b);
  ASSERT_TRUE(v.invalid()) << FormatVerdict(v);
  EXPECT_EQ(v.evidence.size(), 3u) << FormatVerdict(v);
  for (const Op& op : v.evidence) EXPECT_EQ(op.key, "x");
}

// Two cas from the same old value both succeed: one update is lost.
TEST(Linearizability, LostUpdateTwoCasFromSameValueIsInvalid) {
  HistoryBuilder b;
  b.Write(1, "x", 0, 0, 5).Cas(1, "x", 0, 1, 10, 20).Cas(2, "x", 0, 2, 12, 22);
  Verdict v = Check(b);
  ASSERT_TRUE(v.invalid());
  EXPECT_EQ(v.evidence.size(), 3u) << FormatVerdict(v);
  // One of them failing is fine.
  HistoryBuilder ok;
  ok.Write(1, "x", 0, 0, 5).Cas(1, "x", 0, 1, 10, 20).Cas(2, "x", 0, 2, 12, 22, kFail);
  EXPECT_TRUE(Check(ok).valid());
}

TEST(Linearizability, NonMonotonicReadIsInvalid) {
  HistoryBuilder b;
  b.Write(1, "x", 1, 0, 10).Write(2, "x", 2, 15, 100).Read(3, "x", 2, 20, 30).Read(3, "x", 1, 40, 50);
  EXPECT_TRUE(Check(b).invalid());
}

TEST(Linearizability, TimedOutWriteThatLaterAppearsIsValid) {
  HistoryBuilder b;
  b.Write(1, "x", 1, 0, 10).Write(2, "x", 2, 20, 25, kInfo).Read(3, "x", 1, 30, 40).Read(3, "x", 2, 100, 110);
  Verdict v = Check(b);
  EXPECT_TRUE(v.valid()) << FormatVerdict(v);
}

TEST(Linearizability, TimedOutWriteThatNeverAppearsIsValid) {
  HistoryBuilder b;
  b.Write(1, "x", 1, 0, 10).Write(2, "x", 2, 20, 25, kInfo).Read(3, "x", 1, 100, 110);
  EXPECT_TRUE(Check(b).valid());
}

TEST(Linearizability, TimedOutWriteThatAppearsThenDisappearsIsInvalid) {
  HistoryBuilder b;
  b.Write(1, "x", 1, 0, 10).Write(2, "x", 2, 20, 25, kInfo).Read(3, "x", 2, 100, 110).Read(3, "x", 1, 120, 130);
  Verdict v = Check(b);
  ASSERT_TRUE(v.invalid());
  EXPECT_EQ(v.evidence.size(), 4u) << FormatVerdict(v);
}

TEST(Linearizability, TimedOutCasMayTakeEffect) {
  HistoryBuilder b;
  b.Write(1, "x", 1, 0, 10).Cas(2, "x", 1, 5, 20, 30, kInfo).Read(3, "x", 5, 100, 110);
  EXPECT_TRUE(Check(b).valid());
  HistoryBuilder bad;  // an info cas whose old value never matched cannot have written
  bad.Write(1, "x", 1, 0, 10).Cas(2, "x", 7, 5, 20, 30, kInfo).Read(3, "x", 5, 100, 110);
  EXPECT_TRUE(Check(bad).invalid());
}

// Concurrent writes: only the order w2, r(2), w1, r(1) explains the reads.
TEST(Linearizability, ConcurrentOpsValidInOnlyOneOrder) {
  HistoryBuilder b;
  b.Write(1, "x", 1, 0, 50).Write(2, "x", 2, 10, 60).Read(3, "x", 2, 20, 30).Read(3, "x", 1, 70, 80);
  EXPECT_TRUE(Check(b).valid()) << FormatVerdict(Check(b));
  // Shrinking w1 so it must end before r(2) starts leaves no valid order.
  HistoryBuilder bad;
  bad.Write(1, "x", 1, 0, 15).Write(2, "x", 2, 10, 60).Read(3, "x", 2, 20, 30).Read(3, "x", 1, 70, 80);
  EXPECT_TRUE(Check(bad).invalid());
}

TEST(Linearizability, FailedOpsHaveNoEffect) {
  HistoryBuilder b;
  b.Write(1, "x", 1, 0, 10).Write(2, "x", 2, 20, 30, kFail).Read(3, "x", 1, 40, 50);
  EXPECT_TRUE(Check(b).valid());
  HistoryBuilder bad;
  bad.Write(1, "x", 1, 0, 10).Write(2, "x", 2, 20, 30, kFail).Read(3, "x", 2, 40, 50);
  EXPECT_TRUE(Check(bad).invalid());
}

TEST(Linearizability, KeysAreIndependent) {
  HistoryBuilder b;
  b.Write(1, "x", 1, 0, 10).Write(2, "y", 2, 0, 10).Read(3, "x", 1, 20, 30).Read(4, "y", 2, 20, 30);
  EXPECT_TRUE(Check(b).valid());
  b.Read(5, "y", 1, 40, 50);  // y never held 1
  Verdict v = Check(b);
  ASSERT_TRUE(v.invalid());
  EXPECT_NE(v.anomalies.at(0).find("key y"), std::string::npos);
}

TEST(Linearizability, AddIsNotARegisterOp) {
  HistoryBuilder b;
  b.Add(1, "c", 1, 0, 10);
  EXPECT_EQ(Check(b).validity, Validity::kUnknown);
}

// A budget too small for the search gives "unknown", never a wrong verdict
// and never a hang.
TEST(Linearizability, ExhaustedBudgetIsUnknown) {
  Xoshiro256 rng(7);
  RegisterGenOptions gen;
  gen.ops = 500;
  History h = GenerateRegisterHistory(rng, gen);
  LinearOptions tiny;
  tiny.states_max = 10;
  EXPECT_EQ(CheckLinearizable(h, tiny).validity, Validity::kUnknown);
  LinearOptions no_time;
  no_time.time_budget_ms = 0;
  gen.ops = 5000;
  History big = GenerateRegisterHistory(rng, gen);
  EXPECT_EQ(CheckLinearizable(big, no_time).validity, Validity::kUnknown);
  EXPECT_TRUE(CheckLinearizable(h).valid());
}

}  // namespace
}  // namespace cairn::check

namespace cairn::check {
namespace {

// The quick pre-checks name the anomaly and give a minimal witness at once;
// each is also confirmed by the full search.
TEST(LinearizabilityPrecheck, NamesCommonAnomalies) {
  struct Case {
    HistoryBuilder b;
    const char* what;
    std::size_t witness;
  };
  std::vector<Case> cases(5);
  cases[0].b.Write(1, "x", 1, 0, 10).Write(2, "x", 2, 20, 30).Read(3, "x", 1, 40, 50);
  cases[0].what = "stale read";
  cases[0].witness = 3;
  cases[1].b.Write(1, "x", 1, 0, 10).Read(3, "x", 7, 40, 50);
  cases[1].what = "read of a value never written";
  cases[1].witness = 1;
  cases[2].b.Read(3, "x", 1, 0, 10).Write(1, "x", 1, 20, 30);
  cases[2].what = "read from the future";
  cases[2].witness = 2;
  cases[3].b.Write(1, "x", 1, 0, 10).Read(3, "x", std::nullopt, 20, 30);
  cases[3].what = "nil read after a completed write";
  cases[3].witness = 2;
  cases[4].b.Write(1, "x", 1, 0, 10).Write(2, "x", 2, 20, 30).Cas(3, "x", 1, 3, 40, 50);
  cases[4].what = "stale read";  // the cas compared against an overwritten value
  cases[4].witness = 3;
  for (Case& c : cases) {
    History h = c.b.Build();
    Verdict v = CheckLinearizable(h);
    ASSERT_TRUE(v.invalid()) << c.what;
    EXPECT_NE(v.anomalies.at(0).find(c.what), std::string::npos) << v.anomalies.at(0);
    EXPECT_EQ(v.evidence.size(), c.witness) << FormatVerdict(v);
    EXPECT_EQ(SearchRegister(h.ops, 1000000, std::chrono::steady_clock::now() + std::chrono::seconds(10)),
              Validity::kInvalid)
        << c.what;
  }
}

}  // namespace
}  // namespace cairn::check
