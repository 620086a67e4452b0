// libFuzzer target: a string value read as a HyperLogLog (kv/hyperloglog.h),
// as PFADD, PFCOUNT and PFMERGE read whatever a client SET. Whatever the
// bytes, ParseHll says kOk, kNotHll or kCorrupt and reads nothing past the
// end; a value it accepts re-encodes to the same registers, counts without
// trouble, takes more elements and merges.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/assert.h"
#include "kv/hyperloglog.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cairn::kv;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  Hll h;
  if (ParseHll(input, &h) != HllParse::kOk) return 0;
  const std::uint64_t count = h.Count();
  const std::string bytes = h.Encode();
  Hll back;
  CAIRN_CHECK(ParseHll(bytes, &back) == HllParse::kOk, "an encoded value does not parse");
  CAIRN_CHECK(back.registers == h.registers && back.dense == h.dense && back.cache == h.cache,
              "a value does not round-trip");
  CAIRN_CHECK(back.Count() == count);
  // Elements taken from the input itself, so the fuzzer steers registers.
  for (std::size_t i = 0; i + 4 <= size && i < 64; i += 4) {
    if (h.Add(input.substr(i, 4))) h.Promote();
  }
  (void)h.Count();
  Hll merged = back;
  merged.Merge(h);
  merged.Promote();
  Hll again;
  CAIRN_CHECK(
      ParseHll(merged.Encode(), &again) == HllParse::kOk && again.registers == merged.registers,
      "a merged value does not round-trip");
  return 0;
}
