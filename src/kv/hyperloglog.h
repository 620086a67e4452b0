#pragma once
// HyperLogLog values (PFADD, PFCOUNT, PFMERGE) in Redis's string format, so
// that a value read with GET from Redis can be SET into Cairn and the other
// way round, and so that every count is the one Redis gives.
//
// Format (Redis 3.0 onwards): a 16-byte header, "HYLL", an encoding byte
// (0 dense, 1 sparse), three zero bytes, and the cached cardinality as 8
// bytes little-endian whose top bit, when set, says the cache is stale.
// Then 16384 six-bit registers:
// - dense: packed least significant bit first, 12288 bytes;
// - sparse: runs, each one opcode: 00xxxxxx (1-64 zero registers),
//   01xxxxxx yyyyyyyy (1-16384 zero registers, 14 bits), 1vvvvvxx (1-4
//   registers of value 1-32).
// An element sets register (hash & 16383) to at least the position of the
// lowest set bit of the remaining hash bits (MurmurHash64A, seed
// 0xadc83b19), which is 1-51. The count is Ertl's improved estimator
// ("New cardinality estimation algorithms for HyperLogLog sketches", 2017),
// which Redis uses since 5.0.
//
// Cairn stores the cached cardinality fresh with every change (Redis marks
// it stale and stores it at the next PFCOUNT). It writes the sparse
// encoding in its shortest form and turns a value
// dense once that form would pass 3000 bytes (Redis's default
// hll-sparse-max-bytes) or a register passes 32. Redis edits sparse runs in
// place and may keep a few bytes more for the same registers; both read
// either.
//
// Thread-safety: pure functions and plain values.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cairn::kv {

inline constexpr std::size_t kHllRegisterCount = 16384;
inline constexpr std::size_t kHllHeaderSize = 16;
inline constexpr std::size_t kHllDenseSize = kHllHeaderSize + kHllRegisterCount * 6 / 8;
inline constexpr std::size_t kHllSparseMaxBytes = 3000;

inline constexpr std::string_view kHllNotValid =
    "WRONGTYPE Key is not a valid HyperLogLog string value.";
inline constexpr std::string_view kHllCorrupt = "INVALIDOBJ Corrupted HLL object detected";

struct Hll {
  std::array<std::uint8_t, kHllRegisterCount> registers{};
  bool dense = false;
  // The header's cached cardinality bytes, as stored (top bit: stale).
  std::array<std::uint8_t, 8> cache{};

  // Raises the register `element` hashes to; true if it changed.
  bool Add(std::string_view element);
  // Raises every register to at least `other`'s.
  void Merge(const Hll& other);
  // The estimated number of distinct elements added.
  std::uint64_t Count() const;
  // Stores Count() as the cached cardinality, fresh.
  void StoreCount();
  // The cached cardinality if it is not stale.
  std::optional<std::uint64_t> CachedCount() const;
  // The size of the shortest sparse form (header included), or SIZE_MAX if
  // a register passes 32.
  std::size_t SparseSize() const;
  // Turns the value dense, for good, once its sparse form no longer fits
  // in 3000 bytes. Called after each change of a register (each element),
  // as Redis decides per element: the sparse form of later registers may be
  // shorter again. Amortised O(1): one change adds at most 3 bytes to the
  // shortest form (a long zero run split around a value: 2 bytes become
  // 2 + 1 + 2), so the exact size is computed again only when
  // `sparse_bound` says it may no longer fit.
  void Promote();

  // An upper bound of SparseSize(), SIZE_MAX if unknown (as after a direct
  // change of `registers`).
  std::size_t sparse_bound = SIZE_MAX;
  // The stored form, in the encoding `dense` says.
  std::string Encode() const;
};

enum class HllParse : std::uint8_t { kOk, kNotHll, kCorrupt };
// Only the header (and a dense value's length): what Redis 7.0 checks of a
// value before it reads any register (PFADD without elements reads none).
HllParse CheckHllHeader(std::string_view bytes);
// The fresh cached cardinality in the header of a value CheckHllHeader
// accepted, or nullopt if it is stale.
std::optional<std::uint64_t> CachedHllCount(std::string_view bytes);
// Reads a string value. kNotHll (kHllNotValid) if the header is not one or
// a dense value has the wrong length, kCorrupt (kHllCorrupt) if sparse runs
// do not cover the registers exactly, as Redis 7.0 tells them apart.
HllParse ParseHll(std::string_view bytes, Hll* out);

// MurmurHash64A, as Redis hashes HyperLogLog elements.
std::uint64_t MurmurHash64A(std::string_view data, std::uint64_t seed);

}  // namespace cairn::kv
