// Goal: the JSON-lines parser accepts every documented form, round-trips, and
// rejects each kind of bad input with an error naming the line.
#include "check/history_format.h"

#include <gtest/gtest.h>

namespace cairn::check {
namespace {

constexpr const char* kGood = R"({"process":1,"type":"invoke","f":"write","key":"x","value":5,"time_ns":100}
{"process":2,"type":"invoke","f":"read","key":"x","time_ns":110}
{"process":1,"type":"ok","f":"write","key":"x","time_ns":150,"version":7}

{"process":2,"type":"ok","f":"read","key":"x","value":5,"time_ns":160}
{"process":3,"type":"invoke","f":"cas","key":"x","value":[5,6],"time_ns":170}
{"process":3,"type":"info","f":"cas","key":"x","time_ns":300}
{"process":4,"type":"invoke","f":"incr","key":"c","value":2,"time_ns":180}
{"process":5,"type":"invoke","f":"read","key":"s","time_ns":190}
{"process":5,"type":"ok","f":"read","key":"s","value":[1,2],"time_ns":195}
{"type":"nemesis","f":"partition","phase":"start","time_ns":120,"detail":"n1|n2"}
{"type":"nemesis","f":"partition","phase":"stop","time_ns":400}
{"type":"nemesis","f":"kill","phase":"instant","time_ns":410}
)";

TEST(HistoryFormat, ParsesEveryForm) {
  Result<History> h = ParseHistory(kGood);
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  ASSERT_EQ(h->ops.size(), 5u);
  const Op& w = h->ops[0];
  EXPECT_EQ(w.f, Fn::kWrite);
  EXPECT_TRUE(w.ok());
  EXPECT_EQ(w.value, 5);
  EXPECT_EQ(w.version, 7);
  EXPECT_EQ(w.complete_ns, 150);
  EXPECT_EQ(h->ops[1].value, 5);
  const Op& cas = h->ops[2];
  EXPECT_TRUE(cas.info());
  EXPECT_EQ(cas.complete_ns, kNeverNs);
  EXPECT_EQ(cas.observed_ns, 300);
  EXPECT_EQ(cas.cas_old, 5);
  EXPECT_EQ(cas.cas_new, 6);
  const Op& incr = h->ops[3];
  EXPECT_EQ(incr.f, Fn::kAdd);
  EXPECT_TRUE(incr.info()) << "pending at the end of the history means indeterminate";
  EXPECT_EQ(incr.observed_ns, kNeverNs);
  EXPECT_TRUE(h->ops[4].has_elements);
  EXPECT_EQ(h->ops[4].elements, (std::vector<std::int64_t>{1, 2}));
  ASSERT_EQ(h->nemesis.size(), 2u);
  EXPECT_EQ(h->nemesis[0].kind, "partition");
  EXPECT_EQ(h->nemesis[0].stop_ns, 400);
  EXPECT_EQ(h->nemesis[0].detail, "n1|n2");
  EXPECT_EQ(h->nemesis[1].stop_ns, 410);
}

TEST(HistoryFormat, RoundTrips) {
  Result<History> h = ParseHistory(kGood);
  ASSERT_TRUE(h.ok());
  std::string text = FormatHistory(*h);
  Result<History> again = ParseHistory(text);
  ASSERT_TRUE(again.ok()) << again.status().ToString() << "\n" << text;
  ASSERT_EQ(again->ops.size(), h->ops.size());
  for (std::size_t i = 0; i < h->ops.size(); ++i) {
    Op a = again->ops[i];
    Op b = h->ops[i];
    a.line = b.line = 0;  // lines differ: the formatter reorders events by time
    EXPECT_EQ(DescribeOp(a), DescribeOp(b));
    EXPECT_EQ(again->ops[i].complete_ns, h->ops[i].complete_ns);
  }
  EXPECT_EQ(again->nemesis.size(), h->nemesis.size());
}

struct BadCase {
  std::string text;
  const char* expected;  // substring of the error
};

TEST(HistoryFormat, RejectsBadInputWithLineNumbers) {
  const std::string inv = R"({"process":1,"type":"invoke","f":"write","key":"x","value":1,"time_ns":10})";
  const BadCase cases[] = {
      {"{not json", "line 1: not valid JSON"},
      {"[1,2]", "line 1: expected a JSON object"},
      {R"({"process":1,"f":"read","key":"x","time_ns":1})", "missing \"type\""},
      {R"({"process":1,"type":"start","f":"read","key":"x","time_ns":1})", "unknown type"},
      {R"({"process":1,"type":"invoke","f":"delete","key":"x","time_ns":1})", "unknown f"},
      {R"({"process":"a","type":"invoke","f":"read","key":"x","time_ns":1})", "\"process\" must be"},
      {R"({"process":1,"type":"invoke","f":"read","key":"x","time_ns":-5})", "out of range"},
      {R"({"process":1,"type":"invoke","f":"read","key":"x","time_ns":1.5})", "\"time_ns\" must be"},
      {R"({"process":1,"type":"invoke","f":"write","key":"x","time_ns":1})", "needs \"value\""},
      {R"({"process":1,"type":"invoke","f":"cas","key":"x","value":[1],"time_ns":1})", "[old, new]"},
      {R"({"process":1,"type":"invoke","f":"write","key":"x","value":18446744073709551615,"time_ns":1})",
       "must be an integer"},
      {R"({"process":1,"type":"invoke","f":"write","key":"x","value":[1],"time_ns":1})", "only a read"},
      {R"({"process":1,"type":"ok","f":"read","key":"x","time_ns":1})", "without a pending invocation"},
      {inv + "\n" + inv, "line 2: process 1 invokes while"},
      {inv + "\n" + R"({"process":1,"type":"ok","f":"read","key":"x","time_ns":20})",
       "line 2: completion (read x) does not match"},
      {inv + "\n" + R"({"process":1,"type":"ok","f":"write","key":"x","time_ns":5})",
       "line 2: completion earlier"},
      {R"({"type":"nemesis","f":"kill","phase":"stop","time_ns":5})", "without a start"},
      {R"({"type":"nemesis","f":"kill","phase":"middle","time_ns":5})", "unknown nemesis phase"},
  };
  for (const BadCase& c : cases) {
    const std::string& text = c.text;
    Result<History> h = ParseHistory(text);
    ASSERT_FALSE(h.ok()) << text;
    EXPECT_EQ(h.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(h.status().message().find(c.expected), std::string_view::npos)
        << "got: " << h.status().ToString() << "\nwant: " << c.expected;
  }
}

TEST(HistoryFormat, RejectsInvocationBeforePreviousCompletion) {
  std::string text =
      R"({"process":1,"type":"invoke","f":"write","key":"x","value":1,"time_ns":10})"
      "\n"
      R"({"process":1,"type":"ok","f":"write","key":"x","time_ns":50})"
      "\n"
      R"({"process":1,"type":"invoke","f":"read","key":"x","time_ns":40})";
  Result<History> h = ParseHistory(text);
  ASSERT_FALSE(h.ok());
  EXPECT_NE(h.status().message().find("line 3"), std::string_view::npos);
}

TEST(HistoryFormat, LoadReportsMissingFile) {
  Result<History> h = LoadHistoryFile("/nonexistent/history.jsonl");
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.status().code(), StatusCode::kIOError);
}

}  // namespace
}  // namespace cairn::check
