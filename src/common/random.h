#pragma once
// Random: the seam through which cores get randomness (election timeouts,
// jitter). A seeded Random makes a whole simulated run reproducible.
//
// Thread-safety: none. Give each thread (or each core) its own instance.

#include <cstdint>

namespace cairn {

class Random {
 public:
  virtual ~Random() = default;
  virtual std::uint64_t NextU64() = 0;

  // Uniform in [0, n). n must be > 0. Lemire's multiply-shift: unbiased enough
  // for n far below 2^64, and branch-free.
  std::uint64_t Uniform(std::uint64_t n) {
    return static_cast<std::uint64_t>((static_cast<unsigned __int128>(NextU64()) * n) >> 64);
  }
  // Uniform in [lo, hi] (inclusive).
  std::uint64_t Range(std::uint64_t lo, std::uint64_t hi) { return lo + Uniform(hi - lo + 1); }
  // True with probability 1/n.
  bool OneIn(std::uint64_t n) { return Uniform(n) == 0; }
  // Uniform in [0, 1).
  double NextDouble() { return static_cast<double>(NextU64() >> 11) * 0x1.0p-53; }
  // True with probability p.
  bool Chance(double p) { return NextDouble() < p; }
};

// xoshiro256** seeded through splitmix64: fast, small state, good quality.
class Xoshiro256 final : public Random {
 public:
  explicit Xoshiro256(std::uint64_t seed) { Seed(seed); }
  void Seed(std::uint64_t seed);
  std::uint64_t NextU64() override;

 private:
  std::uint64_t s_[4];
};

// splitmix64 step: also a good 64-bit mixer for hashing seeds together.
std::uint64_t SplitMix64(std::uint64_t& state);

}  // namespace cairn
