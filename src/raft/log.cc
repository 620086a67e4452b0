#include "raft/log.h"

#include <algorithm>

#include "common/assert.h"

namespace cairn::raft {

RaftLog::RaftLog(std::vector<Entry> restored, Index committed) {
  for (auto& e : restored) entries_.push_back(std::move(e));
  stable_ = last_index();
  unstable_from_ = last_index() + 1;
  committed_ = std::min(committed, last_index());
  CheckInvariants();
}

std::optional<Term> RaftLog::term(Index i) const {
  if (i == 0) return 0;
  if (i > last_index()) return std::nullopt;
  return entries_[i - 1].term;
}

const Entry& RaftLog::at(Index i) const {
  CAIRN_CHECK(i >= 1);
  CAIRN_CHECK(i <= last_index());
  return entries_[i - 1];
}

Index RaftLog::FindConflict(const std::vector<Entry>& entries) const {
  for (const Entry& e : entries) {
    if (!Matches(e.index, e.term)) return e.index;
  }
  return 0;
}

Index RaftLog::FindConflictByTerm(Index i, Term t) const {
  i = std::min(i, last_index());
  while (i > 0 && entries_[i - 1].term > t) --i;
  return i;
}

void RaftLog::TruncateAndAppend(std::vector<Entry> entries) {
  if (entries.empty()) return;
  const Index from = entries.front().index;
  CAIRN_CHECK(from >= 1);
  CAIRN_CHECK(from <= last_index() + 1, "gap before appended entries");
  CAIRN_CHECK(from > committed_, "truncating a committed entry");
  entries_.resize(from - 1);
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
  hi = std::min(hi, last_index() + 1);
  std::size_t bytes = 0;
  for (Index i = lo; i < hi && out.size() < entries_max; ++i) {
    const Entry& e = entries_[i - 1];
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
  for (Index i = unstable_from_; i <= last_index(); ++i) out.push_back(entries_[i - 1]);
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
  for (Index i = applied_ + 1; i <= hi; ++i) out.push_back(entries_[i - 1]);
  applied_ = std::max(applied_, hi);
  return out;
}

void RaftLog::CheckInvariants() const {
  CAIRN_CHECK(committed_ <= last_index());
  CAIRN_CHECK(stable_ <= last_index());
  CAIRN_CHECK(unstable_from_ <= last_index() + 1);
#ifndef NDEBUG
  for (std::size_t k = 0; k < entries_.size(); ++k) {
    CAIRN_CHECK(entries_[k].index == k + 1, "log not contiguous");
    if (k > 0) CAIRN_CHECK(entries_[k].term >= entries_[k - 1].term, "terms decrease");
  }
#endif
}

}  // namespace cairn::raft
