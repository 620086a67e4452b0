#include "check/linearizability.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include "check/internal/register_precheck.h"

namespace cairn::check {
namespace {

using Clock = std::chrono::steady_clock;

// An op reduced to what the search needs; values mapped to small ids (0 = nil).
struct SearchOp {
  Fn f = Fn::kRead;
  bool info = false;
  int arg = 0;   // read: value expected; write: value; cas: old
  int arg2 = 0;  // cas: new
};

struct Entry {
  int op = 0;
  bool is_return = false;
  std::int64_t time_ns = 0;
  int match = -1;  // the call's return entry
  int prev = -1;
  int next = -1;
};

class ValueIds {
 public:
  int Id(std::optional<std::int64_t> v) {
    if (!v) return 0;
    auto [it, inserted] = ids_.emplace(*v, static_cast<int>(ids_.size()) + 1);
    return it->second;
  }

 private:
  std::unordered_map<std::int64_t, int> ids_;
};

// Applies `op` to register value `state`; false if the op's result is
// impossible from that state.
bool Step(const SearchOp& op, int state, int* next) {
  switch (op.f) {
    case Fn::kRead:
      *next = state;
      return state == op.arg;
    case Fn::kWrite:
      *next = op.arg;
      return true;
    case Fn::kCas:
      if (state == op.arg) {
        *next = op.arg2;
        return true;
      }
      *next = state;
      return op.info;  // an info cas that did not match changed nothing
    case Fn::kAdd:
      return false;
  }
  return false;
}

class Search {
 public:
  Search(const std::vector<Op>& ops, std::uint64_t states_max, Clock::time_point deadline,
         bool force_reads)
      : states_max_(states_max), deadline_(deadline), force_reads_(force_reads) {
    Prepare(ops);
  }

  Validity Run(SearchStats* stats);

 private:
  struct Frame {
    int call = 0;        // the lifted call entry
    int state = 0;       // register value before it
    bool forced = false; // the only move tried from its configuration
  };

  void Prepare(const std::vector<Op>& ops);
  int ForcedRead(int state) const;
  bool Backtrack(std::vector<Frame>& stack, int* state, int* entry);
  void Lift(int call);
  void Unlift(int call);
  bool Remember(int state);
  void SetBit(int op, bool on);

  std::vector<SearchOp> ops_;
  int ok_count_ = 0;  // ops [0, ok_count_) are ok, the rest info
  std::vector<Entry> entries_;  // entries_[0] is the head sentinel
  std::vector<std::uint64_t> ok_bits_;
  std::vector<std::uint64_t> info_bits_;
  std::unordered_set<std::string> seen_;
  std::string key_;  // scratch
  std::vector<bool> unique_value_;  // value id -> written by at most one op
  std::uint64_t states_max_;
  Clock::time_point deadline_;
  bool force_reads_;
};

void Search::Prepare(const std::vector<Op>& input) {
  // Ok ops first, then info ops, each in invocation order: ok bits then stay
  // dense at the front, which keeps memo keys short (see Remember).
  std::vector<const Op*> kept;
  for (const Op& op : input) {
    if (op.fail()) continue;
    if (op.f == Fn::kRead && !op.ok()) continue;
    kept.push_back(&op);
  }
  std::stable_partition(kept.begin(), kept.end(), [](const Op* op) { return op->ok(); });
  ValueIds ids;
  for (const Op* op : kept) {
    SearchOp s{op->f, op->info(), 0, 0};
    if (op->f == Fn::kCas) {
      s.arg = ids.Id(op->cas_old);
      s.arg2 = ids.Id(op->cas_new);
    } else {
      s.arg = ids.Id(op->value);
    }
    if (op->ok()) ++ok_count_;
    ops_.push_back(s);
  }
  int max_id = 0;
  for (const SearchOp& op : ops_) max_id = std::max({max_id, op.arg, op.arg2});
  std::vector<int> writers(static_cast<std::size_t>(max_id) + 1, 0);
  for (const SearchOp& op : ops_) {
    if (op.f != Fn::kRead) ++writers[static_cast<std::size_t>(op.f == Fn::kCas ? op.arg2 : op.arg)];
  }
  unique_value_.resize(writers.size());
  for (std::size_t v = 0; v < writers.size(); ++v) unique_value_[v] = writers[v] <= 1;
  std::vector<Entry> events;
  for (std::size_t i = 0; i < kept.size(); ++i) {
    int op = static_cast<int>(i);
    events.push_back(Entry{op, false, kept[i]->invoke_ns});
    events.push_back(Entry{op, true, kept[i]->complete_ns});
  }
  // Calls before returns at equal times: such ops count as concurrent.
  std::stable_sort(events.begin(), events.end(), [](const Entry& a, const Entry& b) {
    if (a.time_ns != b.time_ns) return a.time_ns < b.time_ns;
    return !a.is_return && b.is_return;
  });
  entries_.resize(events.size() + 1);
  std::vector<int> call_of(kept.size(), -1);
  for (std::size_t i = 0; i < events.size(); ++i) {
    int idx = static_cast<int>(i) + 1;
    entries_[idx] = events[i];
    entries_[idx].prev = idx - 1;
    entries_[idx].next = i + 1 < events.size() ? idx + 1 : -1;
    if (!events[i].is_return) {
      call_of[events[i].op] = idx;
    } else {
      entries_[call_of[events[i].op]].match = idx;
    }
  }
  entries_[0].next = events.empty() ? -1 : 1;
  ok_bits_.assign((ok_count_ + 63) / 64, 0);
  info_bits_.assign((ops_.size() - ok_count_ + 63) / 64, 0);
}

void Search::Lift(int call) {
  Entry& c = entries_[call];
  entries_[c.prev].next = c.next;
  if (c.next != -1) entries_[c.next].prev = c.prev;
  Entry& r = entries_[c.match];
  entries_[r.prev].next = r.next;
  if (r.next != -1) entries_[r.next].prev = r.prev;
}

void Search::Unlift(int call) {
  Entry& c = entries_[call];
  Entry& r = entries_[c.match];
  entries_[r.prev].next = c.match;
  if (r.next != -1) entries_[r.next].prev = c.match;
  entries_[c.prev].next = call;
  if (c.next != -1) entries_[c.next].prev = call;
}

void Search::SetBit(int op, bool on) {
  std::vector<std::uint64_t>& bits = op < ok_count_ ? ok_bits_ : info_bits_;
  int i = op < ok_count_ ? op : op - ok_count_;
  std::uint64_t mask = std::uint64_t{1} << (i % 64);
  if (on) {
    bits[i / 64] |= mask;
  } else {
    bits[i / 64] &= ~mask;
  }
}

// Memo key: state, then the ok bitset as (count of leading all-ones words,
// the words after them up to the last non-zero one), then the info bitset.
// Linearized ok ops form a prefix plus a window about as wide as the
// concurrency, so keys stay small even for long histories.
bool Search::Remember(int state) {
  std::size_t lead = 0;
  while (lead < ok_bits_.size() && ok_bits_[lead] == ~std::uint64_t{0}) ++lead;
  std::size_t last = ok_bits_.size();
  while (last > lead && ok_bits_[last - 1] == 0) --last;
  std::uint32_t header[3] = {static_cast<std::uint32_t>(state), static_cast<std::uint32_t>(lead),
                             static_cast<std::uint32_t>(last - lead)};
  key_.assign(reinterpret_cast<const char*>(header), sizeof(header));
  key_.append(reinterpret_cast<const char*>(ok_bits_.data() + lead), (last - lead) * 8);
  key_.append(reinterpret_cast<const char*>(info_bits_.data()), info_bits_.size() * 8);
  return seen_.insert(key_).second;
}

// A pending ok read of the current value, when that value is written by at
// most one op, can be linearized first without loss: the register never holds
// that value again, so every valid continuation places the read before the
// next change, and moving it to the front keeps real-time order (its call is
// pending, so everything that precedes it is already linearized). Such a read
// is the only move tried from its configuration. Returns its call entry or -1.
int Search::ForcedRead(int state) const {
  if (!force_reads_ || !unique_value_[static_cast<std::size_t>(state)]) return -1;
  for (int x = entries_[0].next; x != -1 && !entries_[x].is_return; x = entries_[x].next) {
    const SearchOp& op = ops_[entries_[x].op];
    if (op.f == Fn::kRead && !op.info && op.arg == state) return x;
  }
  return -1;
}

// Undoes the last move; a forced move leaves nothing else to try in its
// configuration, so it is undone too. False when nothing is left: invalid.
bool Search::Backtrack(std::vector<Frame>& stack, int* state, int* entry) {
  while (!stack.empty()) {
    Frame f = stack.back();
    stack.pop_back();
    *state = f.state;
    SetBit(entries_[f.call].op, false);
    Unlift(f.call);
    if (!f.forced) {
      *entry = entries_[f.call].next;
      return true;
    }
  }
  return false;
}

Validity Search::Run(SearchStats* stats) {
  std::vector<Frame> stack;
  int state = 0;
  int entry = entries_[0].next;
  bool fresh = true;  // a configuration not looked at yet
  std::uint64_t steps = 0;
  Validity result = Validity::kValid;
  while (entries_[0].next != -1) {
    if ((++steps & 1023) == 0 && Clock::now() > deadline_) {
      result = Validity::kUnknown;
      break;
    }
    if (seen_.size() > states_max_) {
      result = Validity::kUnknown;
      break;
    }
    if (fresh) {
      fresh = false;
      if (int forced = ForcedRead(state); forced != -1) {
        SetBit(entries_[forced].op, true);
        if (Remember(state)) {
          stack.push_back(Frame{forced, state, true});
          Lift(forced);
          entry = entries_[0].next;
          fresh = true;
          continue;
        }
        // Explored before and failed: so does this configuration.
        SetBit(entries_[forced].op, false);
        if (!Backtrack(stack, &state, &entry)) {
          result = Validity::kInvalid;
          break;
        }
        continue;
      }
    }
    const Entry& e = entries_[entry];
    if (!e.is_return) {
      int next = 0;
      if (Step(ops_[e.op], state, &next)) {
        SetBit(e.op, true);
        if (Remember(next)) {
          stack.push_back(Frame{entry, state, false});
          state = next;
          Lift(entry);
          entry = entries_[0].next;
          fresh = true;
          continue;
        }
        SetBit(e.op, false);
      }
      entry = e.next;
      continue;
    }
    // A return whose call is still pending: every ok op before it is done
    // if it is an info op's (infinite) return, so the rest may never happen.
    if (ops_[e.op].info) break;
    if (!Backtrack(stack, &state, &entry)) {
      result = Validity::kInvalid;
      break;
    }
  }
  if (stats != nullptr) {
    stats->states += seen_.size();
    stats->steps += steps;
  }
  return result;
}

// Every read/cas expects a value some op in `ops` could have produced.
bool WellFormed(const std::vector<Op>& ops) {
  std::unordered_set<std::int64_t> written;
  for (const Op& op : ops) {
    if (op.f == Fn::kWrite && op.value) written.insert(*op.value);
    if (op.f == Fn::kCas) written.insert(op.cas_new);
  }
  for (const Op& op : ops) {
    if (!op.ok()) continue;
    if (op.f == Fn::kRead && op.value && !written.count(*op.value)) return false;
    if (op.f == Fn::kCas && !written.count(op.cas_old)) return false;
  }
  return true;
}

std::vector<Op> MinimizeKey(const std::vector<Op>& ops, const LinearOptions& options) {
  Clock::time_point deadline = Clock::now() + std::chrono::milliseconds(options.minimize_budget_ms);
  bool keep_formed = WellFormed(ops);
  auto fails = [&](const std::vector<Op>& candidate) {
    if (keep_formed && !WellFormed(candidate)) return false;  // keep the same kind of bug
    return SearchRegister(candidate, options.states_max, deadline) == Validity::kInvalid;
  };
  return Minimize(ops, fails, options.minimize_options);
}

}  // namespace

Validity SearchRegister(const std::vector<Op>& ops, std::uint64_t states_max,
                        std::chrono::steady_clock::time_point deadline, SearchStats* stats,
                        bool force_reads) {
  Search search(ops, states_max, deadline, force_reads);
  return search.Run(stats);
}

Verdict CheckLinearizable(const History& h, const LinearOptions& options) {
  Verdict v;
  std::map<std::string, std::vector<Op>> by_key;
  for (const Op& op : h.ops) {
    if (op.f == Fn::kAdd) {
      v.validity = Validity::kUnknown;
      v.summary = "line " + std::to_string(op.line) +
                  ": the register checker handles read/write/cas only, not add";
      return v;
    }
    by_key[op.key].push_back(op);
  }
  Clock::time_point deadline = Clock::now() + std::chrono::milliseconds(options.time_budget_ms);
  SearchStats stats;
  int invalid = 0;
  int unknown = 0;
  for (const auto& [key, ops] : by_key) {
    if (std::optional<internal::RegisterViolation> quick = internal::FindRegisterViolation(ops)) {
      ++invalid;
      v.anomalies.push_back("key " + key + ": " + quick->what + " (" + DescribeOp(quick->ops.back()) + ")");
      if (invalid <= options.keys_minimized_max) {
        for (const Op& op : quick->ops) {
          v.failing_op_ids.push_back(op.id);
          v.evidence.push_back(op);
        }
      }
      continue;
    }
    Validity r = SearchRegister(ops, options.states_max, deadline, &stats);
    if (r == Validity::kUnknown) {
      ++unknown;
      v.anomalies.push_back("key " + key + ": search budget exhausted (" + std::to_string(ops.size()) +
                            " ops)");
      continue;
    }
    if (r == Validity::kValid) continue;
    ++invalid;
    std::vector<Op> evidence = ops;
    if (options.minimize && invalid <= options.keys_minimized_max) evidence = MinimizeKey(ops, options);
    v.anomalies.push_back("key " + key + ": not linearizable (" + std::to_string(ops.size()) +
                          " ops; a failing sub-history of " + std::to_string(evidence.size()) +
                          " ops is in the evidence)");
    if (invalid <= options.keys_minimized_max) {
      for (const Op& op : evidence) {
        v.failing_op_ids.push_back(op.id);
        v.evidence.push_back(op);
      }
    }
  }
  std::string counts = std::to_string(by_key.size()) + " keys, " + std::to_string(h.ops.size()) +
                       " ops, " + std::to_string(stats.states) + " states explored";
  if (invalid > 0) {
    v.validity = Validity::kInvalid;
    v.summary = std::to_string(invalid) + " key(s) not linearizable; " + counts;
  } else if (unknown > 0) {
    v.validity = Validity::kUnknown;
    v.summary = std::to_string(unknown) + " key(s) exceeded the search budget; " + counts;
  } else {
    v.summary = "linearizable; " + counts;
  }
  return v;
}

}  // namespace cairn::check
