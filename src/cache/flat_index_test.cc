#include "cache/internal/flat_index.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <map>
#include <memory>
#include <vector>

namespace cairn::cache::internal {
namespace {

struct Item {
  int key;
};

// Hashes drawn from a small set so probe runs collide, wrap around the table
// and get backward-shifted by erases.
std::uint64_t HashOf(int key) { return (static_cast<std::uint64_t>(key % 7) << 32) | (key % 5); }

RC_GTEST_PROP(FlatIndex, MatchesAMapModel, ()) {
  const auto ops = *rc::gen::container<std::vector<std::pair<int, int>>>(
      rc::gen::pair(rc::gen::inRange(0, 3), rc::gen::inRange(0, 60)));
  FlatIndex<Item> index(4);
  std::map<int, std::unique_ptr<Item>> model;
  auto find = [&](int key) {
    return index.Find(HashOf(key), [&](const Item& i) { return i.key == key; });
  };
  for (auto [op, key] : ops) {
    auto it = model.find(key);
    if (op == 0 && it == model.end()) {
      auto item = std::make_unique<Item>(Item{key});
      index.Insert(HashOf(key), item.get());
      model.emplace(key, std::move(item));
    } else if (op == 1) {
      const bool erased = index.Erase(HashOf(key), it == model.end() ? nullptr : it->second.get());
      RC_ASSERT(erased == (it != model.end()));
      if (it != model.end()) model.erase(it);
    }
    RC_ASSERT(index.size() == model.size());
    RC_ASSERT(4 * index.size() <= 3 * index.capacity());
  }
  for (int key = 0; key < 60; ++key) {
    auto it = model.find(key);
    RC_ASSERT(find(key) == (it == model.end() ? nullptr : it->second.get()));
  }
  std::size_t seen = 0;
  index.ForEach([&](Item*) { ++seen; });
  RC_ASSERT(seen == model.size());
}

TEST(FlatIndex, EqualHashesAreTellApartByTheirItems) {
  FlatIndex<Item> index;
  Item a{1}, b{2};
  index.Insert(42, &a);
  index.Insert(42, &b);
  EXPECT_EQ(index.Find(42, [](const Item& i) { return i.key == 2; }), &b);
  EXPECT_TRUE(index.Erase(42, &a));
  EXPECT_EQ(index.Find(42, [](const Item& i) { return i.key == 1; }), nullptr);
  EXPECT_EQ(index.Find(42, [](const Item& i) { return i.key == 2; }), &b);
  index.Prefetch(42);  // any thread, any time: must not fault
}

}  // namespace
}  // namespace cairn::cache::internal
