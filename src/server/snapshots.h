#pragma once
// The node's snapshots on disk, and the byte stream a snapshot travels as.
//
// SnapshotDir keeps RocksDB checkpoints under one directory:
//   snap-<index>-<term>/  a complete checkpoint of the state machine at
//                         applied index <index> (entry term <term>);
//   tmp-<index>/          a checkpoint being written (removed by Open).
// Create() writes tmp-, fsyncs, renames it to snap- and fsyncs the parent:
// only then is the new one durable, and only then are older ones removed,
// so the newest complete checkpoint always survives a crash.
//
// A bundle packs a checkpoint's files into one byte stream for
// snapshot::Sender (src/snapshot/transfer.h): the header
//   "CAIRNCP1", u32 file count, count x (u16 name length, name, u64 size)
// (little-endian) followed by the files' bytes in header order. BundleSource
// reads it lazily from the files (it holds their descriptors, so a
// checkpoint deleted meanwhile stays readable); UnpackBundle splits a
// received bundle back into files, streaming, with names checked (no "..",
// no absolute paths) and sizes checked against the file.
//
// Thread-safety: none. Errors: IOError/Corruption naming the path.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "raft/types.h"
#include "snapshot/transfer.h"
#include "storage/kv_store.h"

namespace cairn::server {

struct CheckpointInfo {
  raft::Index index = 0;
  raft::Term term = 0;
  std::string dir;
};

class SnapshotDir {
 public:
  static Result<SnapshotDir> Open(const std::string& root);
  // The newest complete checkpoint, if any.
  const std::optional<CheckpointInfo>& latest() const { return latest_; }
  // Checkpoints `store` at its applied index; removes older checkpoints.
  Result<CheckpointInfo> Create(storage::KvStore& store);
  // The two halves of Create, for a checkpoint taken on another thread:
  // Write does only disk work (a complete, durable snap- directory named
  // after `index`, the applied index when it was asked for; it may hold a
  // later state) and may run concurrently with store writes; Publish, on
  // the owner thread, makes it the newest (or drops it if a newer exists)
  // and removes the older ones.
  static Result<CheckpointInfo> Write(const std::string& root, const storage::KvStore& store,
                                      raft::Index index, raft::Term term);
  void Publish(const CheckpointInfo& info);
  const std::string& root() const { return root_; }
  // How Publish removes the checkpoints it replaces (default: at once, on
  // the calling thread). The node passes them to a BackgroundRemover.
  void set_remover(std::function<void(std::string)> remove) { remove_ = std::move(remove); }

 private:
  explicit SnapshotDir(std::string root) : root_(std::move(root)) {}
  void RemoveOld(const std::string& dir);
  std::string root_;
  std::function<void(std::string)> remove_;
  std::optional<CheckpointInfo> latest_;
};

class BundleSource final : public snapshot::ChunkSource {
 public:
  static Result<std::unique_ptr<BundleSource>> Open(const std::string& dir);
  ~BundleSource() override;
  std::uint64_t size() const override { return size_; }
  Status ReadAt(std::uint64_t offset, std::size_t n, std::string& out) override;

 private:
  struct Part {
    std::uint64_t offset;  // in the bundle
    std::uint64_t size;
    int fd;                // -1 for the in-memory header
    std::string path;
  };
  BundleSource() = default;
  std::string header_;
  std::vector<Part> parts_;
  std::uint64_t size_ = 0;
};

// Writes the files of the bundle at `bundle_path` into `out_dir` (created;
// must not exist) and fsyncs them and the directory.
Status UnpackBundle(const std::string& bundle_path, const std::string& out_dir);

// Fsyncs a directory.
Status SyncDir(const std::string& dir);

}  // namespace cairn::server
