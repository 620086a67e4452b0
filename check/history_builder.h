#pragma once
// Builds histories in code (tests, benchmarks, the simulator) without going
// through the text format. Times are nanoseconds; an info op never completes
// for the checkers (complete_ns = kNeverNs) and `t1` is only when the client
// gave up (shown in reports). Build() sorts ops by invocation and numbers them.
// Thread-safety: none; one builder per thread.

#include <optional>
#include <string>
#include <vector>

#include "check/history.h"

namespace cairn::check {

class HistoryBuilder {
 public:
  HistoryBuilder& Write(std::int64_t p, const std::string& key, std::int64_t v, std::int64_t t0,
                        std::int64_t t1, Outcome o = Outcome::kOk);
  HistoryBuilder& Read(std::int64_t p, const std::string& key, std::optional<std::int64_t> v,
                       std::int64_t t0, std::int64_t t1, Outcome o = Outcome::kOk);
  HistoryBuilder& Cas(std::int64_t p, const std::string& key, std::int64_t old_value,
                      std::int64_t new_value, std::int64_t t0, std::int64_t t1, Outcome o = Outcome::kOk);
  HistoryBuilder& Add(std::int64_t p, const std::string& key, std::int64_t v, std::int64_t t0,
                      std::int64_t t1, Outcome o = Outcome::kOk);
  HistoryBuilder& ReadSet(std::int64_t p, const std::string& key, std::vector<std::int64_t> elements,
                          std::int64_t t0, std::int64_t t1);
  // Sets the version of the op added last.
  HistoryBuilder& Version(std::int64_t version);
  HistoryBuilder& Nemesis(const std::string& kind, std::int64_t start_ns, std::int64_t stop_ns);

  History Build() const;

 private:
  HistoryBuilder& Push(Op op, std::int64_t t0, std::int64_t t1, Outcome o);

  std::vector<Op> ops_;
  std::vector<NemesisEvent> nemesis_;
};

}  // namespace cairn::check
