#pragma once
// Seeds for randomized sim tests: CAIRN_SEED in the environment replays one.

#include <cstdint>
#include <cstdlib>
#include <string>

namespace cairn::sim {

// The seed a test should use: CAIRN_SEED if set, else `fallback`.
inline std::uint64_t TestSeed(std::uint64_t fallback) {
  const char* env = std::getenv("CAIRN_SEED");
  return env != nullptr ? std::strtoull(env, nullptr, 10) : fallback;
}

}  // namespace cairn::sim
