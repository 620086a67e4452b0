// Goal: ddmin finds the small failing core of a long list and respects its
// check budget.
#include "check/minimize.h"

#include <algorithm>

#include <gtest/gtest.h>

namespace cairn::check {
namespace {

std::vector<Op> Ops(int n) {
  std::vector<Op> ops(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) ops[static_cast<std::size_t>(i)].id = i;
  return ops;
}

bool Has(const std::vector<Op>& ops, int id) {
  return std::any_of(ops.begin(), ops.end(), [&](const Op& op) { return op.id == id; });
}

TEST(Minimize, FindsTheFailingPair) {
  int calls = 0;
  auto fails = [&](const std::vector<Op>& ops) {
    ++calls;
    return Has(ops, 13) && Has(ops, 77);
  };
  std::vector<Op> out = Minimize(Ops(100), fails);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].id, 13);
  EXPECT_EQ(out[1].id, 77);
  EXPECT_LT(calls, 200);
}

TEST(Minimize, StopsAtTheCheckBudget) {
  int calls = 0;
  auto fails = [&](const std::vector<Op>& ops) {
    ++calls;
    return ops.size() >= 3;  // any three ops fail
  };
  std::vector<Op> out = Minimize(Ops(1000), fails, MinimizeOptions{.checks_max = 5});
  EXPECT_EQ(calls, 5);
  EXPECT_TRUE(fails(out));
  std::vector<Op> full = Minimize(Ops(1000), fails);
  EXPECT_EQ(full.size(), 3u);
}

}  // namespace
}  // namespace cairn::check
