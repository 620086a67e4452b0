#include "storage/faulty_fs.h"

#include <algorithm>
#include <vector>

#include "common/random.h"

namespace cairn::storage {

struct FaultyFs::Inode {
  struct Op {
    FsOp kind;
    std::uint64_t offset_or_size;
    std::string data;  // kWrite only
  };
  std::string durable;
  std::string current;
  std::vector<Op> pending;

  static void Apply(std::string& bytes, const Op& op) {
    switch (op.kind) {
      case FsOp::kWrite:
        if (bytes.size() < op.offset_or_size + op.data.size()) {
          bytes.resize(op.offset_or_size + op.data.size(), '\0');
        }
        std::copy(op.data.begin(), op.data.end(), bytes.begin() + op.offset_or_size);
        break;
      case FsOp::kTruncate:
        bytes.resize(op.offset_or_size, '\0');
        break;
      case FsOp::kAllocate:
        if (bytes.size() < op.offset_or_size) bytes.resize(op.offset_or_size, '\0');
        break;
      default:
        break;
    }
  }
  void Do(Op op) {
    Apply(current, op);
    pending.push_back(std::move(op));
  }
  void Persist() {
    durable = current;
    pending.clear();
  }
  // What the disk holds after power loss: a prefix of the pending ops, the
  // last one maybe torn.
  void CrashRebuild(Random& rng) {
    std::string bytes = durable;
    std::size_t keep = rng.Uniform(pending.size() + 1);
    for (std::size_t i = 0; i < keep; i++) Apply(bytes, pending[i]);
    if (keep < pending.size() && pending[keep].kind == FsOp::kWrite && rng.OneIn(2)) {
      Op torn = pending[keep];
      torn.data.resize(rng.Uniform(torn.data.size() + 1));
      Apply(bytes, torn);
    }
    durable = bytes;
    current = std::move(bytes);
    pending.clear();
  }
};

class FaultyFile final : public File {
 public:
  FaultyFile(FaultyFs* fs, std::shared_ptr<FaultyFs::Inode> inode, std::uint64_t generation)
      : fs_(fs), inode_(std::move(inode)), generation_(generation) {}

  Status Write(std::uint64_t offset, std::string_view data) override {
    std::lock_guard lock(fs_->mu_);
    CAIRN_RETURN_IF_ERROR(Check(FsOp::kWrite));
    inode_->Do({FsOp::kWrite, offset, std::string(data)});
    return Status::Ok();
  }
  Status Read(std::uint64_t offset, std::size_t n, std::string* out) override {
    std::lock_guard lock(fs_->mu_);
    if (generation_ != fs_->generation_) return Status::IOError("file from before a crash");
    const std::string& b = inode_->current;
    if (offset >= b.size()) {
      out->clear();
    } else {
      out->assign(b, offset, std::min<std::uint64_t>(n, b.size() - offset));
    }
    return Status::Ok();
  }
  Status Sync() override {
    std::lock_guard lock(fs_->mu_);
    CAIRN_RETURN_IF_ERROR(Check(FsOp::kSync));
    inode_->Persist();
    fs_->sync_count_++;
    return Status::Ok();
  }
  Status Truncate(std::uint64_t size_bytes) override {
    std::lock_guard lock(fs_->mu_);
    CAIRN_RETURN_IF_ERROR(Check(FsOp::kTruncate));
    inode_->Do({FsOp::kTruncate, size_bytes, {}});
    return Status::Ok();
  }
  Status Allocate(std::uint64_t size_bytes) override {
    std::lock_guard lock(fs_->mu_);
    CAIRN_RETURN_IF_ERROR(Check(FsOp::kAllocate));
    inode_->Do({FsOp::kAllocate, size_bytes, {}});
    return Status::Ok();
  }
  Result<std::uint64_t> Size() override {
    std::lock_guard lock(fs_->mu_);
    if (generation_ != fs_->generation_) return Status::IOError("file from before a crash");
    return static_cast<std::uint64_t>(inode_->current.size());
  }

 private:
  Status Check(FsOp op) {
    if (generation_ != fs_->generation_) return Status::IOError("file from before a crash");
    return fs_->Admit(op);
  }
  FaultyFs* fs_;
  std::shared_ptr<FaultyFs::Inode> inode_;
  std::uint64_t generation_;
};

FaultyFs::FaultyFs() = default;
FaultyFs::~FaultyFs() = default;

Status FaultyFs::Admit(FsOp op) {
  if (crashed_) return Status::IOError("injected crash");
  op_count_++;
  if (crash_countdown_ > 0 && --crash_countdown_ == 0) {
    crashed_ = true;
    return Status::IOError("injected crash");
  }
  auto it = fail_next_.find(op);
  if (it != fail_next_.end() && it->second > 0) {
    it->second--;
    return Status::IOError("injected I/O error");
  }
  return Status::Ok();
}

Result<std::unique_ptr<File>> FaultyFs::Open(const std::string& path, OpenMode mode) {
  std::lock_guard lock(mu_);
  auto it = names_.find(path);
  if (it == names_.end()) {
    if (mode == OpenMode::kExisting) return Status::NotFound("no such file: " + path);
    if (dirs_.count(DirName(path)) == 0) return Status::NotFound("no such directory: " + path);
    CAIRN_RETURN_IF_ERROR(Admit(FsOp::kCreate));
    it = names_.emplace(path, std::make_shared<Inode>()).first;
  } else if (crashed_) {
    return Status::IOError("injected crash");
  }
  return std::unique_ptr<File>(new FaultyFile(this, it->second, generation_));
}

Status FaultyFs::Rename(const std::string& from, const std::string& to) {
  std::lock_guard lock(mu_);
  auto it = names_.find(from);
  if (it == names_.end()) return Status::NotFound("no such file: " + from);
  CAIRN_RETURN_IF_ERROR(Admit(FsOp::kRename));
  names_[to] = it->second;
  names_.erase(from);
  return Status::Ok();
}

Status FaultyFs::Remove(const std::string& path) {
  std::lock_guard lock(mu_);
  if (names_.count(path) == 0) return Status::NotFound("no such file: " + path);
  CAIRN_RETURN_IF_ERROR(Admit(FsOp::kRemove));
  names_.erase(path);
  return Status::Ok();
}

Result<std::vector<std::string>> FaultyFs::List(const std::string& dir) {
  std::lock_guard lock(mu_);
  if (dirs_.count(dir) == 0) return Status::NotFound("no such directory: " + dir);
  std::vector<std::string> out;
  for (const auto& [path, inode] : names_) {
    if (DirName(path) == dir) out.push_back(path.substr(path.rfind('/') + 1));
  }
  return out;
}

Status FaultyFs::CreateDir(const std::string& dir) {
  std::lock_guard lock(mu_);
  // Directories themselves are durable at once: the WAL creates its
  // directory only on first use, before anything is acknowledged.
  for (std::string d = dir; !d.empty() && d != "." && d != "/"; d = DirName(d)) dirs_[d] = true;
  return Status::Ok();
}

Status FaultyFs::SyncDir(const std::string& dir) {
  std::lock_guard lock(mu_);
  CAIRN_RETURN_IF_ERROR(Admit(FsOp::kSyncDir));
  for (auto it = durable_names_.begin(); it != durable_names_.end();) {
    it = DirName(it->first) == dir ? durable_names_.erase(it) : std::next(it);
  }
  for (const auto& [path, inode] : names_) {
    if (DirName(path) == dir) durable_names_[path] = inode;
  }
  return Status::Ok();
}

bool FaultyFs::Exists(const std::string& path) {
  std::lock_guard lock(mu_);
  return names_.count(path) > 0 || dirs_.count(path) > 0;
}

void FaultyFs::CrashAfterOps(std::uint64_t n) {
  std::lock_guard lock(mu_);
  crash_countdown_ = n;
}

void FaultyFs::FailNext(FsOp op, int count) {
  std::lock_guard lock(mu_);
  fail_next_[op] = count;
}

bool FaultyFs::crashed() const {
  std::lock_guard lock(mu_);
  return crashed_;
}

void FaultyFs::Crash(std::uint64_t seed) {
  std::lock_guard lock(mu_);
  Xoshiro256 rng(seed);
  // Unsynced directory changes: all lost, or (as a lucky kernel might) all kept.
  if (rng.OneIn(2)) names_ = durable_names_;
  durable_names_ = names_;
  std::vector<Inode*> seen;
  for (auto& [path, inode] : names_) {
    if (std::find(seen.begin(), seen.end(), inode.get()) != seen.end()) continue;
    seen.push_back(inode.get());
    inode->CrashRebuild(rng);
  }
  crashed_ = false;
  crash_countdown_ = 0;
  fail_next_.clear();
  generation_++;
}

Status FaultyFs::CorruptByte(const std::string& path, std::uint64_t offset, std::uint8_t xor_mask) {
  std::lock_guard lock(mu_);
  auto it = names_.find(path);
  if (it == names_.end()) return Status::NotFound(path);
  Inode& inode = *it->second;
  if (offset >= inode.current.size()) return Status::OutOfRange("offset past end");
  inode.current[offset] = static_cast<char>(inode.current[offset] ^ xor_mask);
  if (offset < inode.durable.size()) {
    inode.durable[offset] = static_cast<char>(inode.durable[offset] ^ xor_mask);
  }
  return Status::Ok();
}

std::uint64_t FaultyFs::sync_count() const {
  std::lock_guard lock(mu_);
  return sync_count_;
}

std::uint64_t FaultyFs::op_count() const {
  std::lock_guard lock(mu_);
  return op_count_;
}

}  // namespace cairn::storage
