#pragma once
// SLOWLOG: the node's record of the operations that took longest to run
// (kv::StateMachine::OpTimer measures them: a read's Read, a write's apply
// on this node), newest first, at most `max_len` of them, as Redis keeps
// its slow log.
//
// Thread-safety: none; the node's loop thread owns it.

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "kv/op.h"
#include "resp/value.h"

namespace cairn::server {

class SlowLog {
 public:
  // Records `op`, which took `micros`, at `unix_seconds`. Its arguments are
  // kept as Redis keeps them: at most 32 (the last says how many more),
  // each cut to 128 bytes (saying how many more).
  void Add(const kv::Op& op, std::int64_t micros, std::int64_t unix_seconds);
  // SLOWLOG GET | LEN | RESET | HELP (args[0] is "SLOWLOG").
  resp::Value Command(const std::vector<std::string>& args);
  void set_max_len(std::size_t n);
  std::size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::uint64_t id;
    std::int64_t unix_seconds;
    std::int64_t micros;
    std::vector<std::string> args;
  };
  std::deque<Entry> entries_;  // newest first
  std::uint64_t next_id_ = 0;
  std::size_t max_len_ = 128;
};

}  // namespace cairn::server
