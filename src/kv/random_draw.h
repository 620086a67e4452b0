#pragma once
// Random draws for SRANDMEMBER, HRANDFIELD and ZRANDMEMBER.
//
// The state machine draws from a seed it chooses (StateMachine::Read: the
// applied index and a count of draws; a transaction: its entry's index), so
// an answer depends on nothing but the state machine's inputs and the
// simulator and tests can replay it.
//
// Thread-safety: pure functions.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "kv/op.h"
#include "resp/value.h"

namespace cairn::kv {

// Which of n items a count picks, as Redis's *RANDMEMBER counts mean:
// count > 0: min(count, n) distinct items (all of them, in order, if
// count >= n); count < 0: -count items, repeats allowed (none if n == 0).
std::vector<std::size_t> DrawIndexes(std::size_t n, std::int64_t count, std::uint64_t seed);

// The reply of a random read (kRand* flags) over n items: without a count
// one item or nil; with one, an array, of pairs with kRandWith (flat in
// RESP2). `item(i)` and `value(i)` build the i-th item and its value.
resp::Value RandomReply(const Op& op, std::size_t n,
                        const std::function<resp::Value(std::size_t)>& item,
                        const std::function<resp::Value(std::size_t)>& value);

}  // namespace cairn::kv
