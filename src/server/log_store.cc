#include "server/log_store.h"

#include <filesystem>

#include "storage/posix_fs.h"
#include "storage/wal.h"

namespace cairn::server {
namespace {

class MemoryLogStore final : public LogStore {
 public:
  Result<raft::RestoredState> Load() override { return state_; }
  Status Append(const std::optional<raft::HardState>& hs, const std::vector<raft::Entry>& entries,
                Durability d) override {
    if (hs) state_.hard_state = *hs;
    for (const auto& e : entries) {
      // Rule 3 of ready.h: an entry at or below the last index replaces the suffix.
      while (!state_.entries.empty() && state_.entries.back().index >= e.index) {
        state_.entries.pop_back();
      }
      state_.entries.push_back(e);
    }
    if (d == Durability::kSync) ++syncs_;
    return Status::Ok();
  }
  std::uint64_t syncs() const override { return syncs_; }

 private:
  raft::RestoredState state_;
  std::uint64_t syncs_ = 0;
};

class WalLogStore final : public LogStore {
 public:
  WalLogStore(std::unique_ptr<storage::Wal> wal, storage::WalState state)
      : wal_(std::move(wal)), recovered_(std::move(state)) {}

  Result<raft::RestoredState> Load() override {
    if (recovered_.first_index != 1) {
      return Status::Unimplemented("the WAL was compacted; restoring from a snapshot is not "
                                   "implemented in the node yet");
    }
    raft::RestoredState st{recovered_.hard_state, std::move(recovered_.entries)};
    if (st.hard_state.commit > st.entries.size()) st.hard_state.commit = st.entries.size();
    return st;
  }
  Status Append(const std::optional<raft::HardState>& hs, const std::vector<raft::Entry>& entries,
                Durability d) override {
    return wal_->Save(hs, entries, d == Durability::kSync);
  }
  std::uint64_t syncs() const override { return wal_->sync_count(); }

 private:
  std::unique_ptr<storage::Wal> wal_;
  storage::WalState recovered_;
};

}  // namespace

std::unique_ptr<LogStore> NewMemoryLogStore() { return std::make_unique<MemoryLogStore>(); }

Result<std::unique_ptr<LogStore>> OpenWalLogStore(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::IOError("create " + dir + ": " + ec.message());
  storage::WalState state;
  storage::WalOptions options;
  options.log_recovery = true;
  CAIRN_ASSIGN_OR_RETURN(auto wal,
                         storage::Wal::Open(storage::PosixFs::Instance(), dir, options, &state));
  return std::unique_ptr<LogStore>(std::make_unique<WalLogStore>(std::move(wal), std::move(state)));
}

}  // namespace cairn::server
