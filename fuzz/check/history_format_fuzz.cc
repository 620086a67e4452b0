// libFuzzer target: the history parser must reject any input with a Status,
// never crash, and a history it accepts must survive a format/parse round trip.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "check/history_format.h"
#include "common/assert.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  cairn::Result<cairn::check::History> h = cairn::check::ParseHistory(text);
  if (!h.ok()) return 0;
  cairn::Result<cairn::check::History> again = cairn::check::ParseHistory(cairn::check::FormatHistory(*h));
  CAIRN_CHECK(again.ok(), "a formatted history must parse");
  CAIRN_CHECK(again->ops.size() == h->ops.size(), "round trip keeps every op");
  return 0;
}
