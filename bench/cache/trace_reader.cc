#include "bench/cache/trace_reader.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>

#include "common/random.h"

namespace cairn::cache::bench {
namespace {

struct PipeCloser {
  void operator()(FILE* f) const { pclose(f); }
};

Result<std::unique_ptr<FILE, PipeCloser>> OpenPipe(const std::string& tool, const std::string& path) {
  if (path.find('\'') != std::string::npos) return Status::InvalidArgument("quote in trace path");
  std::unique_ptr<FILE, PipeCloser> f(popen((tool + " '" + path + "'").c_str(), "r"));
  if (!f) return Status::IOError("cannot start " + tool + " for " + path);
  return f;
}

}  // namespace

Result<std::vector<std::uint64_t>> ReadLirsTrace(const std::string& path) {
  auto pipe = OpenPipe("zcat", path);
  if (!pipe.ok()) return pipe.status();
  std::vector<std::uint64_t> keys;
  char line[128];
  while (std::fgets(line, sizeof line, pipe->get()) != nullptr) {
    if (line[0] == '*' || line[0] == '\n') continue;
    char* end = nullptr;
    const unsigned long long k = std::strtoull(line, &end, 10);
    if (end == line) return Status::Corruption("bad line in " + path);
    keys.push_back(k);
  }
  if (keys.empty()) return Status::Corruption("empty trace " + path);
  return keys;
}

Result<std::vector<std::uint64_t>> ReadCache2kTrace(const std::string& path) {
  auto pipe = OpenPipe("xzcat", path);
  if (!pipe.ok()) return pipe.status();
  std::vector<std::uint64_t> keys;
  unsigned char b[4];
  while (std::fread(b, 1, 4, pipe->get()) == 4) {
    keys.push_back((std::uint64_t{b[0]} << 24) | (b[1] << 16) | (b[2] << 8) | b[3]);
  }
  if (keys.empty()) return Status::Corruption("empty trace " + path);
  return keys;
}

std::vector<std::uint64_t> ZipfTrace(std::size_t keys, double alpha, std::size_t n, std::uint64_t seed) {
  std::vector<double> cdf(keys);
  double sum = 0;
  for (std::size_t i = 0; i < keys; ++i) cdf[i] = (sum += 1.0 / std::pow(static_cast<double>(i + 1), alpha));
  Xoshiro256 rng(seed);
  // Popular ranks get scattered key ids, so key value says nothing about rank.
  std::vector<std::uint64_t> out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double u = rng.NextDouble() * sum;
    const std::size_t rank = static_cast<std::size_t>(std::lower_bound(cdf.begin(), cdf.end(), u) - cdf.begin());
    std::uint64_t state = rank;
    out.push_back(SplitMix64(state) >> 1);
  }
  return out;
}

std::vector<std::uint64_t> ScanMixedTrace(std::size_t keys, double alpha, std::size_t n,
                                          double scan_share, std::size_t scan_length,
                                          std::uint64_t seed) {
  std::vector<std::uint64_t> zipf = ZipfTrace(keys, alpha, n, seed);
  Xoshiro256 rng(seed ^ 0x5ca9);
  std::vector<std::uint64_t> out;
  out.reserve(n);
  std::uint64_t next_scan_key = std::uint64_t{1} << 63;  // disjoint from Zipf keys
  std::size_t zi = 0;
  while (out.size() < n) {
    if (rng.Chance(scan_share / static_cast<double>(scan_length))) {
      for (std::size_t j = 0; j < scan_length && out.size() < n; ++j) out.push_back(next_scan_key++);
    } else {
      out.push_back(zipf[zi++ % zipf.size()]);
    }
  }
  return out;
}

}  // namespace cairn::cache::bench
