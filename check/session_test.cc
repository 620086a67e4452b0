// Goal: each session guarantee is caught when broken (with and without
// server-reported versions), and a clean session history passes.
#include "check/session.h"

#include <gtest/gtest.h>

#include "check/history_builder.h"

namespace cairn::check {
namespace {

bool HasAnomaly(const Verdict& v, const std::string& rule) {
  for (const std::string& a : v.anomalies) {
    if (a.rfind(rule, 0) == 0) return true;
  }
  return false;
}

TEST(Session, CleanHistoryPasses) {
  HistoryBuilder b;
  b.Write(1, "x", 1, 0, 10).Read(1, "x", 1, 20, 30).Read(2, "x", std::nullopt, 5, 8);
  b.Read(2, "x", 1, 40, 50).Write(2, "x", 2, 60, 70).Read(1, "x", 2, 80, 90);
  Verdict v = CheckSession(b.Build());
  EXPECT_TRUE(v.valid()) << FormatVerdict(v);
}

TEST(Session, ReadYourWritesViolation) {
  HistoryBuilder b;
  b.Write(2, "x", 1, 0, 5).Write(1, "x", 2, 10, 20).Read(1, "x", 1, 30, 40);
  Verdict v = CheckSession(b.Build());
  ASSERT_TRUE(v.invalid());
  EXPECT_TRUE(HasAnomaly(v, "read-your-writes")) << FormatVerdict(v);
  EXPECT_EQ(v.evidence.size(), 2u);
}

TEST(Session, MonotonicReadsViolation) {
  HistoryBuilder b;
  b.Write(2, "x", 1, 0, 5).Write(2, "x", 2, 6, 9).Read(1, "x", 2, 10, 20).Read(1, "x", 1, 30, 40);
  Verdict v = CheckSession(b.Build());
  ASSERT_TRUE(v.invalid());
  EXPECT_TRUE(HasAnomaly(v, "monotonic reads")) << FormatVerdict(v);
}

TEST(Session, MonotonicWritesViolationWithVersions) {
  HistoryBuilder b;
  // The server applied the client's second write before its first.
  b.Write(1, "x", 10, 0, 5).Version(8).Write(1, "x", 11, 10, 20).Version(7);
  Verdict v = CheckSession(b.Build());
  ASSERT_TRUE(v.invalid());
  EXPECT_TRUE(HasAnomaly(v, "monotonic writes")) << FormatVerdict(v);
}

TEST(Session, WritesFollowReadsViolation) {
  HistoryBuilder b;
  b.Write(2, "x", 5, 0, 5).Version(5).Read(1, "x", 5, 10, 20).Write(1, "x", 6, 30, 40).Version(3);
  Verdict v = CheckSession(b.Build());
  ASSERT_TRUE(v.invalid());
  EXPECT_TRUE(HasAnomaly(v, "writes-follow-reads")) << FormatVerdict(v);
}

TEST(Session, ReadVersionsComeFromTheWriteOfTheValue) {
  // Values are not ordered (9 then 3) but the server's versions are.
  HistoryBuilder b;
  b.Write(2, "x", 9, 0, 5).Version(1).Write(2, "x", 3, 6, 9).Version(2);
  b.Read(1, "x", 9, 10, 20).Read(1, "x", 3, 30, 40);
  EXPECT_TRUE(CheckSession(b.Build()).valid());
  b.Read(1, "x", 9, 50, 60);  // back to version 1
  EXPECT_TRUE(HasAnomaly(CheckSession(b.Build()), "monotonic reads"));
}

TEST(Session, WritesWithoutAVersionInAVersionedHistoryAreNotJudged) {
  // Process 2's second write reported no version (its client lost the
  // connection before asking): its value 500 must not be taken as a
  // version, which would make every later read look like it went back.
  HistoryBuilder b;
  b.Write(2, "x", 100, 0, 5).Version(1).Write(2, "x", 500, 6, 9);
  b.Read(1, "x", 500, 10, 20).Write(2, "x", 200, 21, 25).Version(3).Read(1, "x", 200, 30, 40);
  Verdict v = CheckSession(b.Build());
  EXPECT_TRUE(v.valid()) << FormatVerdict(v);
  EXPECT_NE(v.summary.find("2 without a known version not judged"), std::string::npos) << v.summary;
  // The versioned ops around them are still judged.
  b.Read(1, "x", 100, 50, 60);  // back to version 1 after version 3
  EXPECT_TRUE(HasAnomaly(CheckSession(b.Build()), "monotonic reads"));
}

TEST(Session, ReadOfUnwrittenValue) {
  HistoryBuilder b;
  b.Read(1, "x", 42, 0, 10);
  EXPECT_TRUE(HasAnomaly(CheckSession(b.Build()), "read of a value never written"));
}

}  // namespace
}  // namespace cairn::check
