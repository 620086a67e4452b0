#pragma once
// PosixFs: Fs over the real file system (open/pwrite/fdatasync/fallocate).
//
// Thread-safety: as Fs (stateless; each File owns one descriptor).

#include "storage/fs.h"

namespace cairn::storage {

class PosixFs final : public Fs {
 public:
  Result<std::unique_ptr<File>> Open(const std::string& path, OpenMode mode) override;
  Status Rename(const std::string& from, const std::string& to) override;
  Status Remove(const std::string& path) override;
  Result<std::vector<std::string>> List(const std::string& dir) override;
  Status CreateDir(const std::string& dir) override;
  Status SyncDir(const std::string& dir) override;
  bool Exists(const std::string& path) override;

  static PosixFs& Instance();
};

}  // namespace cairn::storage
