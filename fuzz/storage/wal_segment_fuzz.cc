// libFuzzer target: arbitrary bytes as a WAL segment (see wal_segment_fuzz_body.h).
#include "fuzz/storage/wal_segment_fuzz_body.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  cairn::storage::FuzzOneWalSegment(data, size);
  return 0;
}
