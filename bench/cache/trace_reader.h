#pragma once
// Loads the access traces in /work/shared/traces (see its README) and makes
// synthetic ones. Decompression is piped through zcat/xzcat.

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace cairn::cache::bench {

// lirs/*.trace.gz: text, one integer per line, '*' lines skipped.
Result<std::vector<std::uint64_t>> ReadLirsTrace(const std::string& path);
// cache2k/*.trace.xz: big-endian 32-bit keys.
Result<std::vector<std::uint64_t>> ReadCache2kTrace(const std::string& path);
// Zipf(alpha) over `keys` keys, `n` requests, deterministic from `seed`.
std::vector<std::uint64_t> ZipfTrace(std::size_t keys, double alpha, std::size_t n, std::uint64_t seed);
// Zipf mixed with sequential scans of never-repeated keys (`scan_share` of requests).
std::vector<std::uint64_t> ScanMixedTrace(std::size_t keys, double alpha, std::size_t n,
                                          double scan_share, std::size_t scan_length,
                                          std::uint64_t seed);

}  // namespace cairn::cache::bench
