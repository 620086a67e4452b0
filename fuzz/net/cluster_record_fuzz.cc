// libFuzzer target: arbitrary bytes as a saved cluster record (read from the
// state machine store at start and after a snapshot install). Decode never
// crashes; whatever decodes re-encodes to the same bytes.
#include <cstdlib>

#include "net/cluster_record.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cairn;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto record = net::DecodeClusterRecord(in);
  if (record.ok() && net::EncodeClusterRecord(*record) != in) std::abort();
  return 0;
}
