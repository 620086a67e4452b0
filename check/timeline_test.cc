// Goal: the timeline is a self-contained page with one lane per client, a bar
// per op coloured by outcome, fault bands, failing ops outlined, and text
// escaped.
#include "check/timeline.h"

#include <gtest/gtest.h>

#include "check/history_builder.h"
#include "check/linearizability.h"

namespace cairn::check {
namespace {

int Count(const std::string& s, const std::string& what) {
  int n = 0;
  for (std::size_t pos = s.find(what); pos != std::string::npos; pos = s.find(what, pos + 1)) ++n;
  return n;
}

TEST(Timeline, RendersLanesBarsFaultsAndFailures) {
  HistoryBuilder b;
  b.Write(1, "x<&>", 1, 0, 10).Write(2, "x<&>", 2, 20, 30).Read(3, "x<&>", 1, 40, 50);
  b.Write(4, "x<&>", 3, 45, 60, Outcome::kInfo).Read(1, "x<&>", 2, 15, 18, Outcome::kFail);
  b.Nemesis("partition", 12, 55);
  History h = b.Build();
  Verdict v = CheckLinearizable(h);
  ASSERT_TRUE(v.invalid());
  std::string html = RenderTimelineHtml(h, &v, "stale <read>");
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_NE(html.find("stale &lt;read&gt;"), std::string::npos);
  EXPECT_EQ(html.find("x<&>"), std::string::npos) << "keys must be escaped";
  EXPECT_EQ(Count(html, ">p1<") + Count(html, ">p2<") + Count(html, ">p3<") + Count(html, ">p4<"), 4);
  EXPECT_EQ(Count(html, "<rect"), 6);  // 5 ops + 1 fault band
  EXPECT_EQ(Count(html, "#66bb6a"), 3);  // ok
  EXPECT_EQ(Count(html, "#bdbdbd"), 1);  // fail
  EXPECT_EQ(Count(html, "#ffb74d"), 1);  // info
  EXPECT_EQ(Count(html, "stroke=\"#d50000\""), 3) << "the three ops of the minimal evidence";
  EXPECT_NE(html.find(">partition<"), std::string::npos);
}

TEST(Timeline, EmptyHistoryStillRenders) {
  History h;
  std::string html = RenderTimelineHtml(h, nullptr, "empty");
  EXPECT_NE(html.find("</svg>"), std::string::npos);
}

}  // namespace
}  // namespace cairn::check
