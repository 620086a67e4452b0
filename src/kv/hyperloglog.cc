#include "kv/hyperloglog.h"

#include <cmath>
#include <cstring>
#include <limits>

#include "common/assert.h"

namespace cairn::kv {
namespace {

constexpr std::uint64_t kHashSeed = 0xadc83b19ULL;
constexpr int kIndexBits = 14;                  // log2 of the register count
constexpr int kRankBits = 64 - kIndexBits;      // the hash bits left for the rank
constexpr std::uint8_t kSparseValueMax = 32;    // the largest value a sparse run holds
constexpr std::size_t kZeroRunMax = 64;         // 00xxxxxx
constexpr std::size_t kLongZeroRunMax = 16384;  // 01xxxxxx yyyyyyyy
constexpr std::size_t kValueRunMax = 4;         // 1vvvvvxx

constexpr char kMagic[4] = {'H', 'Y', 'L', 'L'};
constexpr std::uint8_t kDense = 0;
constexpr std::uint8_t kSparse = 1;

// The header's 8 cached-count bytes: little-endian, the top bit set if stale.
std::optional<std::uint64_t> CachedCountOf(const unsigned char* cache) {
  if (cache[7] & 0x80) return std::nullopt;
  std::uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | cache[i];
  return n;
}

// Calls zeros(n) and values(v, n) for the runs of `regs` in the shortest
// sparse form; false (having stopped) if a register passes 32.
template <typename Zeros, typename Values>
bool ForEachRun(const std::array<std::uint8_t, kHllRegisterCount>& regs, Zeros zeros,
                Values values) {
  std::size_t i = 0;
  while (i < kHllRegisterCount) {
    const std::uint8_t v = regs[i];
    std::size_t end = i + 1;
    while (end < kHllRegisterCount && regs[end] == v) ++end;
    if (v > kSparseValueMax) return false;
    for (std::size_t left = end - i; left > 0;) {
      const std::size_t max = v == 0 ? kLongZeroRunMax : kValueRunMax;
      const std::size_t n = std::min(left, max);
      if (v == 0) {
        zeros(n);
      } else {
        values(v, n);
      }
      left -= n;
    }
    i = end;
  }
  return true;
}

// ln-free pieces of Ertl's estimator: sigma(x) = x + sum_k x^(2^k) 2^(k-1)
// and tau(x) = (1 - x - sum_k (1 - x^(2^-k))^2 2^-k) / 3, each summed
// until the double stops changing.
double Sigma(double x) {
  if (x == 1.0) return std::numeric_limits<double>::infinity();
  double z = x;
  double y = 1;
  double previous = 0;
  do {
    x *= x;
    previous = z;
    z += x * y;
    y += y;
  } while (previous != z);
  return z;
}

double Tau(double x) {
  if (x == 0.0 || x == 1.0) return 0.0;
  double z = 1 - x;
  double y = 1.0;
  double previous = 0;
  do {
    x = std::sqrt(x);
    previous = z;
    y *= 0.5;
    z -= std::pow(1 - x, 2) * y;
  } while (previous != z);
  return z / 3;
}

}  // namespace

std::uint64_t MurmurHash64A(std::string_view data, std::uint64_t seed) {
  constexpr std::uint64_t m = 0xc6a4a7935bd1e995ULL;
  constexpr int r = 47;
  std::uint64_t h = seed ^ (data.size() * m);
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  const std::size_t blocks = data.size() / 8;
  for (std::size_t b = 0; b < blocks; ++b, p += 8) {
    std::uint64_t k = 0;
    for (int j = 7; j >= 0; --j) k = (k << 8) | p[j];  // little-endian
    k *= m;
    k ^= k >> r;
    k *= m;
    h ^= k;
    h *= m;
  }
  const std::size_t tail = data.size() & 7;
  if (tail > 0) {
    for (std::size_t j = tail; j-- > 0;) h ^= static_cast<std::uint64_t>(p[j]) << (8 * j);
    h *= m;
  }
  h ^= h >> r;
  h *= m;
  h ^= h >> r;
  return h;
}

bool Hll::Add(std::string_view element) {
  std::uint64_t hash = MurmurHash64A(element, kHashSeed);
  const std::size_t index = hash & (kHllRegisterCount - 1);
  hash >>= kIndexBits;
  hash |= std::uint64_t{1} << kRankBits;  // the rank is at most kRankBits + 1
  std::uint8_t rank = 1;
  while ((hash & 1) == 0) {
    ++rank;
    hash >>= 1;
  }
  if (registers[index] >= rank) return false;
  registers[index] = rank;
  if (!dense && rank > kSparseValueMax) dense = true;
  return true;
}

void Hll::Merge(const Hll& other) {
  for (std::size_t i = 0; i < kHllRegisterCount; ++i) {
    registers[i] = std::max(registers[i], other.registers[i]);
  }
  sparse_bound = SIZE_MAX;
}

std::uint64_t Hll::Count() const {
  std::array<std::uint32_t, 64> histogram{};
  for (std::uint8_t r : registers) ++histogram[r];
  constexpr double m = kHllRegisterCount;
  double z = m * Tau((m - histogram[kRankBits + 1]) / m);
  for (int j = kRankBits; j >= 1; --j) {
    z += histogram[j];
    z *= 0.5;
  }
  z += m * Sigma(histogram[0] / m);
  constexpr double kAlphaInfinity = 0.721347520444481703680;  // 1 / (2 ln 2)
  return static_cast<std::uint64_t>(std::llroundl(kAlphaInfinity * m * m / z));
}

void Hll::StoreCount() {
  std::uint64_t n = Count();
  for (std::size_t i = 0; i < 8; ++i, n >>= 8) cache[i] = static_cast<std::uint8_t>(n & 0xff);
  cache[7] &= 0x7f;  // (an estimate never reaches 2^63)
}

std::optional<std::uint64_t> CachedHllCount(std::string_view bytes) {
  return CachedCountOf(reinterpret_cast<const unsigned char*>(bytes.data() + 8));
}

std::optional<std::uint64_t> Hll::CachedCount() const { return CachedCountOf(cache.data()); }

std::size_t Hll::SparseSize() const {
  std::size_t bytes = kHllHeaderSize;
  const bool small = ForEachRun(
      registers, [&](std::size_t n) { bytes += n > kZeroRunMax ? 2 : 1; },
      [&](std::uint8_t, std::size_t) { ++bytes; });
  return small ? bytes : SIZE_MAX;
}

void Hll::Promote() {
  if (dense) return;
  if (sparse_bound != SIZE_MAX) sparse_bound += 4;  // (3 at most; 4 for a margin)
  if (sparse_bound <= kHllSparseMaxBytes) return;
  sparse_bound = SparseSize();
  if (sparse_bound > kHllSparseMaxBytes) dense = true;
}

std::string Hll::Encode() const {
  std::string out(kMagic, 4);
  out.push_back(static_cast<char>(dense ? kDense : kSparse));
  out.append(3, '\0');
  out.append(reinterpret_cast<const char*>(cache.data()), cache.size());
  if (dense) {
    out.resize(kHllDenseSize, '\0');
    auto* regs = reinterpret_cast<unsigned char*>(out.data() + kHllHeaderSize);
    // Four six-bit registers fill three bytes, least significant bit first.
    for (std::size_t i = 0, at = 0; i < kHllRegisterCount; i += 4, at += 3) {
      const unsigned r0 = registers[i] & 63u, r1 = registers[i + 1] & 63u,
                     r2 = registers[i + 2] & 63u, r3 = registers[i + 3] & 63u;
      regs[at] = static_cast<unsigned char>(r0 | (r1 << 6));
      regs[at + 1] = static_cast<unsigned char>((r1 >> 2) | (r2 << 4));
      regs[at + 2] = static_cast<unsigned char>((r2 >> 4) | (r3 << 2));
    }
    return out;
  }
  const bool sparse = ForEachRun(
      registers,
      [&](std::size_t n) {
        if (n > kZeroRunMax) {
          out.push_back(static_cast<char>(0x40 | ((n - 1) >> 8)));
          out.push_back(static_cast<char>((n - 1) & 0xff));
        } else {
          out.push_back(static_cast<char>(n - 1));
        }
      },
      [&](std::uint8_t v, std::size_t n) {
        out.push_back(static_cast<char>(0x80 | ((v - 1) << 2) | (n - 1)));
      });
  CAIRN_CHECK(sparse, "a sparse HyperLogLog with a register above 32");
  return out;
}

HllParse CheckHllHeader(std::string_view bytes) {
  if (bytes.size() < kHllHeaderSize || std::memcmp(bytes.data(), kMagic, 4) != 0) {
    return HllParse::kNotHll;
  }
  const auto encoding = static_cast<std::uint8_t>(bytes[4]);
  if (encoding > kSparse) return HllParse::kNotHll;
  if (encoding == kDense && bytes.size() != kHllDenseSize) return HllParse::kNotHll;
  return HllParse::kOk;
}

HllParse ParseHll(std::string_view bytes, Hll* out) {
  if (CheckHllHeader(bytes) != HllParse::kOk) return HllParse::kNotHll;
  out->dense = static_cast<std::uint8_t>(bytes[4]) == kDense;
  std::memcpy(out->cache.data(), bytes.data() + 8, 8);
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data() + kHllHeaderSize);
  const std::size_t size = bytes.size() - kHllHeaderSize;
  if (out->dense) {
    for (std::size_t i = 0, at = 0; i < kHllRegisterCount; i += 4, at += 3) {
      const unsigned b0 = p[at], b1 = p[at + 1], b2 = p[at + 2];
      out->registers[i] = static_cast<std::uint8_t>(b0 & 63u);
      out->registers[i + 1] = static_cast<std::uint8_t>((b0 >> 6) | ((b1 & 15u) << 2));
      out->registers[i + 2] = static_cast<std::uint8_t>((b1 >> 4) | ((b2 & 3u) << 4));
      out->registers[i + 3] = static_cast<std::uint8_t>(b2 >> 2);
    }
    return HllParse::kOk;
  }
  out->sparse_bound = bytes.size();  // the shortest form is no longer than this one
  std::size_t reg = 0;
  for (std::size_t at = 0; at < size;) {
    const unsigned char op = p[at];
    std::size_t n = 0;
    std::uint8_t value = 0;
    if ((op & 0xc0) == 0x00) {
      n = (op & 0x3f) + 1u;
      at += 1;
    } else if ((op & 0xc0) == 0x40) {
      if (at + 1 >= size) return HllParse::kCorrupt;
      n = (((op & 0x3fu) << 8) | p[at + 1]) + 1;
      at += 2;
    } else {
      value = static_cast<std::uint8_t>(((op >> 2) & 0x1f) + 1);
      n = (op & 3u) + 1;
      at += 1;
    }
    if (n > kHllRegisterCount - reg) return HllParse::kCorrupt;
    std::memset(out->registers.data() + reg, value, n);
    reg += n;
  }
  return reg == kHllRegisterCount ? HllParse::kOk : HllParse::kCorrupt;
}

}  // namespace cairn::kv
