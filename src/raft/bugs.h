#pragma once
// Known Raft bugs that a test can switch on, one at a time, to prove that the
// simulator's checkers catch them. Production code never sets any of these.

#include <cstdint>
#include <string_view>

namespace cairn::raft {

enum class Bug : std::uint8_t {
  kCommitEarlierTermByCounting = 0,  // ignore the Figure 8 rule
  kVoteWithoutLogCheck,              // grant votes without the up-to-date check
  kForgetVoteOnRestart,              // do not restore the vote after a crash
  kApplyBeforeCommit,                // hand entries to the state machine early
  kAcceptStaleTermAppend,            // accept AppendEntries from older terms
  kReadIndexWithoutQuorum,           // serve ReadIndex without a heartbeat round
  kConfChangeWithoutSafetyRule,      // no one-at-a-time / new-leader commit rule
  kInstallOlderSnapshot,             // install a snapshot older than the commit index
  kCount,
};

std::string_view BugName(Bug b);

class BugSet {
 public:
  bool has(Bug b) const { return (bits_ >> static_cast<unsigned>(b)) & 1u; }
  void set(Bug b) { bits_ |= 1u << static_cast<unsigned>(b); }
  bool empty() const { return bits_ == 0; }

 private:
  std::uint32_t bits_ = 0;
};

}  // namespace cairn::raft
