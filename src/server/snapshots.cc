#include "server/snapshots.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <filesystem>

namespace cairn::server {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view kMagic = "CAIRNCP1";
constexpr std::size_t kNameBytesMax = 4096;
constexpr std::uint32_t kFilesMax = 1u << 20;

Status Errno(std::string_view what, const std::string& path) {
  return Status::IOError(std::string(what) + " " + path + ": " + std::strerror(errno));
}

void PutU(std::string& out, std::uint64_t v, int bytes) {
  for (int b = 0; b < bytes; b++) out.push_back(static_cast<char>(v >> (8 * b)));
}

Status PreadAll(int fd, std::uint64_t offset, std::size_t n, char* out, const std::string& path) {
  while (n > 0) {
    ssize_t r = ::pread(fd, out, n, static_cast<off_t>(offset));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return Errno("read", path);
    if (r == 0) return Status::Corruption("unexpected end of " + path);
    out += r;
    offset += static_cast<std::uint64_t>(r);
    n -= static_cast<std::size_t>(r);
  }
  return Status::Ok();
}

Status WriteAll(int fd, const char* data, std::size_t n, const std::string& path) {
  while (n > 0) {
    ssize_t r = ::write(fd, data, n);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return Errno("write", path);
    data += r;
    n -= static_cast<std::size_t>(r);
  }
  return Status::Ok();
}

// "snap-<index>-<term>" -> (index, term).
std::optional<std::pair<raft::Index, raft::Term>> ParseSnapName(const std::string& name) {
  unsigned long long index = 0, term = 0;
  char tail = 0;
  if (std::sscanf(name.c_str(), "snap-%llu-%llu%c", &index, &term, &tail) != 2) return std::nullopt;
  return std::make_pair(index, term);
}

bool SafeName(std::string_view name) {
  if (name.empty() || name.size() > kNameBytesMax || name.front() == '/') return false;
  for (std::size_t start = 0; start <= name.size();) {
    std::size_t end = name.find('/', start);
    if (end == std::string_view::npos) end = name.size();
    std::string_view part = name.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") return false;
    start = end + 1;
  }
  return name.find('\0') == std::string_view::npos;
}

}  // namespace

Status SyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Errno("open", dir);
  int rc = ::fsync(fd);
  ::close(fd);
  return rc == 0 ? Status::Ok() : Errno("fsync", dir);
}

Result<SnapshotDir> SnapshotDir::Open(const std::string& root) {
  std::error_code ec;
  fs::create_directories(root, ec);
  if (ec) return Status::IOError("create " + root + ": " + ec.message());
  SnapshotDir d(root);
  for (const auto& entry : fs::directory_iterator(root, ec)) {
    std::string name = entry.path().filename().string();
    if (name.rfind("tmp-", 0) == 0) {
      fs::remove_all(entry.path(), ec);
      continue;
    }
    auto parsed = ParseSnapName(name);
    if (parsed && (!d.latest_ || parsed->first > d.latest_->index)) {
      d.latest_ = CheckpointInfo{parsed->first, parsed->second, entry.path().string()};
    }
  }
  if (ec) return Status::IOError("list " + root + ": " + ec.message());
  return d;
}

Result<CheckpointInfo> SnapshotDir::Create(storage::KvStore& store) {
  const storage::KvApplied applied = store.applied();
  if (latest_ && latest_->index == applied.index) return *latest_;
  CAIRN_ASSIGN_OR_RETURN(CheckpointInfo info, Write(root_, store, applied.index, applied.term));
  Publish(info);
  return info;
}

Result<CheckpointInfo> SnapshotDir::Write(const std::string& root, const storage::KvStore& store,
                                          raft::Index index, raft::Term term) {
  static std::atomic<std::uint64_t> seq{0};
  CheckpointInfo info{index, term,
                      root + "/snap-" + std::to_string(index) + "-" + std::to_string(term)};
  std::error_code ec;
  if (fs::exists(info.dir, ec)) return info;  // complete already (renamed into place)
  std::string tmp = root + "/tmp-" + std::to_string(index) + "-" + std::to_string(seq++);
  fs::remove_all(tmp, ec);
  CAIRN_RETURN_IF_ERROR(store.WriteCheckpoint(tmp));
  CAIRN_RETURN_IF_ERROR(SyncDir(tmp));
  if (::rename(tmp.c_str(), info.dir.c_str()) != 0) {
    fs::remove_all(tmp, ec);
    if (fs::exists(info.dir, ec)) return info;
    return Errno("rename", tmp);
  }
  CAIRN_RETURN_IF_ERROR(SyncDir(root));
  return info;
}

void SnapshotDir::Publish(const CheckpointInfo& info) {
  std::error_code ec;
  if (latest_ && latest_->index > info.index) {
    RemoveOld(info.dir);  // a newer one exists
    return;
  }
  latest_ = info;
  // The new checkpoint is durable: the older ones may go (not tmp- ones:
  // another thread may be writing one).
  for (const auto& entry : fs::directory_iterator(root_, ec)) {
    std::string name = entry.path().filename().string();
    if (ParseSnapName(name) && entry.path().string() != info.dir) RemoveOld(entry.path().string());
  }
}

void SnapshotDir::RemoveOld(const std::string& dir) {
  if (remove_) return remove_(dir);
  std::error_code ec;
  fs::remove_all(dir, ec);
}

Result<std::unique_ptr<BundleSource>> BundleSource::Open(const std::string& dir) {
  CAIRN_ASSIGN_OR_RETURN(auto names, storage::KvStore::CheckpointFiles(dir));
  std::unique_ptr<BundleSource> b(new BundleSource());
  b->header_.append(kMagic);
  PutU(b->header_, names.size(), 4);
  std::vector<Part> files;
  for (const auto& name : names) {
    std::string path = dir + "/" + name;
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      for (auto& p : files) ::close(p.fd);
      return Errno("open", path);
    }
    off_t size = ::lseek(fd, 0, SEEK_END);
    files.push_back({0, static_cast<std::uint64_t>(size), fd, path});
    PutU(b->header_, name.size(), 2);
    b->header_.append(name);
    PutU(b->header_, static_cast<std::uint64_t>(size), 8);
  }
  b->parts_.push_back({0, b->header_.size(), -1, "header"});
  std::uint64_t at = b->header_.size();
  for (auto& p : files) {
    p.offset = at;
    at += p.size;
    b->parts_.push_back(p);
  }
  b->size_ = at;
  return b;
}

BundleSource::~BundleSource() {
  for (auto& p : parts_) {
    if (p.fd >= 0) ::close(p.fd);
  }
}

Status BundleSource::ReadAt(std::uint64_t offset, std::size_t n, std::string& out) {
  if (offset + n > size_) return Status::InvalidArgument("bundle read past the end");
  out.resize(n);
  std::size_t done = 0;
  for (const Part& p : parts_) {
    if (done == n) break;
    std::uint64_t at = offset + done;
    if (at >= p.offset + p.size || p.size == 0) continue;
    std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(n - done, p.offset + p.size - at));
    if (p.fd < 0) {
      std::memcpy(out.data() + done, header_.data() + (at - p.offset), take);
    } else {
      CAIRN_RETURN_IF_ERROR(PreadAll(p.fd, at - p.offset, take, out.data() + done, p.path));
    }
    done += take;
  }
  return Status::Ok();
}

Status UnpackBundle(const std::string& bundle_path, const std::string& out_dir) {
  int in = ::open(bundle_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) return Errno("open", bundle_path);
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{in};
  const std::uint64_t total = static_cast<std::uint64_t>(::lseek(in, 0, SEEK_END));
  std::uint64_t at = 0;
  auto read = [&](std::size_t n, std::string& buf) -> Status {
    if (total - at < n) return Status::Corruption("snapshot bundle truncated: " + bundle_path);
    buf.resize(n);
    CAIRN_RETURN_IF_ERROR(PreadAll(in, at, n, buf.data(), bundle_path));
    at += n;
    return Status::Ok();
  };
  auto get = [](const std::string& b) {
    std::uint64_t v = 0;
    for (std::size_t i = b.size(); i-- > 0;) v = (v << 8) | static_cast<std::uint8_t>(b[i]);
    return v;
  };
  std::string buf;
  CAIRN_RETURN_IF_ERROR(read(kMagic.size(), buf));
  if (buf != kMagic) return Status::Corruption("not a snapshot bundle: " + bundle_path);
  CAIRN_RETURN_IF_ERROR(read(4, buf));
  std::uint64_t count = get(buf);
  if (count > kFilesMax) return Status::Corruption("snapshot bundle lists too many files");
  std::vector<std::pair<std::string, std::uint64_t>> files;
  std::uint64_t data_bytes = 0;
  for (std::uint64_t i = 0; i < count; i++) {
    CAIRN_RETURN_IF_ERROR(read(2, buf));
    std::string name;
    CAIRN_RETURN_IF_ERROR(read(static_cast<std::size_t>(get(buf)), name));
    if (!SafeName(name)) return Status::Corruption("snapshot bundle has a bad file name");
    CAIRN_RETURN_IF_ERROR(read(8, buf));
    std::uint64_t size = get(buf);
    if (size > total) return Status::Corruption("snapshot bundle file size too large");
    data_bytes += size;
    files.emplace_back(std::move(name), size);
  }
  if (data_bytes != total - at) return Status::Corruption("snapshot bundle sizes do not add up");
  std::error_code ec;
  if (!fs::create_directories(out_dir, ec)) return Status::IOError("create " + out_dir);
  for (const auto& [name, size] : files) {
    std::string path = out_dir + "/" + name;
    fs::create_directories(fs::path(path).parent_path(), ec);
    int out = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (out < 0) return Errno("create", path);
    Closer out_closer{out};
    for (std::uint64_t left = size; left > 0;) {
      std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(left, 1u << 20));
      CAIRN_RETURN_IF_ERROR(read(n, buf));
      CAIRN_RETURN_IF_ERROR(WriteAll(out, buf.data(), n, path));
      left -= n;
    }
    if (::fsync(out) != 0) return Errno("fsync", path);
  }
  return SyncDir(out_dir);
}

}  // namespace cairn::server
