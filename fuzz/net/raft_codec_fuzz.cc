// libFuzzer target: arbitrary bytes through the peer frame reader and the
// raft::Message decoder. A decoded message must re-encode to the same bytes.
#include <cstdlib>

#include "net/raft_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cairn::net;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  FrameReader reader(1u << 20);
  reader.Feed(in);
  for (int i = 0; i < 64; ++i) {
    auto f = reader.Next();
    if (!f.ok() || !f->has_value()) break;
  }
  auto m = DecodeMessage(in);
  if (m.ok() && EncodeMessage(*m) != in) std::abort();
  return 0;
}
