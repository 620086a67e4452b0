#include "raft/log.h"

#include <algorithm>

#include "common/assert.h"

namespace cairn::raft {

RaftLog::RaftLog(Index snapshot_index, Term snapshot_term, std::vector<Entry> restored,
                 Index committed, Index applied)
    : snapshot_index_(snapshot_index), snapshot_term_(snapshot_term) {
  for (auto& e : restored) entries_.push_back(std::move(e));
  stable_ = last_index();
  unstable_from_ = last_index() + 1;
  committed_ = std::clamp(committed, snapshot_index_, last_index());
  applied_ = std::clamp(applied, snapshot_index_, committed_);
  CheckInvariants();
}

std::optional<Term> RaftLog::term(Index i) const {
  if (i == snapshot_index_) return snapshot_term_;
  if (i < snapshot_index_ || i > last_index()) return std::nullopt;
  return entries_[i - snapshot_index_ - 1].term;
}

const Entry& RaftLog::at(Index i) const {
  CAIRN_CHECK(i > snapshot_index_, "entry compacted away");
  CAIRN_CHECK(i <= last_index());
  return entries_[i - snapshot_index_ - 1];
}

Index RaftLog::FindConflict(const std::vector<Entry>& entries) const {
  for (const Entry& e : entries) {
    if (!Matches(e.index, e.term)) return e.index;
  }
  return 0;
}

Index RaftLog::FindConflictByTerm(Index i, Term t) const {
  i = std::min(i, last_index());
  if (i < snapshot_index_) return i;  // nothing known below the snapshot
  while (i > snapshot_index_ && at(i).term > t) --i;
  return i;
}

void RaftLog::TruncateAndAppend(std::vector<Entry> entries) {
  if (entries.empty()) return;
  const Index from = entries.front().index;
  CAIRN_CHECK(from > snapshot_index_);
  CAIRN_CHECK(from <= last_index() + 1, "gap before appended entries");
  CAIRN_CHECK(from > committed_, "truncating a committed entry");
  entries_.resize(from - snapshot_index_ - 1);
  stable_ = std::min(stable_, from - 1);
  unstable_from_ = std::min(unstable_from_, from);
  for (auto& e : entries) entries_.push_back(std::move(e));
  CheckInvariants();
}

void RaftLog::Append(Entry entry) {
  CAIRN_CHECK(entry.index == last_index() + 1);
  CAIRN_CHECK(entry.term >= last_term());
  entries_.push_back(std::move(entry));
}

std::vector<Entry> RaftLog::Slice(Index lo, Index hi, std::size_t entries_max,
                                  std::size_t bytes_max) const {
  std::vector<Entry> out;
  CAIRN_CHECK(lo > snapshot_index_, "slice of compacted entries");
  hi = std::min(hi, last_index() + 1);
  std::size_t bytes = 0;
  for (Index i = lo; i < hi && out.size() < entries_max; ++i) {
    const Entry& e = at(i);
    if (!out.empty() && bytes + e.data.size() > bytes_max) break;
    bytes += e.data.size();
    out.push_back(e);
  }
  return out;
}

void RaftLog::CommitTo(Index i) {
  if (i <= committed_) return;
  CAIRN_CHECK(i <= last_index(), "commit beyond the log");
  committed_ = i;
}

std::vector<Entry> RaftLog::TakeUnstable() {
  std::vector<Entry> out;
  for (Index i = unstable_from_; i <= last_index(); ++i) out.push_back(at(i));
  unstable_from_ = last_index() + 1;
  return out;
}

void RaftLog::StableTo(Index i, Term t) {
  // A Ready persisted while its entries were replaced: only the prefix that
  // is still in the log counts, and that is settled by the next Ready.
  if (i <= last_index() && Matches(i, t) && i < unstable_from_) stable_ = std::max(stable_, i);
}

Index RaftLog::ApplyLimit(bool apply_uncommitted) const {
  return std::min(apply_uncommitted ? last_index() : committed_, stable_);
}

std::vector<Entry> RaftLog::TakeToApply(bool apply_uncommitted) {
  std::vector<Entry> out;
  const Index hi = ApplyLimit(apply_uncommitted);
  for (Index i = applied_ + 1; i <= hi; ++i) out.push_back(at(i));
  applied_ = std::max(applied_, hi);
  return out;
}

void RaftLog::CompactTo(Index i) {
  if (i <= snapshot_index_) return;
  CAIRN_CHECK(i <= applied_, "compacting unapplied entries");
  CAIRN_CHECK(i <= stable_, "compacting entries not yet durable");
  snapshot_term_ = at(i).term;
  entries_.erase(entries_.begin(), entries_.begin() + static_cast<std::ptrdiff_t>(i - snapshot_index_));
  snapshot_index_ = i;
  CheckInvariants();
}

void RaftLog::RestoreSnapshot(Index i, Term t, bool allow_backwards) {
  if (!allow_backwards) CAIRN_CHECK(i > committed_, "restoring an older snapshot");
  entries_.clear();
  snapshot_index_ = i;
  snapshot_term_ = t;
  committed_ = applied_ = stable_ = i;
  unstable_from_ = i + 1;
  CheckInvariants();
}

void RaftLog::CheckInvariants() const {
  CAIRN_CHECK(applied_ <= committed_);
  CAIRN_CHECK(committed_ >= snapshot_index_);
  CAIRN_CHECK(committed_ <= last_index());
  CAIRN_CHECK(stable_ <= last_index());
  CAIRN_CHECK(unstable_from_ <= last_index() + 1);
#ifndef NDEBUG
  for (std::size_t k = 0; k < entries_.size(); ++k) {
    CAIRN_CHECK(entries_[k].index == snapshot_index_ + k + 1, "log not contiguous");
    if (k > 0) CAIRN_CHECK(entries_[k].term >= entries_[k - 1].term, "terms decrease");
  }
#endif
}

}  // namespace cairn::raft
