// GroupCommitter: indexes follow submission order, every acknowledged entry
// is durable, batches really share one sync, and errors reach every waiter.
#include "storage/group_commit.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "storage/faulty_fs.h"

namespace cairn::storage {
namespace {

WalOptions Opts() {
  WalOptions o;
  o.segment_bytes_target = 16 << 10;
  o.log_recovery = false;
  return o;
}

TEST(GroupCommit, ManyThreadsContiguousAndDurable) {
  FaultyFs fs;
  auto wal = Wal::Open(fs, "/w", Opts(), nullptr).value();
  constexpr int kThreads = 8, kPerThread = 200;
  std::map<raft::Index, std::string> acked;
  std::mutex mu;
  {
    GroupCommitter gc(*wal);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; t++) {
      threads.emplace_back([&, t] {
        for (int s = 0; s < kPerThread; s++) {
          std::string d = "t" + std::to_string(t) + "s" + std::to_string(s);
          auto r = gc.Propose(1, {d}).get();
          ASSERT_TRUE(r.ok()) << r.status().ToString();
          std::lock_guard lock(mu);
          EXPECT_TRUE(acked.emplace(*r, d).second) << "index " << *r << " acknowledged twice";
        }
      });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(gc.entries_written(), static_cast<std::uint64_t>(kThreads * kPerThread));
    std::printf("syncs %llu for %d entries\n", static_cast<unsigned long long>(gc.syncs()),
                kThreads * kPerThread);
  }
  ASSERT_EQ(acked.size(), static_cast<std::size_t>(kThreads * kPerThread));
  EXPECT_EQ(acked.begin()->first, 1u);
  EXPECT_EQ(acked.rbegin()->first, static_cast<raft::Index>(kThreads * kPerThread));
  wal.reset();
  fs.Crash(7);  // only what was synced survives
  WalState st;
  wal = Wal::Open(fs, "/w", Opts(), &st).value();
  ASSERT_EQ(st.entries.size(), acked.size());
  for (const auto& e : st.entries) EXPECT_EQ(e.data, acked[e.index]) << "index " << e.index;
}

// A Fs whose Sync blocks until the test opens the gate, and says when it is
// waiting: lets the test build a queue behind one sync without sleeping.
class GatedFs final : public Fs {
 public:
  Result<std::unique_ptr<File>> Open(const std::string& path, OpenMode mode) override {
    CAIRN_ASSIGN_OR_RETURN(auto f, inner_.Open(path, mode));
    return std::unique_ptr<File>(new GatedFile(this, std::move(f)));
  }
  Status Rename(const std::string& a, const std::string& b) override { return inner_.Rename(a, b); }
  Status Remove(const std::string& p) override { return inner_.Remove(p); }
  Result<std::vector<std::string>> List(const std::string& d) override { return inner_.List(d); }
  Status CreateDir(const std::string& d) override { return inner_.CreateDir(d); }
  Status SyncDir(const std::string& d) override { return inner_.SyncDir(d); }
  bool Exists(const std::string& p) override { return inner_.Exists(p); }

  void Close() {
    std::lock_guard lock(mu_);
    gated_ = true;
  }
  void WaitUntilBlocked() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return blocked_; });
  }
  void Open() {
    std::lock_guard lock(mu_);
    gated_ = false;
    cv_.notify_all();
  }

 private:
  class GatedFile final : public File {
   public:
    GatedFile(GatedFs* fs, std::unique_ptr<File> f) : fs_(fs), f_(std::move(f)) {}
    Status Write(std::uint64_t o, std::string_view d) override { return f_->Write(o, d); }
    Status Read(std::uint64_t o, std::size_t n, std::string* out) override { return f_->Read(o, n, out); }
    Status Sync() override {
      std::unique_lock lock(fs_->mu_);
      fs_->blocked_ = fs_->gated_;
      fs_->cv_.notify_all();
      fs_->cv_.wait(lock, [&] { return !fs_->gated_; });
      fs_->blocked_ = false;
      return f_->Sync();
    }
    Status Truncate(std::uint64_t s) override { return f_->Truncate(s); }
    Status Allocate(std::uint64_t s) override { return f_->Allocate(s); }
    Result<std::uint64_t> Size() override { return f_->Size(); }

   private:
    GatedFs* fs_;
    std::unique_ptr<File> f_;
  };
  FaultyFs inner_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool gated_ = false;
  bool blocked_ = false;
};

TEST(GroupCommit, QueuedProposalsShareOneSync) {
  GatedFs fs;
  auto wal = Wal::Open(fs, "/w", Opts(), nullptr).value();
  GroupCommitter gc(*wal);
  fs.Close();
  auto first = gc.Propose(1, {"first"});
  fs.WaitUntilBlocked();  // the writer is inside the first sync
  std::vector<std::future<Result<raft::Index>>> rest;
  for (int i = 0; i < 50; i++) rest.push_back(gc.Propose(1, {"p" + std::to_string(i)}));
  fs.Open();
  EXPECT_EQ(first.get().value(), 1u);
  for (int i = 0; i < 50; i++) EXPECT_EQ(rest[i].get().value(), static_cast<raft::Index>(i + 2));
  EXPECT_EQ(gc.syncs(), 2u) << "the 50 queued proposals must share one fdatasync";
}

TEST(GroupCommit, SyncErrorFailsTheBatchAndEverythingAfter) {
  FaultyFs fs;
  auto wal = Wal::Open(fs, "/w", Opts(), nullptr).value();
  GroupCommitter gc(*wal);
  ASSERT_TRUE(gc.Propose(1, {"a"}).get().ok());
  fs.FailNext(FsOp::kSync, 1);
  auto bad = gc.Propose(1, {"b"}).get();
  EXPECT_EQ(bad.status().code(), StatusCode::kIOError);
  EXPECT_EQ(gc.Propose(1, {"c"}).get().status().code(), StatusCode::kIOError)
      << "a poisoned WAL must not acknowledge later writes";
  EXPECT_EQ(gc.SetHardState({1, 1, 1}).get().code(), StatusCode::kIOError);
}

TEST(GroupCommit, HardStateIsDurable) {
  FaultyFs fs;
  auto wal = Wal::Open(fs, "/w", Opts(), nullptr).value();
  {
    GroupCommitter gc(*wal);
    ASSERT_TRUE(gc.Propose(2, {"x", "y"}).get().ok());
    ASSERT_TRUE(gc.SetHardState({2, 3, 2}).get().ok());
  }
  wal.reset();
  fs.Crash(1);
  WalState st;
  wal = Wal::Open(fs, "/w", Opts(), &st).value();
  EXPECT_EQ(st.hard_state, (raft::HardState{2, 3, 2}));
  EXPECT_EQ(st.entries.size(), 2u);
}

}  // namespace
}  // namespace cairn::storage
