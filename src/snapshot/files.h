#pragma once
// File-backed ChunkSource and ChunkSink for snapshot transfer.
//
// FileChunkSink keeps an incoming snapshot in `<dir>/incoming.snap` and
// records, after each Sync(), the snapshot id and the durable length in
// `<dir>/incoming.meta` (written to a temp file and renamed, so it is never
// torn). A restarted receiver resumes from that length. Commit() fsyncs the
// data, renames it to `<dir>/snapshot-<index>-<term>.snap` and fsyncs the
// directory: until that rename, the previous snapshot stays in force.
//
// Thread-safety: none. Errors: IOError naming the file and the failed call.

#include <string>

#include "snapshot/transfer.h"

namespace cairn::snapshot {

class FileChunkSource final : public ChunkSource {
 public:
  static Result<std::unique_ptr<FileChunkSource>> Open(const std::string& path);
  ~FileChunkSource() override;
  std::uint64_t size() const override { return size_; }
  Status ReadAt(std::uint64_t offset, std::size_t n, std::string& out) override;

 private:
  FileChunkSource(int fd, std::uint64_t size, std::string path)
      : fd_(fd), size_(size), path_(std::move(path)) {}
  int fd_;
  std::uint64_t size_;
  std::string path_;
};

class FileChunkSink final : public ChunkSink {
 public:
  explicit FileChunkSink(std::string dir) : dir_(std::move(dir)) {}
  ~FileChunkSink() override;

  Result<std::uint64_t> Begin(const SnapshotId& id, std::uint64_t total_bytes) override;
  Status Append(std::string_view data) override;
  Status Sync() override;
  Status Commit() override;
  std::uint32_t crc() const override { return crc_; }

  // Path of the installed snapshot for `id`.
  std::string InstalledPath(const SnapshotId& id) const;

 private:
  Status WriteMeta();
  void Close();

  const std::string dir_;
  int fd_ = -1;
  SnapshotId id_;
  std::uint64_t length_ = 0;
  std::uint32_t crc_ = 0;
};

}  // namespace cairn::snapshot
