#pragma once
// Inspecting a WAL directory without changing it: the library behind
// `cairn-wal dump DIR` and `cairn-wal verify DIR`.
//
// Thread-safety: none needed (reads files, keeps no state). Must not run
// while a process is appending to the same directory (it may see a torn
// tail that is really a write in progress).

#include <iosfwd>
#include <string>

#include "common/status.h"
#include "storage/fs.h"
#include "storage/wal.h"

namespace cairn::storage {

// Prints every record of every segment, one line each:
//   <file> @<offset> <type> <fields>
// followed by the tail state of each segment. Data is shown as its length
// and a short escaped prefix. Returns the first error met (after printing
// everything before it).
Status DumpWal(Fs& fs, const std::string& dir, std::ostream& out);

struct VerifySummary {
  std::size_t segments = 0;
  std::size_t entries = 0;
  raft::Index first_index = 0;
  raft::Index last_index = 0;
  raft::HardState hard_state;
  std::uint64_t bytes = 0;
  bool torn_tail = false;  // Open would truncate it (not an error)
  std::vector<std::string> notes;
};

// Replays the WAL read-only, exactly as Open would: kCorruption (with file
// and offset) if Open would refuse it.
Result<VerifySummary> VerifyWal(Fs& fs, const std::string& dir);

}  // namespace cairn::storage
