#include "storage/kv_store.h"

#include <fcntl.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/checkpoint.h>
#include <rocksdb/write_batch.h>
#include <stdio.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>

namespace cairn::storage {
namespace {

// User keys live under "u"; the applied index and the other metadata under
// keys that sort first.
constexpr std::string_view kAppliedKey("\x00" "applied", 8);
constexpr std::string_view kTermKey("\x00" "term", 5);
constexpr std::string_view kClockKey("\x00" "clock", 6);
constexpr std::string_view kCountKey("\x00" "count", 6);
constexpr std::string_view kClusterKey("\x00" "cluster", 8);

rocksdb::Slice AsSlice(std::string_view s) { return rocksdb::Slice(s.data(), s.size()); }

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

KvStore::KvStore(std::unique_ptr<rocksdb::DB> db, KvApplied applied, std::uint64_t count,
                 std::string cluster)
    : db_(std::move(db)), applied_(applied), count_(count), cluster_(std::move(cluster)) {}

KvStore::~KvStore() = default;

Result<std::unique_ptr<KvStore>> KvStore::Open(const std::string& root) {
  std::error_code ec;
  std::filesystem::create_directories(root, ec);
  if (ec) return Status::IOError("create " + root + ": " + ec.message());
  std::filesystem::remove_all(root + "/db.swap", ec);  // leftover of an interrupted install
  rocksdb::Options options;
  options.create_if_missing = true;
  // Every write first reads its key's old record (ApplyTxn::Load), so a
  // point lookup of a key that is absent, or not in this memtable or file,
  // must be cheap: whole-key Bloom filters on the SST files (10 bits a key,
  // about 1 % false positives) and on the memtable (1 % of its size). With
  // 100 000 keys this cut the nodes' CPU per SET by a sixth
  // (bench/results/many_keys.md).
  rocksdb::BlockBasedTableOptions table;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  options.memtable_prefix_bloom_size_ratio = 0.01;
  options.memtable_whole_key_filtering = true;
  rocksdb::DB* raw = nullptr;
  CAIRN_RETURN_IF_ERROR(FromRocks(rocksdb::DB::Open(options, root + "/db", &raw), "open rocksdb"));
  std::unique_ptr<rocksdb::DB> db(raw);
  // Each metadata record is 8 bytes; absent means 0 (a fresh store).
  auto read_u64 = [&](std::string_view key, std::uint64_t* out) -> Status {
    std::string v;
    rocksdb::Status s = db->Get(rocksdb::ReadOptions(), AsSlice(key), &v);
    *out = 0;
    if (s.IsNotFound()) return Status::Ok();
    if (!s.ok()) return FromRocks(s, "read kv store metadata");
    if (v.size() != 8) return Status::Corruption("kv store: bad metadata record");
    *out = DecodeIndex(v);
    return Status::Ok();
  };
  KvApplied applied;
  std::uint64_t clock = 0, count = 0;
  CAIRN_RETURN_IF_ERROR(read_u64(kAppliedKey, &applied.index));
  CAIRN_RETURN_IF_ERROR(read_u64(kTermKey, &applied.term));
  CAIRN_RETURN_IF_ERROR(read_u64(kClockKey, &clock));
  CAIRN_RETURN_IF_ERROR(read_u64(kCountKey, &count));
  applied.clock_ms = static_cast<std::int64_t>(clock);
  std::string cluster;  // opaque; absent means none was ever written
  rocksdb::Status cs = db->Get(rocksdb::ReadOptions(), AsSlice(kClusterKey), &cluster);
  if (!cs.ok() && !cs.IsNotFound()) return FromRocks(cs, "read kv store cluster record");
  return std::unique_ptr<KvStore>(new KvStore(std::move(db), applied, count, std::move(cluster)));
}

Status KvStore::Apply(raft::Index index, std::span<const KvOp> ops) {
  KvBatch batch;
  batch.ops.assign(ops.begin(), ops.end());
  batch.applied = applied_;
  batch.applied.index = index;
  return Write(batch);
}

Status KvStore::Write(const KvBatch& in) {
  if (in.applied.index <= applied_.index) {
    return Status::InvalidArgument("kv apply: index " + std::to_string(in.applied.index) +
                                   " not above applied index " + std::to_string(applied_.index));
  }
  rocksdb::WriteBatch batch;
  std::uint64_t count = count_;
  if (in.clear_first) {
    batch.DeleteRange("u", "v");
    count = 0;
  }
  // Whether each key written exists, as of the ops before it in this batch
  // (none needed when the keys are strictly ascending, so each is written
  // once: an apply group's batch).
  std::map<std::string_view, bool> present;
  const bool unique =
      std::adjacent_find(in.ops.begin(), in.ops.end(), [](const KvOp& a, const KvOp& b) {
        return a.key >= b.key;
      }) == in.ops.end();
  std::string user_key = "u";
  for (const KvOp& op : in.ops) {
    bool existed = false;
    if (auto it = unique ? present.end() : present.find(op.key); it != present.end()) {
      existed = it->second;
    } else if (op.existed) {
      existed = *op.existed && !in.clear_first;
    } else if (!in.clear_first) {
      CAIRN_ASSIGN_OR_RETURN(auto old, Find(op.key));
      existed = old.has_value();
    }
    bool put = op.kind == KvOp::Kind::kPut;
    if (!unique) present[op.key] = put;
    if (put && !existed) ++count;
    if (!put && existed) --count;
    user_key.resize(1);  // "u", then the key: one buffer for the batch
    user_key.append(op.key);
    if (put) {
      batch.Put(user_key, op.value);
    } else {
      batch.Delete(user_key);
    }
  }
  batch.Put(AsSlice(kAppliedKey), EncodeIndex(in.applied.index));
  batch.Put(AsSlice(kTermKey), EncodeIndex(in.applied.term));
  batch.Put(AsSlice(kClockKey), EncodeIndex(static_cast<std::uint64_t>(in.applied.clock_ms)));
  batch.Put(AsSlice(kCountKey), EncodeIndex(count));
  if (in.cluster) batch.Put(AsSlice(kClusterKey), AsSlice(*in.cluster));
  CAIRN_RETURN_IF_ERROR(FromRocks(db_->Write(rocksdb::WriteOptions(), &batch), "kv apply"));
  applied_ = in.applied;
  count_ = count;
  if (in.cluster) cluster_ = *in.cluster;
  return Status::Ok();
}

Result<std::string> KvStore::Get(std::string_view key) {
  std::string v;
  CAIRN_RETURN_IF_ERROR(FromRocks(db_->Get(rocksdb::ReadOptions(), UserKey(key), &v), "kv get"));
  return v;
}

Result<std::optional<std::string>> KvStore::Find(std::string_view key) const {
  // Every write reads its key first: one buffer per thread for the stored
  // key, not an allocation per lookup (Find may run on several threads).
  thread_local std::string user_key;
  user_key.assign("u");
  user_key.append(key);
  std::string v;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), user_key, &v);
  if (s.IsNotFound()) return std::optional<std::string>();
  CAIRN_RETURN_IF_ERROR(FromRocks(s, "kv get"));
  return std::optional<std::string>(std::move(v));
}

Status KvStore::Scan(std::string_view from, std::size_t limit,
                     std::vector<std::pair<std::string, std::string>>* out) const {
  out->clear();
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(UserKey(from)); it->Valid() && out->size() < limit; it->Next()) {
    rocksdb::Slice k = it->key();
    if (k.empty() || k[0] != 'u') break;
    out->emplace_back(std::string(k.data() + 1, k.size() - 1), it->value().ToString());
  }
  return FromRocks(it->status(), "kv scan");
}

Result<raft::Index> KvStore::CreateCheckpoint(const std::string& dir) {
  raft::Index covered = applied_.index;  // Apply is serialised with this call by the caller
  CAIRN_RETURN_IF_ERROR(WriteCheckpoint(dir));
  return covered;
}

Status KvStore::WriteCheckpoint(const std::string& dir) const {
  rocksdb::Checkpoint* raw = nullptr;
  CAIRN_RETURN_IF_ERROR(FromRocks(rocksdb::Checkpoint::Create(db_.get(), &raw), "checkpoint"));
  std::unique_ptr<rocksdb::Checkpoint> cp(raw);
  // The default flushes the memtables first: the live store is durable up
  // to the checkpoint too (the Raft WAL may then be compacted below it).
  return FromRocks(cp->CreateCheckpoint(dir), "create checkpoint " + dir);
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
