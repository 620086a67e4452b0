#pragma once
// Key-affinity balancing: map a key to one endpoint so the same key keeps
// hitting the same backend, and a membership change moves few keys.
//
// Each hasher is immutable after construction (rebuild on a membership
// change), so Locate is safe from any number of threads. Endpoints are named
// by their ids; Locate returns an index into the list given at construction.
//
//   strategy      build        locate        keys moved by +-1 endpoint
//   RingHash      O(N V log)   O(log NV)     ~1/N (V virtual nodes each)
//   JumpHash      O(1)         O(log N)      1/N, but only at the list's end
//   Rendezvous    O(N)         O(N)          1/N exactly in expectation
//   Maglev        O(M)         O(1)          ~1/N plus a little table churn

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "lb/endpoint.h"

namespace cairn::lb {

class KeyHasher {
 public:
  virtual ~KeyHasher() = default;
  // Endpoint index for the key. The endpoint list must be non-empty.
  virtual std::size_t Locate(std::uint64_t key) const = 0;
};

// 64-bit hash of an endpoint id (xxHash64).
std::uint64_t HashId(const std::string& id);
// Key hash for string keys (xxHash64).
std::uint64_t HashKey(std::string_view key);

// Consistent hashing ring with `virtual_nodes` points per unit of weight.
class RingHash final : public KeyHasher {
 public:
  explicit RingHash(const std::vector<Endpoint>& endpoints, std::size_t virtual_nodes = 4096);
  std::size_t Locate(std::uint64_t key) const override;
  // Consistent hashing with bounded loads (Mirrokni et al.): walk clockwise
  // past endpoints whose load would exceed ceil(c * (total + 1) / N). `loads`
  // has one entry per endpoint; c > 1 (1.25 is typical).
  std::size_t LocateBounded(std::uint64_t key, std::span<const std::uint64_t> loads, double c) const;

 private:
  struct Point {
    std::uint64_t hash;
    std::uint32_t endpoint;
  };
  std::vector<Point> ring_;  // sorted by hash
  std::size_t endpoints_;
};

// Lamping & Veach jump consistent hash over the list's positions. Only
// appending or removing the last endpoint is minimal-movement; removing one
// in the middle renumbers the rest (use another hasher for that).
class JumpHash final : public KeyHasher {
 public:
  explicit JumpHash(const std::vector<Endpoint>& endpoints);
  std::size_t Locate(std::uint64_t key) const override;
  static std::int32_t Bucket(std::uint64_t key, std::int32_t buckets);

 private:
  std::int32_t buckets_;
};

// Highest random weight: the endpoint with the largest score(key, id) wins;
// weighted by the logarithmic method (score = -w / ln(u)).
class RendezvousHash final : public KeyHasher {
 public:
  explicit RendezvousHash(const std::vector<Endpoint>& endpoints);
  std::size_t Locate(std::uint64_t key) const override;

 private:
  std::vector<std::uint64_t> id_hashes_;
  std::vector<double> weights_;
};

// Maglev (Eisenbud et al., NSDI 2016): a lookup table of prime size M filled
// round-robin from per-endpoint permutations; O(1) lookups, near-even shares.
class MaglevHash final : public KeyHasher {
 public:
  explicit MaglevHash(const std::vector<Endpoint>& endpoints, std::size_t table_size = 65537);
  std::size_t Locate(std::uint64_t key) const override;

 private:
  std::vector<std::uint32_t> table_;
};

}  // namespace cairn::lb
