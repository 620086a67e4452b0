// libFuzzer target: the RESP request parser (bytes a client sends a server).
#include <cstddef>
#include <cstdint>

#include "fuzz_entry.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  cairn::resp::fuzz::FuzzRequestParser(
      std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
