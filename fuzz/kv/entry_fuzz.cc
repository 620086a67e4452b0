// libFuzzer target: the kv log entry decoder and the state machine behind it.
#include <cstddef>
#include <cstdint>

#include "fuzz_entry.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  cairn::kv::fuzz::FuzzLogEntry(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
