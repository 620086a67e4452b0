#include "storage/kv_store.h"

#include <fcntl.h>
#include <rocksdb/db.h>
#include <rocksdb/utilities/checkpoint.h>
#include <rocksdb/write_batch.h>
#include <stdio.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

namespace cairn::storage {
namespace {

// User keys live under "u"; the applied index under a key that sorts first.
constexpr std::string_view kAppliedKey("\x00" "applied", 8);

std::string UserKey(std::string_view key) {
  std::string k = "u";
  k.append(key);
  return k;
}

Status FromRocks(const rocksdb::Status& s, std::string_view what) {
  if (s.ok()) return Status::Ok();
  std::string msg = std::string(what) + ": " + s.ToString();
  if (s.IsNotFound()) return Status::NotFound(msg);
  if (s.IsCorruption()) return Status::Corruption(msg);
  return Status::IOError(msg);
}

std::string EncodeIndex(raft::Index i) {
  std::string out(8, '\0');
  for (int b = 0; b < 8; b++) out[b] = static_cast<char>(i >> (8 * b));
  return out;
}

raft::Index DecodeIndex(std::string_view s) {
  raft::Index v = 0;
  for (int b = 7; b >= 0; b--) v = (v << 8) | static_cast<std::uint8_t>(s[b]);
  return v;
}

Status SyncDirectory(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::IOError("open dir " + dir);
  int rc = ::fsync(fd);
  ::close(fd);
  return rc == 0 ? Status::Ok() : Status::IOError("fsync dir " + dir);
}

}  // namespace

KvStore::KvStore(std::unique_ptr<rocksdb::DB> db, raft::Index applied)
    : db_(std::move(db)), applied_index_(applied) {}

KvStore::~KvStore() = default;

Result<std::unique_ptr<KvStore>> KvStore::Open(const std::string& root) {
  std::error_code ec;
  std::filesystem::create_directories(root, ec);
  if (ec) return Status::IOError("create " + root + ": " + ec.message());
  std::filesystem::remove_all(root + "/db.swap", ec);  // leftover of an interrupted install
  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  CAIRN_RETURN_IF_ERROR(FromRocks(rocksdb::DB::Open(options, root + "/db", &raw), "open rocksdb"));
  std::unique_ptr<rocksdb::DB> db(raw);
  std::string v;
  rocksdb::Status s = db->Get(rocksdb::ReadOptions(), rocksdb::Slice(kAppliedKey.data(), kAppliedKey.size()), &v);
  raft::Index applied = 0;
  if (s.ok()) {
    if (v.size() != 8) return Status::Corruption("kv store: bad applied index record");
    applied = DecodeIndex(v);
  } else if (!s.IsNotFound()) {
    return FromRocks(s, "read applied index");
  }
  return std::unique_ptr<KvStore>(new KvStore(std::move(db), applied));
}

Status KvStore::Apply(raft::Index index, std::span<const KvOp> ops) {
  if (index <= applied_index_) {
    return Status::InvalidArgument("kv apply: index " + std::to_string(index) +
                                   " not above applied index " + std::to_string(applied_index_));
  }
  rocksdb::WriteBatch batch;
  for (const KvOp& op : ops) {
    if (op.kind == KvOp::Kind::kPut) {
      batch.Put(UserKey(op.key), op.value);
    } else {
      batch.Delete(UserKey(op.key));
    }
  }
  batch.Put(rocksdb::Slice(kAppliedKey.data(), kAppliedKey.size()), EncodeIndex(index));
  CAIRN_RETURN_IF_ERROR(FromRocks(db_->Write(rocksdb::WriteOptions(), &batch), "kv apply"));
  applied_index_ = index;
  return Status::Ok();
}

Result<std::string> KvStore::Get(std::string_view key) {
  std::string v;
  CAIRN_RETURN_IF_ERROR(FromRocks(db_->Get(rocksdb::ReadOptions(), UserKey(key), &v), "kv get"));
  return v;
}

Result<raft::Index> KvStore::CreateCheckpoint(const std::string& dir) {
  rocksdb::Checkpoint* raw = nullptr;
  CAIRN_RETURN_IF_ERROR(FromRocks(rocksdb::Checkpoint::Create(db_.get(), &raw), "checkpoint"));
  std::unique_ptr<rocksdb::Checkpoint> cp(raw);
  raft::Index covered = applied_index_;  // Apply is serialised with this call by the caller
  CAIRN_RETURN_IF_ERROR(FromRocks(cp->CreateCheckpoint(dir), "create checkpoint " + dir));
  return covered;
}

Result<std::vector<std::string>> KvStore::CheckpointFiles(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file()) out.push_back(std::filesystem::relative(it->path(), dir).string());
  }
  if (ec) return Status::IOError("list " + dir + ": " + ec.message());
  std::sort(out.begin(), out.end());
  return out;
}

Status KvStore::InstallCheckpoint(const std::string& root, const std::string& dir) {
  std::string live = root + "/db", swap = root + "/db.swap";
  std::error_code ec;
  std::filesystem::remove_all(swap, ec);
  if (::rename(dir.c_str(), swap.c_str()) != 0) return Status::IOError("rename checkpoint into " + swap);
  CAIRN_RETURN_IF_ERROR(SyncDirectory(root));
  // One atomic step: live <-> swap. Before it the old data is live, after it the new.
  if (::renameat2(AT_FDCWD, swap.c_str(), AT_FDCWD, live.c_str(), RENAME_EXCHANGE) != 0) {
    return Status::IOError("exchange " + swap + " and " + live);
  }
  CAIRN_RETURN_IF_ERROR(SyncDirectory(root));
  std::filesystem::remove_all(swap, ec);  // the old data
  return Status::Ok();
}

}  // namespace cairn::storage
