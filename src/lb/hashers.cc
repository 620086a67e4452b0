#include "lb/hashers.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

#include <algorithm>
#include <cmath>

#include "common/assert.h"

namespace cairn::lb {
namespace {

std::uint64_t Mix(std::uint64_t a, std::uint64_t b) {
  std::uint64_t x = a ^ (b + 0x9e3779b97f4a7c15ULL + (a << 6) + (a >> 2));
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

std::uint64_t HashId(const std::string& id) { return XXH64(id.data(), id.size(), 0x6c62); }
std::uint64_t HashKey(std::string_view key) { return XXH64(key.data(), key.size(), 0); }

RingHash::RingHash(const std::vector<Endpoint>& endpoints, std::size_t virtual_nodes)
    : endpoints_(endpoints.size()) {
  CAIRN_CHECK(!endpoints.empty(), "a ring needs an endpoint");
  for (std::size_t e = 0; e < endpoints.size(); ++e) {
    const std::uint64_t base = HashId(endpoints[e].id);
    const std::size_t points = virtual_nodes * std::max<std::uint32_t>(endpoints[e].weight, 1);
    for (std::size_t v = 0; v < points; ++v)
      ring_.push_back({Mix(base, v), static_cast<std::uint32_t>(e)});
  }
  std::sort(ring_.begin(), ring_.end(), [](const Point& a, const Point& b) { return a.hash < b.hash; });
}

std::size_t RingHash::Locate(std::uint64_t key) const {
  const std::uint64_t h = Mix(key, 0);
  auto it = std::lower_bound(ring_.begin(), ring_.end(), h,
                             [](const Point& p, std::uint64_t v) { return p.hash < v; });
  if (it == ring_.end()) it = ring_.begin();
  return it->endpoint;
}

std::size_t RingHash::LocateBounded(std::uint64_t key, std::span<const std::uint64_t> loads,
                                    double c) const {
  CAIRN_CHECK(loads.size() == endpoints_, "one load per endpoint");
  std::uint64_t total = 0;
  for (std::uint64_t l : loads) total += l;
  const double cap = std::ceil(c * static_cast<double>(total + 1) / static_cast<double>(endpoints_));
  const std::uint64_t h = Mix(key, 0);
  std::size_t pos = static_cast<std::size_t>(
      std::lower_bound(ring_.begin(), ring_.end(), h,
                       [](const Point& p, std::uint64_t v) { return p.hash < v; }) - ring_.begin());
  for (std::size_t step = 0; step < ring_.size(); ++step) {
    const Point& p = ring_[(pos + step) % ring_.size()];
    if (static_cast<double>(loads[p.endpoint]) + 1 <= cap) return p.endpoint;
  }
  return Locate(key);  // cap >= average, so some endpoint always fits; kept for safety
}

JumpHash::JumpHash(const std::vector<Endpoint>& endpoints)
    : buckets_(static_cast<std::int32_t>(endpoints.size())) {
  CAIRN_CHECK(buckets_ > 0, "jump hash needs an endpoint");
}

std::int32_t JumpHash::Bucket(std::uint64_t key, std::int32_t buckets) {
  // Lamping & Veach: follow the key's pseudo-random jumps until past the end.
  std::int64_t b = -1, j = 0;
  while (j < buckets) {
    b = j;
    key = key * 2862933555777941757ULL + 1;
    j = static_cast<std::int64_t>(static_cast<double>(b + 1) *
                                  (static_cast<double>(std::int64_t{1} << 31) /
                                   static_cast<double>((key >> 33) + 1)));
  }
  return static_cast<std::int32_t>(b);
}

std::size_t JumpHash::Locate(std::uint64_t key) const {
  return static_cast<std::size_t>(Bucket(Mix(key, 1), buckets_));
}

RendezvousHash::RendezvousHash(const std::vector<Endpoint>& endpoints) {
  CAIRN_CHECK(!endpoints.empty(), "rendezvous needs an endpoint");
  for (const Endpoint& e : endpoints) {
    id_hashes_.push_back(HashId(e.id));
    weights_.push_back(std::max<std::uint32_t>(e.weight, 1));
  }
}

std::size_t RendezvousHash::Locate(std::uint64_t key) const {
  std::size_t best = 0;
  double best_score = -1;
  for (std::size_t i = 0; i < id_hashes_.size(); ++i) {
    // u in (0, 1); -w/ln(u) ranks proportionally to weight.
    const double u = (static_cast<double>(Mix(key, id_hashes_[i]) >> 11) + 0.5) * 0x1.0p-53;
    const double score = -weights_[i] / std::log(u);
    if (score > best_score) {
      best_score = score;
      best = i;
    }
  }
  return best;
}

MaglevHash::MaglevHash(const std::vector<Endpoint>& endpoints, std::size_t table_size)
    : table_(table_size, UINT32_MAX) {
  const std::size_t n = endpoints.size();
  CAIRN_CHECK(n > 0, "maglev needs an endpoint");
  CAIRN_CHECK(table_size > n, "table must be larger than the endpoint count");
  std::vector<std::uint64_t> offset(n), skip(n), next(n, 0);
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t h = HashId(endpoints[i].id);
    offset[i] = Mix(h, 0xa) % table_size;
    skip[i] = Mix(h, 0xb) % (table_size - 1) + 1;
  }
  // Each endpoint in turn claims its next preferred free slot (weights give
  // extra turns), until the table is full.
  std::size_t filled = 0;
  while (filled < table_size) {
    for (std::size_t i = 0; i < n && filled < table_size; ++i) {
      for (std::uint32_t turn = 0; turn < std::max<std::uint32_t>(endpoints[i].weight, 1) && filled < table_size; ++turn) {
        std::size_t slot;
        do {
          slot = (offset[i] + next[i] * skip[i]) % table_size;
          ++next[i];
        } while (table_[slot] != UINT32_MAX);
        table_[slot] = static_cast<std::uint32_t>(i);
        ++filled;
      }
    }
  }
}

std::size_t MaglevHash::Locate(std::uint64_t key) const { return table_[Mix(key, 2) % table_.size()]; }

}  // namespace cairn::lb
