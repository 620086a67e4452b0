#include "kv/random_draw.h"

#include <numeric>

#include "common/random.h"

namespace cairn::kv {

std::vector<std::size_t> DrawIndexes(std::size_t n, std::int64_t count, std::uint64_t seed) {
  Xoshiro256 rng(seed);
  std::vector<std::size_t> out;
  if (n == 0 || count == 0) return out;
  if (count < 0) {
    const auto draws = static_cast<std::uint64_t>(-count);
    out.reserve(draws);
    for (std::uint64_t i = 0; i < draws; ++i) out.push_back(rng.Uniform(n));
    return out;
  }
  out.resize(n);
  std::iota(out.begin(), out.end(), std::size_t{0});
  if (static_cast<std::uint64_t>(count) >= n) return out;
  // A partial Fisher-Yates shuffle: the first `count` slots are the sample.
  const auto k = static_cast<std::size_t>(count);
  for (std::size_t i = 0; i < k; ++i) std::swap(out[i], out[i + rng.Uniform(n - i)]);
  out.resize(k);
  return out;
}

resp::Value RandomReply(const Op& op, std::size_t n,
                        const std::function<resp::Value(std::size_t)>& item,
                        const std::function<resp::Value(std::size_t)>& value) {
  const auto seed = static_cast<std::uint64_t>(op.num2);
  if (!(op.flags & kRandCount)) {
    if (n == 0) return resp::Value::Null();
    return item(DrawIndexes(n, -1, seed)[0]);
  }
  const bool with = op.flags & kRandWith;
  const std::vector<std::size_t> drawn = DrawIndexes(n, op.num, seed);
  std::vector<resp::Value> items;
  items.reserve(drawn.size() * (with ? 2 : 1));  // (growing by doubling would need half again)
  for (std::size_t i : drawn) {
    items.push_back(item(i));
    if (with) items.push_back(value(i));
  }
  return with ? resp::Value::Pairs(std::move(items)) : resp::Value::Array(std::move(items));
}

}  // namespace cairn::kv
