// libFuzzer target: the RESP2/RESP3 reply parser (bytes a server sends a client).
#include <cstddef>
#include <cstdint>

#include "fuzz_entry.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  cairn::resp::fuzz::FuzzReplyParser(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
