#pragma once
// Fs / File: the seam through which the WAL touches the disk.
//
// Two implementations: PosixFs (the real disk, posix_fs.h) and FaultyFs (an
// in-memory disk that forgets unsynced bytes at a simulated crash, faulty_fs.h).
// Only the operations the WAL needs are here.
//
// Durability model (what every caller must assume, and what FaultyFs enforces):
//   - File::Write/Truncate/Allocate are durable only after File::Sync returns OK.
//   - A new name (Open with kCreate, Rename, Remove) is durable only after
//     SyncDir on its parent directory returns OK.
//   - A crash may keep any prefix of the unsynced writes of a file, the last
//     of them torn at any byte.
// Errors: every call returns a Status; I/O failures are kIOError, a missing
// file is kNotFound. After a failed Sync the file's durable contents are
// unknown: callers must stop writing (the WAL poisons itself).
//
// Thread-safety: distinct File objects may be used from distinct threads; one
// File must not be used by two threads at once. Fs methods are thread-safe.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace cairn::storage {

class File {
 public:
  virtual ~File() = default;
  // Writes `data` at `offset`, extending the file if needed (pwrite).
  virtual Status Write(std::uint64_t offset, std::string_view data) = 0;
  // Reads up to `n` bytes at `offset` into `out` (resized to what was read;
  // shorter only at end of file).
  virtual Status Read(std::uint64_t offset, std::size_t n, std::string* out) = 0;
  // Reads up to `n` bytes at `offset` into dst[0, n) and returns how many
  // (fewer only at end of file). The default goes through Read and copies;
  // PosixFile reads straight into `dst` (recovery's windowed reads).
  virtual Result<std::size_t> ReadInto(std::uint64_t offset, char* dst, std::size_t n);
  // fdatasync: makes data and the file size durable.
  virtual Status Sync() = 0;
  virtual Status Truncate(std::uint64_t size_bytes) = 0;
  // Reserves space so the file is at least `size_bytes` long; new bytes read
  // as zero (fallocate without KEEP_SIZE, so later writes do not change the
  // size and fdatasync need not flush metadata).
  virtual Status Allocate(std::uint64_t size_bytes) = 0;
  virtual Result<std::uint64_t> Size() = 0;
};

enum class OpenMode : std::uint8_t {
  kCreate,    // create if missing (never truncates)
  kExisting,  // kNotFound if missing
};

class Fs {
 public:
  virtual ~Fs() = default;
  virtual Result<std::unique_ptr<File>> Open(const std::string& path, OpenMode mode) = 0;
  virtual Status Rename(const std::string& from, const std::string& to) = 0;
  virtual Status Remove(const std::string& path) = 0;
  // Names (not paths) of the entries in `dir`, unsorted, without "." and "..".
  virtual Result<std::vector<std::string>> List(const std::string& dir) = 0;
  // Creates `dir` (and missing parents); OK if it exists.
  virtual Status CreateDir(const std::string& dir) = 0;
  // fsync on the directory: makes creations, renames and removals durable.
  virtual Status SyncDir(const std::string& dir) = 0;
  virtual bool Exists(const std::string& path) = 0;

  // Reads a whole file (convenience over Open + Read).
  Result<std::string> ReadAll(const std::string& path);
};

// "dir/name" (no doubled slash).
std::string JoinPath(std::string_view dir, std::string_view name);
// The directory part of a path ("." if none).
std::string DirName(std::string_view path);

}  // namespace cairn::storage
