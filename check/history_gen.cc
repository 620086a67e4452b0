#include "check/history_gen.h"

#include <algorithm>
#include <optional>
#include <unordered_map>

namespace cairn::check {
namespace {

enum class Phase : std::uint8_t { kIdle, kInvoked, kApplied };

struct Client {
  Phase phase = Phase::kIdle;
  Op op;
  bool lost = false;  // timed out without taking effect
};

struct Generator {
  Random& rng;
  const RegisterGenOptions& options;
  std::unordered_map<std::string, std::optional<std::int64_t>> registers;
  std::int64_t next_value = 1;
  std::int64_t now_ns = 0;

  Op NewOp(std::int64_t process) {
    Op op;
    op.process = process;
    op.key = "k" + std::to_string(rng.Uniform(static_cast<std::uint64_t>(options.keys)));
    op.invoke_ns = now_ns;
    if (rng.Chance(options.read_fraction)) {
      op.f = Fn::kRead;
    } else if (rng.Chance(options.cas_fraction)) {
      op.f = Fn::kCas;
      std::optional<std::int64_t> current = registers[op.key];
      // Half the time the expected value is current, so many cas succeed.
      op.cas_old = current && rng.Chance(0.5) ? *current
                                              : static_cast<std::int64_t>(rng.Range(1, next_value));
      op.cas_new = next_value++;
      op.value = op.cas_new;
    } else {
      op.f = Fn::kWrite;
      op.value = next_value++;
    }
    return op;
  }

  void Apply(Op& op) {
    std::optional<std::int64_t>& reg = registers[op.key];
    op.outcome = Outcome::kOk;
    if (op.f == Fn::kRead) {
      op.value = reg;
    } else if (op.f == Fn::kWrite) {
      reg = op.value;
    } else if (reg == op.cas_old) {
      reg = op.cas_new;
    } else {
      op.outcome = Outcome::kFail;
    }
  }

  void Complete(Client& c, std::vector<Op>& done) {
    Op op = c.op;
    op.observed_ns = now_ns;
    op.complete_ns = now_ns;
    bool mutation = op.f != Fn::kRead;
    if (c.lost || (mutation && rng.Chance(options.info_fraction))) {
      op.outcome = Outcome::kInfo;
      op.complete_ns = kNeverNs;
    }
    done.push_back(std::move(op));
    c = Client{};
  }
};

}  // namespace

History GenerateRegisterHistory(Random& rng, const RegisterGenOptions& options) {
  Generator g{rng, options, {}, 1, 0};
  std::vector<Client> clients(static_cast<std::size_t>(options.clients));
  std::vector<Op> done;
  int started = 0;
  while (static_cast<int>(done.size()) < options.ops) {
    g.now_ns += static_cast<std::int64_t>(rng.Range(1, static_cast<std::uint64_t>(options.step_ns_max)));
    std::size_t pick = rng.Uniform(clients.size());
    Client& c = clients[pick];
    if (c.phase == Phase::kIdle) {
      if (started == options.ops) continue;
      ++started;
      c.op = g.NewOp(static_cast<std::int64_t>(pick));
      c.phase = Phase::kInvoked;
    } else if (c.phase == Phase::kInvoked) {
      bool mutation = c.op.f != Fn::kRead;
      if (mutation && rng.Chance(options.info_fraction / 2)) {
        c.lost = true;  // the request is lost: info, never applied
      } else {
        g.Apply(c.op);
      }
      c.phase = Phase::kApplied;
    } else {
      g.Complete(c, done);
    }
  }
  History h;
  h.ops = std::move(done);
  std::stable_sort(h.ops.begin(), h.ops.end(),
                   [](const Op& a, const Op& b) { return a.invoke_ns < b.invoke_ns; });
  for (std::size_t i = 0; i < h.ops.size(); ++i) h.ops[i].id = static_cast<int>(i);
  return h;
}

}  // namespace cairn::check
