#include "storage/posix_fs.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace cairn::storage {
namespace {

Status Errno(std::string_view what, const std::string& path, int err) {
  std::string msg(what);
  msg += " ";
  msg += path;
  msg += ": ";
  msg += std::strerror(err);
  if (err == ENOENT) return Status::NotFound(msg);
  return Status::IOError(msg);
}

class PosixFile final : public File {
 public:
  PosixFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~PosixFile() override { ::close(fd_); }

  Status Write(std::uint64_t offset, std::string_view data) override {
    while (!data.empty()) {
      ssize_t n = ::pwrite(fd_, data.data(), data.size(), static_cast<off_t>(offset));
      if (n < 0) {
        if (errno == EINTR) continue;
        return Errno("pwrite", path_, errno);
      }
      data.remove_prefix(static_cast<std::size_t>(n));
      offset += static_cast<std::uint64_t>(n);
    }
    return Status::Ok();
  }

  Status Read(std::uint64_t offset, std::size_t n, std::string* out) override {
    out->resize(n);
    CAIRN_ASSIGN_OR_RETURN(std::size_t got, ReadInto(offset, out->data(), n));
    out->resize(got);
    return Status::Ok();
  }

  Result<std::size_t> ReadInto(std::uint64_t offset, char* dst, std::size_t n) override {
    std::size_t got = 0;
    while (got < n) {
      ssize_t r = ::pread(fd_, dst + got, n - got, static_cast<off_t>(offset + got));
      if (r < 0) {
        if (errno == EINTR) continue;
        return Errno("pread", path_, errno);
      }
      if (r == 0) break;
      got += static_cast<std::size_t>(r);
    }
    return got;
  }

  Status Sync() override {
    if (::fdatasync(fd_) != 0) return Errno("fdatasync", path_, errno);
    return Status::Ok();
  }

  Status Truncate(std::uint64_t size_bytes) override {
    if (::ftruncate(fd_, static_cast<off_t>(size_bytes)) != 0) {
      return Errno("ftruncate", path_, errno);
    }
    return Status::Ok();
  }

  Status Allocate(std::uint64_t size_bytes) override {
    int rc = ::posix_fallocate(fd_, 0, static_cast<off_t>(size_bytes));
    if (rc == EOPNOTSUPP || rc == EINVAL) return Truncate(size_bytes);  // e.g. tmpfs quirks
    if (rc != 0) return Errno("fallocate", path_, rc);
    return Status::Ok();
  }

  Result<std::uint64_t> Size() override {
    struct stat st;
    if (::fstat(fd_, &st) != 0) return Errno("fstat", path_, errno);
    return static_cast<std::uint64_t>(st.st_size);
  }

 private:
  int fd_;
  std::string path_;
};

}  // namespace

Result<std::unique_ptr<File>> PosixFs::Open(const std::string& path, OpenMode mode) {
  int flags = O_RDWR | O_CLOEXEC | (mode == OpenMode::kCreate ? O_CREAT : 0);
  int fd = ::open(path.c_str(), flags, 0644);
  if (fd < 0) return Errno("open", path, errno);
  return std::unique_ptr<File>(new PosixFile(fd, path));
}

Status PosixFs::Rename(const std::string& from, const std::string& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) return Errno("rename", from, errno);
  return Status::Ok();
}

Status PosixFs::Remove(const std::string& path) {
  if (::unlink(path.c_str()) != 0) return Errno("unlink", path, errno);
  return Status::Ok();
}

Result<std::vector<std::string>> PosixFs::List(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return Errno("opendir", dir, errno);
  std::vector<std::string> names;
  while (struct dirent* e = ::readdir(d)) {
    std::string_view name(e->d_name);
    if (name != "." && name != "..") names.emplace_back(name);
  }
  ::closedir(d);
  return names;
}

Status PosixFs::CreateDir(const std::string& dir) {
  if (dir.empty() || Exists(dir)) return Status::Ok();
  std::string parent = DirName(dir);
  if (parent != dir && parent != "." && parent != "/") CAIRN_RETURN_IF_ERROR(CreateDir(parent));
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) return Errno("mkdir", dir, errno);
  return Status::Ok();
}

Status PosixFs::SyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Errno("open dir", dir, errno);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return Errno("fsync dir", dir, err);
  return Status::Ok();
}

bool PosixFs::Exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

PosixFs& PosixFs::Instance() {
  static PosixFs fs;
  return fs;
}

}  // namespace cairn::storage
