#include "server/log_store.h"

#include <filesystem>

#include "common/assert.h"
#include "storage/posix_fs.h"
#include "storage/wal.h"

namespace cairn::server {
namespace {

class MemoryLogStore final : public LogStore {
 public:
  Result<raft::RestoredState> Load(std::optional<raft::SnapshotMeta>) override { return state_; }
  Status Compact(raft::Index index) override {
    auto& es = state_.entries;
    while (!es.empty() && es.front().index <= index) {
      state_.snapshot = raft::SnapshotMeta{es.front().index, es.front().term, {}};
      es.erase(es.begin());
    }
    return Status::Ok();
  }
  Status Reset(raft::Index index, raft::Term term) override {
    state_.entries.clear();
    state_.snapshot = raft::SnapshotMeta{index, term, {}};
    return Status::Ok();
  }
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
  WalLogStore(std::unique_ptr<storage::Wal> wal, storage::WalState state, raft::Index hollow_to)
      : wal_(std::move(wal)), recovered_(std::move(state)), hollow_to_(hollow_to) {}

  Result<raft::RestoredState> Load(std::optional<raft::SnapshotMeta> base) override {
    // Entries up to hollow_to_ were replayed without data; none may be kept.
    CAIRN_CHECK((base ? base->index : 0) >= hollow_to_,
                "the log was replayed without data up to an index above the state machine's");
    const raft::Index first = recovered_.first_index;
    std::vector<raft::Entry>& es = recovered_.entries;
    const raft::Index last = first + es.size() - 1;
    raft::RestoredState st;
    st.hard_state = recovered_.hard_state;
    if (!base || base->index == 0) {
      if (first != 1) {
        return Status::Corruption("the WAL starts at index " + std::to_string(first) +
                                  " but the state machine is empty");
      }
      st.entries = std::move(es);
      return st;
    }
    const raft::Index a = base->index;
    if (first > a + 1) {
      return Status::Corruption("the WAL starts at index " + std::to_string(first) +
                                " but the state machine holds only up to " + std::to_string(a));
    }
    // The log continues from the state machine if it starts right after it
    // or holds its entry with the same term.
    const bool continues =
        first == a + 1 || (a <= last && es[a - first].term == base->term);
    if (continues) {
      st.entries.assign(std::make_move_iterator(es.begin() + static_cast<std::ptrdiff_t>(a + 1 - first)),
                        std::make_move_iterator(es.end()));
    } else {
      CAIRN_RETURN_IF_ERROR(wal_->Reset(a, base->term, wal_->hard_state()));
    }
    es.clear();
    if (st.hard_state.term < base->term) st.hard_state = {base->term, raft::kNoNode, a};
    st.snapshot = base;
    st.applied = a;
    return st;
  }
  Status Compact(raft::Index index) override { return wal_->Compact(index); }
  Status Reset(raft::Index index, raft::Term term) override {
    return wal_->Reset(index, term, wal_->hard_state());
  }
  Status Append(const std::optional<raft::HardState>& hs, const std::vector<raft::Entry>& entries,
                Durability d) override {
    if (d != Durability::kDeferred) return wal_->Save(hs, entries, d == Durability::kSync);
    CAIRN_RETURN_IF_ERROR(wal_->Append(entries));
    return hs ? wal_->SetHardState(*hs) : Status::Ok();
  }
  std::uint64_t syncs() const override { return wal_->sync_count(); }

 private:
  std::unique_ptr<storage::Wal> wal_;
  storage::WalState recovered_;
  raft::Index hollow_to_ = 0;  // entries up to here were replayed without data
};

}  // namespace

std::unique_ptr<LogStore> NewMemoryLogStore() { return std::make_unique<MemoryLogStore>(); }

Result<std::unique_ptr<LogStore>> OpenWalLogStore(const std::string& dir, raft::Index applied) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::IOError("create " + dir + ": " + ec.message());
  storage::WalState state;
  storage::WalOptions options;
  options.log_recovery = true;
  options.replay_data_from = applied + 1;
  CAIRN_ASSIGN_OR_RETURN(auto wal,
                         storage::Wal::Open(storage::PosixFs::Instance(), dir, options, &state));
  return std::unique_ptr<LogStore>(
      std::make_unique<WalLogStore>(std::move(wal), std::move(state), applied));
}

}  // namespace cairn::server
