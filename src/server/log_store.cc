#include "server/log_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "common/crc32c.h"
#include "net/raft_codec.h"

namespace cairn::server {
namespace {

enum RecordType : std::uint8_t { kHardState = 1, kEntry = 2 };

// Keeps the restored view current as records are appended or replayed.
void ApplyEntry(raft::Entry e, std::vector<raft::Entry>* log) {
  while (!log->empty() && log->back().index >= e.index) log->pop_back();
  log->push_back(std::move(e));
}

class MemoryLogStore final : public LogStore {
 public:
  Result<raft::RestoredState> Load() override { return state_; }
  Status Append(const std::optional<raft::HardState>& hs, const std::vector<raft::Entry>& entries,
                Durability d) override {
    if (hs) state_.hard_state = *hs;
    for (const auto& e : entries) ApplyEntry(e, &state_.entries);
    if (d == Durability::kSync) ++syncs_;
    return Status::Ok();
  }
  std::uint64_t syncs() const override { return syncs_; }

 private:
  raft::RestoredState state_;
  std::uint64_t syncs_ = 0;
};

// Record: u32 payload bytes | u32 masked crc32c(type + payload) | u8 type | payload.
class FileLogStore final : public LogStore {
 public:
  FileLogStore(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~FileLogStore() override { ::close(fd_); }

  Result<raft::RestoredState> Load() override;
  Status Append(const std::optional<raft::HardState>& hs, const std::vector<raft::Entry>& entries,
                Durability d) override;
  std::uint64_t syncs() const override { return syncs_; }

 private:
  static void Record(std::uint8_t type, std::string_view payload, std::string* out);

  int fd_;
  std::string path_;
  std::uint64_t syncs_ = 0;
  std::string buf_;
};

void FileLogStore::Record(std::uint8_t type, std::string_view payload, std::string* out) {
  std::string body(1, static_cast<char>(type));
  body.append(payload);
  net::ByteWriter w(out);
  w.U32(static_cast<std::uint32_t>(payload.size()));
  w.U32(crc32c::Mask(crc32c::Value(body)));
  out->append(body);
}

Result<raft::RestoredState> FileLogStore::Load() {
  std::string data;
  char chunk[1 << 16];
  ::lseek(fd_, 0, SEEK_SET);
  for (;;) {
    ssize_t n = ::read(fd_, chunk, sizeof chunk);
    if (n < 0) return Status::IOError(std::string("read ") + path_ + ": " + std::strerror(errno));
    if (n == 0) break;
    data.append(chunk, static_cast<std::size_t>(n));
  }
  raft::RestoredState st;
  std::size_t pos = 0;
  while (data.size() - pos >= 9) {
    net::ByteReader h(std::string_view(data).substr(pos, 8));
    std::uint32_t len = 0, crc = 0;
    (void)h.U32(&len);
    (void)h.U32(&crc);
    if (data.size() - pos - 8 < std::size_t{len} + 1) break;  // torn tail
    std::string_view body(data.data() + pos + 8, len + 1);
    if (crc32c::Unmask(crc) != crc32c::Value(body)) break;  // corrupt tail
    net::ByteReader r(body.substr(1));
    if (body[0] == kHardState) {
      if (!r.U64(&st.hard_state.term) || !r.U64(&st.hard_state.vote) ||
          !r.U64(&st.hard_state.commit)) {
        return Status::Corruption("raft.log: bad hard state record");
      }
    } else if (body[0] == kEntry) {
      raft::Entry e;
      std::uint8_t type = 0;
      std::string_view payload;
      if (!r.U64(&e.term) || !r.U64(&e.index) || !r.U8(&type) || !r.Bytes(&payload) || type > 2) {
        return Status::Corruption("raft.log: bad entry record");
      }
      e.type = static_cast<raft::EntryType>(type);
      e.data.assign(payload);
      ApplyEntry(std::move(e), &st.entries);
    } else {
      return Status::Corruption("raft.log: unknown record type");
    }
    pos += 8 + len + 1;
  }
  if (pos != data.size() && ::ftruncate(fd_, static_cast<off_t>(pos)) != 0) {
    return Status::IOError("truncate torn tail of " + path_);
  }
  ::lseek(fd_, 0, SEEK_END);
  // Entries must start at 1 and be contiguous; the commit cannot pass the log.
  for (std::size_t i = 0; i < st.entries.size(); ++i) {
    if (st.entries[i].index != i + 1) return Status::Corruption("raft.log: gap in the log");
  }
  if (st.hard_state.commit > st.entries.size()) st.hard_state.commit = st.entries.size();
  return st;
}

Status FileLogStore::Append(const std::optional<raft::HardState>& hs,
                            const std::vector<raft::Entry>& entries, Durability d) {
  buf_.clear();
  for (const auto& e : entries) {
    std::string p;
    net::ByteWriter w(&p);
    w.U64(e.term);
    w.U64(e.index);
    w.U8(static_cast<std::uint8_t>(e.type));
    w.Bytes(e.data);
    Record(kEntry, p, &buf_);
  }
  if (hs) {
    std::string p;
    net::ByteWriter w(&p);
    w.U64(hs->term);
    w.U64(hs->vote);
    w.U64(hs->commit);
    Record(kHardState, p, &buf_);
  }
  std::size_t off = 0;
  while (off < buf_.size()) {
    ssize_t n = ::write(fd_, buf_.data() + off, buf_.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::IOError(std::string("write raft.log: ") + std::strerror(errno));
    off += static_cast<std::size_t>(n);
  }
  if (d == Durability::kSync) {
    if (::fdatasync(fd_) != 0) return Status::IOError("fdatasync raft.log");
    ++syncs_;
  }
  return Status::Ok();
}

}  // namespace

std::unique_ptr<LogStore> NewMemoryLogStore() { return std::make_unique<MemoryLogStore>(); }

Result<std::unique_ptr<LogStore>> OpenFileLogStore(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::IOError("create " + dir + ": " + ec.message());
  std::string path = dir + "/raft.log";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IOError("open " + path + ": " + std::strerror(errno));
  return std::unique_ptr<LogStore>(std::make_unique<FileLogStore>(fd, path));
}

}  // namespace cairn::server
