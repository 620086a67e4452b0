#include "cache/internal/entry_arena.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <set>
#include <vector>

namespace cairn::cache::internal {
namespace {

TEST(EntryArena, BlocksAreDistinctAlignedAndReusedAfterFree) {
  EntryArena arena(/*block_bytes=*/88, /*block_align=*/16, /*expected_blocks=*/100'000);
  std::vector<void*> blocks;
  std::set<std::uintptr_t> seen;
  for (int i = 0; i < 60'000; ++i) {  // several chunks, the later ones 2 MiB
    void* p = arena.Allocate();
    ASSERT_EQ(reinterpret_cast<std::uintptr_t>(p) % 16, 0u);
    std::memset(p, 0xab, 88);  // the whole block is writable (ASan checks it)
    blocks.push_back(p);
    seen.insert(reinterpret_cast<std::uintptr_t>(p));
  }
  EXPECT_EQ(seen.size(), blocks.size()) << "a block was handed out twice";
  // Freed blocks come back before the arena carves new ones.
  std::set<std::uintptr_t> freed;
  for (std::size_t i = 0; i < blocks.size(); i += 2) {
    arena.Free(blocks[i]);
    freed.insert(reinterpret_cast<std::uintptr_t>(blocks[i]));
  }
  for (std::size_t i = 0; i < freed.size(); ++i)
    EXPECT_EQ(freed.count(reinterpret_cast<std::uintptr_t>(arena.Allocate())), 1u);
}

}  // namespace
}  // namespace cairn::cache::internal
