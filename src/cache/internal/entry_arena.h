#pragma once
// EntryArena: fixed-size blocks for one cache's entries, carved from large
// chunks that the kernel may back with 2 MiB transparent huge pages.
//
// Why: a hit touches an index slot, an entry and a sketch block spread over
// megabytes; with malloc'ed 4 KiB-page entries most hits also miss the TLB,
// and in a VM a TLB miss is a two-dimensional page walk. (Measured: the same
// benchmark with glibc's heap on huge pages ran ~12 ns per hit faster.)
//
// Chunks grow from 64 KiB to 2 MiB, so a small cache stays small; 2 MiB
// chunks are 2 MiB-aligned and madvise(MADV_HUGEPAGE)d (a hint: without
// THP they are ordinary pages). Memory returns to the system only when the
// arena dies; freed blocks are reused first. Under AddressSanitizer a free
// block is poisoned, so a use after Free is still reported.
//
// Thread-safety: Allocate and Free may be called from any thread (a spin
// lock; both run on the write path only).

#include <sys/mman.h>

#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <mutex>
#include <new>
#include <vector>

#include "cache/internal/spin_lock.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define CAIRN_ARENA_POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define CAIRN_ARENA_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define CAIRN_ARENA_POISON(p, n) ((void)(p), (void)(n))
#define CAIRN_ARENA_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

namespace cairn::cache::internal {

class EntryArena {
 public:
  static constexpr std::size_t kHugePage = std::size_t{2} << 20;
  static constexpr std::size_t kFirstChunk = std::size_t{64} << 10;

  // The first chunk holds about an eighth of `expected_blocks` (at least
  // 64 KiB); each next one doubles, up to 2 MiB.
  EntryArena(std::size_t block_bytes, std::size_t block_align, std::size_t expected_blocks)
      : block_bytes_((std::max(block_bytes, sizeof(void*)) + block_align - 1) / block_align *
                     block_align),
        block_align_(block_align),
        next_chunk_bytes_(kFirstChunk) {
    while (next_chunk_bytes_ < kHugePage && next_chunk_bytes_ < expected_blocks / 8 * block_bytes_)
      next_chunk_bytes_ *= 2;
  }
  EntryArena(const EntryArena&) = delete;
  EntryArena& operator=(const EntryArena&) = delete;
  ~EntryArena() {
    for (std::size_t i = 0; i < chunks_.size(); ++i) {
      CAIRN_ARENA_UNPOISON(chunks_[i], chunk_sizes_[i]);
      std::free(chunks_[i]);
    }
  }

  // Uninitialised storage for one block (block_bytes, block_align).
  void* Allocate() {
    std::lock_guard<SpinLock> lock(mu_);
    if (free_ != nullptr) {
      FreeBlock* b = free_;
      CAIRN_ARENA_UNPOISON(b, block_bytes_);
      free_ = b->next;
      return b;
    }
    if (bump_ == bump_end_) NewChunk();
    void* out = bump_;
    bump_ += block_bytes_;
    CAIRN_ARENA_UNPOISON(out, block_bytes_);
    return out;
  }

  // Returns a block from Allocate (its object already destroyed).
  void Free(void* p) {
    std::lock_guard<SpinLock> lock(mu_);
    auto* b = static_cast<FreeBlock*>(p);
    b->next = free_;
    free_ = b;
    CAIRN_ARENA_POISON(p, block_bytes_);
  }

 private:
  struct FreeBlock {
    FreeBlock* next;
  };

  void NewChunk() {
    const std::size_t bytes = std::max(next_chunk_bytes_, block_bytes_);
    const std::size_t align =
        bytes >= kHugePage ? kHugePage : std::max<std::size_t>(block_align_, 64);
    const std::size_t alloc_bytes = (bytes + align - 1) / align * align;
    void* chunk = std::aligned_alloc(align, alloc_bytes);
    if (chunk == nullptr) throw std::bad_alloc();
#if defined(MADV_HUGEPAGE)
    if (bytes >= kHugePage) (void)madvise(chunk, bytes, MADV_HUGEPAGE);  // a hint; failure is fine
#endif
    chunks_.push_back(chunk);
    chunk_sizes_.push_back(alloc_bytes);
    bump_ = static_cast<char*>(chunk);
    bump_end_ = bump_ + bytes / block_bytes_ * block_bytes_;
    CAIRN_ARENA_POISON(chunk, bytes);
    next_chunk_bytes_ = std::min(next_chunk_bytes_ * 2, kHugePage);
  }

  const std::size_t block_bytes_;
  const std::size_t block_align_;
  SpinLock mu_;
  FreeBlock* free_ = nullptr;             // guarded by mu_
  char* bump_ = nullptr;                  // guarded by mu_
  char* bump_end_ = nullptr;              // guarded by mu_
  std::size_t next_chunk_bytes_;          // guarded by mu_
  std::vector<void*> chunks_;             // guarded by mu_
  std::vector<std::size_t> chunk_sizes_;  // guarded by mu_
};

}  // namespace cairn::cache::internal
