#include "sim/snapshot.h"

#include <cstdio>
#include <string>

#include "common/assert.h"
#include "sim/trace.h"

namespace cairn::sim {

SnapshotPtr MakeSnapshot(raft::SnapshotMeta meta, std::vector<AppliedEntry> state) {
  CAIRN_CHECK(state.size() == meta.index, "a snapshot holds entries 1..index");
  auto s = std::make_shared<SnapshotImage>();
  std::uint64_t h = kFnvOffset;
  std::uint64_t bytes = 0;
  for (const AppliedEntry& e : state) {
    const std::uint64_t head[2] = {e.index, e.term};
    h = Fnv1a(h, std::string_view(reinterpret_cast<const char*>(head), sizeof head));
    h = Fnv1a(h, e.data);
    bytes += 16 + e.data.size();  // index + term + payload
  }
  s->meta = std::move(meta);
  s->state = std::move(state);
  s->hash = h;
  s->bytes = bytes;
  return s;
}

std::string DescribeSnapshot(const SnapshotImage& s) {
  char hash[17];
  std::snprintf(hash, sizeof hash, "%08llx", static_cast<unsigned long long>(s.hash & 0xffffffffull));
  return "idx=" + std::to_string(s.meta.index) + " term=" + std::to_string(s.meta.term) + " hash=" + hash +
         " (" + std::to_string(s.bytes) + " bytes)";
}

}  // namespace cairn::sim
