#pragma once
// Trace: the record of one simulated run.
//
// Two streams feed it. Mix() folds low-level facts (every delivered message,
// every applied entry) into a 64-bit FNV-1a hash without storing them; Event()
// records a readable line ("t=  120 n2 leader term=3") and hashes it too. Two
// runs with the same seed and options must end with the same hash; that is how
// the simulator's determinism is tested.
//
// Thread-safety: none (one simulator, one thread).

#include <cstddef>
#include <cstdint>
#include <deque>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

namespace cairn::sim {

// FNV-1a over bytes, continuing from `h`.
std::uint64_t Fnv1a(std::uint64_t h, std::string_view bytes);
inline constexpr std::uint64_t kFnvOffset = 0xcbf29ce484222325ull;

class Trace {
 public:
  // keep_all: store every readable line (the `run --trace` mode). Otherwise
  // only the last `tail_max` lines are kept, for failure reports.
  explicit Trace(bool keep_all = false, std::size_t tail_max = 40);

  void Mix(std::uint64_t value);
  void Event(std::uint64_t now_ms, std::string_view text);
  // Prints each line as it is recorded (nullptr: silent).
  void set_echo(std::ostream* out) { echo_ = out; }

  std::uint64_t hash() const { return hash_; }
  std::size_t event_count() const { return events_; }
  const std::vector<std::string>& lines() const { return all_; }
  std::vector<std::string> Tail() const { return {tail_.begin(), tail_.end()}; }

 private:
  bool keep_all_;
  std::size_t tail_max_;
  std::uint64_t hash_ = kFnvOffset;
  std::size_t events_ = 0;
  std::vector<std::string> all_;
  std::deque<std::string> tail_;
  std::ostream* echo_ = nullptr;
};

}  // namespace cairn::sim
