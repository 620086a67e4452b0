#pragma once
// CRC32C (Castagnoli), the checksum of every WAL record and peer frame.
// Uses the SSE4.2 crc32 instruction when the CPU has it, a table otherwise.
//
// Thread-safety: pure functions.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace cairn::crc32c {

// Extends `crc` (the CRC of earlier bytes, 0 to start) over data[0, n).
std::uint32_t Extend(std::uint32_t crc, const void* data, std::size_t n);

inline std::uint32_t Value(const void* data, std::size_t n) { return Extend(0, data, n); }
inline std::uint32_t Value(std::string_view s) { return Extend(0, s.data(), s.size()); }

// A CRC stored next to the data it covers could be the CRC of a CRC (say, a
// record that embeds checksums); masking makes that case distinct. Store
// Mask(crc), compare with Unmask(stored).
inline std::uint32_t Mask(std::uint32_t crc) { return ((crc >> 15) | (crc << 17)) + 0xa282ead8u; }
inline std::uint32_t Unmask(std::uint32_t masked) {
  std::uint32_t rot = masked - 0xa282ead8u;
  return (rot >> 17) | (rot << 15);
}

}  // namespace cairn::crc32c
