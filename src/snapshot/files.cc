#include "snapshot/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "common/crc32c.h"

namespace cairn::snapshot {
namespace {

Status Errno(const std::string& what, const std::string& path) {
  return Status::IOError(what + " " + path + ": " + std::strerror(errno));
}

Status FsyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return Errno("open", dir);
  const int rc = ::fsync(fd);
  ::close(fd);
  return rc == 0 ? Status::Ok() : Errno("fsync", dir);
}

// Reads `n` bytes at `offset`; short only at end of file.
Status PreadAll(int fd, std::uint64_t offset, std::size_t n, std::string& out, const std::string& path) {
  out.resize(n);
  std::size_t done = 0;
  while (done < n) {
    const ssize_t r = ::pread(fd, out.data() + done, n - done, static_cast<off_t>(offset + done));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return Errno("pread", path);
    if (r == 0) break;
    done += static_cast<std::size_t>(r);
  }
  out.resize(done);
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<FileChunkSource>> FileChunkSource::Open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Errno("open", path);
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return Errno("fstat", path);
  }
  return std::unique_ptr<FileChunkSource>(
      new FileChunkSource(fd, static_cast<std::uint64_t>(st.st_size), path));
}

FileChunkSource::~FileChunkSource() { ::close(fd_); }

Status FileChunkSource::ReadAt(std::uint64_t offset, std::size_t n, std::string& out) {
  return PreadAll(fd_, offset, n, out, path_);
}

FileChunkSink::~FileChunkSink() { Close(); }

void FileChunkSink::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

std::string FileChunkSink::InstalledPath(const SnapshotId& id) const {
  return dir_ + "/snapshot-" + std::to_string(id.index) + "-" + std::to_string(id.term) + ".snap";
}

Result<std::uint64_t> FileChunkSink::Begin(const SnapshotId& id, std::uint64_t total_bytes) {
  Close();
  const std::string data = dir_ + "/incoming.snap";
  // Resume only the same snapshot, and only its durably recorded length.
  std::uint64_t held = 0;
  {
    std::ifstream meta(dir_ + "/incoming.meta");
    std::uint64_t index = 0, term = 0, length = 0;
    if (meta >> index >> term >> length && index == id.index && term == id.term && length <= total_bytes) {
      held = length;
    }
  }
  fd_ = ::open(data.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) return Errno("open", data);
  if (::ftruncate(fd_, static_cast<off_t>(held)) != 0) return Errno("ftruncate", data);
  id_ = id;
  length_ = held;
  crc_ = 0;
  // Recompute the CRC of what we keep, a chunk at a time.
  std::string buf;
  for (std::uint64_t off = 0; off < held;) {
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(1u << 20, held - off));
    CAIRN_RETURN_IF_ERROR(PreadAll(fd_, off, n, buf, data));
    if (buf.size() != n) return Status::IOError("incoming snapshot shorter than recorded: " + data);
    crc_ = crc32c::Extend(crc_, buf.data(), buf.size());
    off += n;
  }
  return held;
}

Status FileChunkSink::Append(std::string_view data) {
  if (fd_ < 0) return Status::FailedPrecondition("snapshot sink not begun");
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t w = ::pwrite(fd_, data.data() + done, data.size() - done,
                               static_cast<off_t>(length_ + done));
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) return Errno("pwrite", dir_ + "/incoming.snap");
    done += static_cast<std::size_t>(w);
  }
  length_ += data.size();
  crc_ = crc32c::Extend(crc_, data.data(), data.size());
  return Status::Ok();
}

Status FileChunkSink::WriteMeta() {
  const std::string tmp = dir_ + "/incoming.meta.tmp";
  const std::string meta = dir_ + "/incoming.meta";
  std::ostringstream text;
  text << id_.index << ' ' << id_.term << ' ' << length_ << '\n';
  const std::string s = text.str();
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Errno("open", tmp);
  const bool ok = ::write(fd, s.data(), s.size()) == static_cast<ssize_t>(s.size()) && ::fdatasync(fd) == 0;
  ::close(fd);
  if (!ok) return Errno("write", tmp);
  if (::rename(tmp.c_str(), meta.c_str()) != 0) return Errno("rename", tmp);
  return FsyncDir(dir_);
}

Status FileChunkSink::Sync() {
  if (fd_ < 0) return Status::FailedPrecondition("snapshot sink not begun");
  if (::fdatasync(fd_) != 0) return Errno("fdatasync", dir_ + "/incoming.snap");
  return WriteMeta();
}

Status FileChunkSink::Commit() {
  if (fd_ < 0) return Status::FailedPrecondition("snapshot sink not begun");
  if (::fdatasync(fd_) != 0) return Errno("fdatasync", dir_ + "/incoming.snap");
  Close();
  const std::string from = dir_ + "/incoming.snap";
  const std::string to = InstalledPath(id_);
  if (::rename(from.c_str(), to.c_str()) != 0) return Errno("rename", from);
  ::unlink((dir_ + "/incoming.meta").c_str());
  return FsyncDir(dir_);
}

}  // namespace cairn::snapshot
